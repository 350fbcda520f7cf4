import { formatMoney } from '../../lib/format.js'
import type { Locale } from '../../i18n/locale.js'
import { pluralPatterns } from '../../i18n/script-messages.js'
import type { Translate } from '../../i18n/translate.js'
import type { TicketTypeView } from '../events/event.view.js'
import type { SeatMapView } from '../seating/seat-map.view.js'

const TYPED_COUNT = /^\d+$/

/**
 * The buy form's total as the form stands: what it would send (the quantities
 * of types on sale, the seats ticked) at the prices it shows; null while it
 * buys nothing. public/buy-total.js writes the same sentence as the buyer types,
 * in the words of buyTotalWords.
 */
export function buyFormTotal(
  types: TicketTypeView[],
  quantities: Record<string, string>,
  map: SeatMapView | null,
  currency: string,
  t: Translate,
): string | null {
  const prices = new Map(types.map((type) => [type.id, type.priceMinor]))
  let tickets = 0
  let minor = 0
  for (const type of types) {
    const typed = quantities[type.id] ?? ''
    if (!type.onSale || !TYPED_COUNT.test(typed)) continue
    tickets += Number(typed)
    minor += Number(typed) * type.priceMinor
  }
  for (const seat of ticked(map)) {
    tickets += 1
    minor += prices.get(seat) ?? 0
  }
  if (tickets === 0) return null
  return t('purchase.buy.total', { count: tickets, total: formatMoney(minor, currency) })
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

/** The words public/buy-total.js writes the total in, as the JSON of the form's data-buy-total-words: the script holds none. */
export function buyTotalWords(t: Translate, locale: Locale): string {
  return JSON.stringify({ total: pluralPatterns(t, locale, 'purchase.buy.total', ['total']), free: t('browse.price.free') })
}
