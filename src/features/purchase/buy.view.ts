import { formatMoney, moneyFormatOf } from '../../lib/format.js'
import { zero } from '../../lib/money.js'
import type { Locale } from '../../i18n/locale.js'
import { pluralPatterns } from '../../i18n/script-messages.js'
import type { Translate } from '../../i18n/translate.js'
import type { TicketTypeView } from '../events/event.view.js'
import type { SeatMapView } from '../seating/seat-map.view.js'
import { priceCart, unitPrices } from '../pricing/cart-pricing.js'

const TYPED_COUNT = /^\d+$/

/**
 * The buy form's running total: the sentence as the form stands, and what
 * public/buy-total.js needs to keep it as the buyer types, priced here: each
 * type's unit price in minor units, how to format an amount, and the words.
 * The script only adds up.
 */
export interface BuyTotalView {
  /** Null while the form buys nothing (or more than one order may total). */
  text: string | null
  unitPrices: Record<string, number>
  format: ReturnType<typeof moneyFormatOf>
  /** The JSON of the words the script writes the total in (data-buy-total-words): a pattern per plural category, and "Free". */
  words: string
}

/**
 * The buy form's total as the form stands: what it would send (the quantities
 * of types on sale, the seats ticked) at the prices it shows.
 */
export function buyFormTotal(
  types: TicketTypeView[],
  quantities: Record<string, string>,
  map: SeatMapView | null,
  currency: string,
  t: Translate,
  locale: Locale,
): BuyTotalView {
  const shown = unitPrices(types, currency)
  const prices = new Map(shown)
  const cart = new Map<number, number>()
  const add = (ticketTypeId: number, count: number) => cart.set(ticketTypeId, (cart.get(ticketTypeId) ?? 0) + count)
  for (const type of types) {
    const typed = quantities[type.id] ?? ''
    if (type.onSale && TYPED_COUNT.test(typed)) add(type.id, Number(typed))
  }
  for (const seatType of ticked(map)) {
    add(seatType, 1)
    // A seat of a type the form does not offer (an offer's form shows its own type alone) is counted, at nothing.
    if (!prices.has(seatType)) prices.set(seatType, zero(currency))
  }
  const priced = priceCart(cart, prices, currency)
  return {
    text:
      priced.kind === 'priced' && priced.tickets > 0
        ? t('purchase.buy.total', { count: priced.tickets, total: formatMoney(priced.total, locale) })
        : null,
    unitPrices: Object.fromEntries([...shown].map(([id, price]) => [id, price.minor])),
    format: moneyFormatOf(currency, locale),
    words: JSON.stringify({ total: pluralPatterns(t, locale, 'purchase.buy.total', ['total']), free: formatMoney(zero(currency), locale) }),
  }
}

/** The ticket type of each seat ticked on the map. */
function ticked(map: SeatMapView | null): number[] {
  if (!map) return []
  return map.sections.flatMap((section) =>
    section.rows.flatMap((row) =>
      row.cells.flatMap((cell) => (!cell.gap && cell.state === 'free' && cell.checked ? [cell.ticketTypeId] : [])),
    ),
  )
}
