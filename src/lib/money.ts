import { MAX_INT32 } from './numbers.js'

/**
 * An amount of money: whole minor units (cents, yen, fils) with the currency
 * they count, so that an amount never travels without it. Prices, order totals
 * and revenue are Money; formatting is src/lib/format.ts's.
 */
export interface Money {
  readonly minor: number
  readonly currency: string
}

/**
 * The most one amount that sum or times make may be: orders.total_minor (and
 * tickets.price_minor) are 32-bit integer columns, which PostgreSQL enforces
 * with an error and SQLite does not, so the app refuses past it first.
 */
export const MAX_MONEY_MINOR = MAX_INT32

/** An arithmetic of money went past MAX_MONEY_MINOR: the caller refuses what asked for it. */
export class MoneyTooLarge extends RangeError {
  constructor(readonly minor: number) {
    super(`${minor} minor units is more than one amount may be (${MAX_MONEY_MINOR})`)
  }
}

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`money: ${minor} is not a whole number of minor units`)
  return { minor, currency }
}

export function zero(currency: string): Money {
  return { minor: 0, currency }
}

/** "Free": nothing to pay, the one price that is not said as an amount. */
export function isFree(amount: Money): boolean {
  return amount.minor === 0
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.minor === b.minor && a.currency === b.currency
}

/** Whether `minor` fits what sum and times may make (and the columns that keep it). */
export function fitsMoney(minor: number): boolean {
  return Number.isSafeInteger(minor) && Math.abs(minor) <= MAX_MONEY_MINOR
}

/** Amounts of one currency added up; throws MoneyTooLarge past the limit, and refuses to add up two currencies. */
export function sum(currency: string, amounts: Iterable<Money>): Money {
  let minor = 0
  for (const amount of amounts) {
    if (amount.currency !== currency) throw new TypeError(`money: cannot add ${amount.currency} to ${currency}`)
    minor += amount.minor
    if (!fitsMoney(minor)) throw new MoneyTooLarge(minor)
  }
  return { minor, currency }
}

/** `count` of an amount (a line's subtotal); throws MoneyTooLarge past the limit. */
export function times(amount: Money, count: number): Money {
  if (!Number.isInteger(count)) throw new RangeError(`money: cannot take ${count} times an amount`)
  const minor = amount.minor * count
  if (!fitsMoney(minor)) throw new MoneyTooLarge(minor)
  return { minor, currency: amount.currency }
}
