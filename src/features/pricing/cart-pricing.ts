/**
 * The one pricing of a cart, pure: each line's unit price, its discount (a
 * code's, src/features/codes, given as the price of each ticket with it) and
 * subtotal, and the total, within what one order may total
 * (MAX_MONEY_MINOR). The buy page's running total, the purchase and the check
 * of the prices the buyer saw all price through it.
 */
import { MAX_MONEY_MINOR, type Money, MoneyTooLarge, money, sameMoney, sum, times } from '../../lib/money.js'

/** The most one order may total: orders.total_minor is a 32-bit integer column. */
export function maxOrderTotal(currency: string): Money {
  return money(MAX_MONEY_MINOR, currency)
}

/** The most tickets one order may hold at this price (without limit when free). */
export function mostTicketsAt(unit: Money): number {
  return unit.minor <= 0 ? Infinity : Math.floor(MAX_MONEY_MINOR / unit.minor)
}

/** The highest price at which one order may hold `tickets` tickets. */
export function highestPriceFor(tickets: number, currency: string): Money {
  return money(Math.floor(MAX_MONEY_MINOR / tickets), currency)
}

/** Ticket type id → how many of it. */
export type CartQuantities = ReadonlyMap<number, number> | Iterable<readonly [number, number]>

export interface PricedLine {
  ticketTypeId: number
  quantity: number
  /** The ticket type's price. */
  unit: Money
  /** What one ticket costs, the discount taken off: the unit price without one. */
  net: Money
  /** Taken off the line's price: (unit - net) × quantity. */
  discount: Money
  subtotal: Money
}

export type CartPricing =
  | { kind: 'priced'; currency: string; lines: PricedLine[]; tickets: number; total: Money }
  /** The total would pass what one order may total: the cart cannot be bought as one order. */
  | { kind: 'too-large'; currency: string; tickets: number }

/** Each ticket type's price now, in the site's currency (a price is kept as minor units alone; the currency is the site's at the moment of reading). */
export function unitPrices(types: Iterable<{ id: number; priceMinor: number }>, currency: string): Map<number, Money> {
  return new Map([...types].map((type) => [type.id, money(type.priceMinor, currency)]))
}

/**
 * Prices the lines with a positive quantity, in ticket type id order (the
 * order capacity is taken in). `net`: the price of one ticket of a type with
 * a discount (a code's), for the types it applies to. A line of a type
 * without a price is the caller's error.
 */
export function priceCart(
  quantities: CartQuantities,
  prices: ReadonlyMap<number, Money>,
  currency: string,
  net: ReadonlyMap<number, Money> = prices,
): CartPricing {
  const wanted = [...quantities].filter(([, quantity]) => quantity > 0).sort(([a], [b]) => a - b)
  const tickets = wanted.reduce((count, [, quantity]) => count + quantity, 0)
  try {
    const lines = wanted.map(([ticketTypeId, quantity]): PricedLine => {
      const unit = prices.get(ticketTypeId)
      if (!unit) throw new Error(`pricing: ticket type ${ticketTypeId} has no price`)
      const each = net.get(ticketTypeId) ?? unit
      const discount = times(money(unit.minor - each.minor, currency), quantity)
      const subtotal = sum(currency, [times(unit, quantity), money(-discount.minor, currency)])
      return { ticketTypeId, quantity, unit, net: each, discount, subtotal }
    })
    const total = sum(
      currency,
      lines.map((line) => line.subtotal),
    )
    return { kind: 'priced', currency, lines, tickets, total }
  } catch (error) {
    if (error instanceof MoneyTooLarge) return { kind: 'too-large', currency, tickets }
    throw error
  }
}

/** What the buy form showed: the currency and each ticket type's price in minor units. */
export interface SeenPrices {
  /** Empty when the form did not say. */
  currency: string
  prices: ReadonlyMap<number, number>
}

/** A ticket type whose price is not the one the buyer saw on the form. */
export interface ChangedPrice {
  ticketTypeId: number
  /** What the form showed, or null when the form did not say (a page from before prices were carried, or another currency). */
  seen: Money | null
  now: Money
}

/**
 * "The price you saw": the lines whose price now is not what the buyer saw
 * (a price seen in another currency was not seen at all). The buyer pays only
 * what they saw, so any of these refuses the purchase. Types without a price
 * now are left to the refusals that say they are gone.
 */
export function pricesChangedSinceSeen(
  seen: SeenPrices,
  ticketTypeIds: Iterable<number>,
  prices: ReadonlyMap<number, Money>,
): ChangedPrice[] {
  const changed: ChangedPrice[] = []
  for (const ticketTypeId of ticketTypeIds) {
    const now = prices.get(ticketTypeId)
    if (!now) continue
    const seenMinor = seen.currency === now.currency ? seen.prices.get(ticketTypeId) : undefined
    const seenPrice = seenMinor === undefined ? null : money(seenMinor, seen.currency)
    if (!seenPrice || !sameMoney(seenPrice, now)) changed.push({ ticketTypeId, seen: seenPrice, now })
  }
  return changed
}
