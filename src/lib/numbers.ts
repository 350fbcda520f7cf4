/**
 * The largest value of a 32-bit integer column (ids, prices, order totals).
 * PostgreSQL refuses a larger number with an error while SQLite keeps it, so
 * values are checked against this first, for both databases to answer alike.
 */
export const MAX_INT32 = 2 ** 31 - 1
