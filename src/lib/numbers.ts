/**
 * The largest value of a 32-bit integer column (ids, prices, order totals):
 * PostgreSQL refuses a larger number with an error, and SQLite would keep it,
 * so both dialects' limit is checked against this before a write or a lookup.
 */
export const MAX_INT32 = 2 ** 31 - 1
