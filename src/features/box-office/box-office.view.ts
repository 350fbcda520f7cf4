import type { TicketTypeRow } from '../../db/schema.js'
import type { Translate } from '../../i18n/translate.js'
import { formatRevenue } from '../../lib/format.js'
import { type Money, sum } from '../../lib/money.js'
import type { Event } from '../events/event.model.js'
import { type EventView, type TicketTypeView, toEventView } from '../events/event.view.js'
import { isOnSale } from '../events/event.rules.js'
import { DESK_METHOD_IDS } from '../payments/payment-method.js'
import type { OrderView } from '../purchase/order.view.js'
import { deskSells } from './desk.js'
import type { PersonTakings } from './takings.js'

/** What the desk shows of an event: the public view's figures, each type on sale as the desk sells it. */
export interface DeskEventView extends EventView {
  /** The desk can sell now: the event is published and not over. */
  open: boolean
}

/**
 * The event as the desk sees it: a type is on sale when the desk can sell it
 * (deskSells), as many at once as remain, within the site's limit per order.
 * Outside its sales window a type says so, unless the desk sells past it.
 */
export function toDeskEventView(
  event: Event,
  types: TicketTypeRow[],
  currency: string,
  maxTicketsPerOrder: number,
  t: Translate,
  now = Date.now(),
): DeskEventView {
  const view = toEventView(event, types, currency, t, now)
  const ticketTypes = view.ticketTypes.map((shown, i): TicketTypeView => {
    const onSale = deskSells(types[i]!, event, now)
    return {
      ...shown,
      onSale,
      maxSelectable: onSale ? Math.min(shown.remaining, maxTicketsPerOrder) : 0,
      salesNote: event.deskIgnoresSalesWindows ? null : shown.salesNote,
    }
  })
  return { ...view, ticketTypes, onSale: ticketTypes.some((type) => type.onSale), open: isOnSale(event, now) }
}

/** A desk sale's page: the order as its buyer's page shows it, who sold it, why it was free, and where its tickets print. */
export interface SoldView {
  order: OrderView
  soldBy: string | null
  complimentaryReason: string | null
  print: { page: string; pdf: string } | null
}

/** One person's line of the takings, each amount in words. */
export interface TakingsLine {
  person: string
  money: Record<(typeof DESK_METHOD_IDS)[number], string>
  total: string
  complimentaryTickets: number
  tickets: number
}

/** The desk's takings of an event as the organiser's page shows them: a line per person, and all of them together. */
export function toTakingsView(people: PersonTakings[], currency: string): { lines: TakingsLine[]; total: TakingsLine } | null {
  if (people.length === 0) return null
  const line = (person: string, takings: PersonTakings[]): TakingsLine => {
    const amounts = (method: (typeof DESK_METHOD_IDS)[number]) => takings.flatMap((taking) => taking.money[method])
    return {
      person,
      money: Object.fromEntries(
        DESK_METHOD_IDS.map((method) => [method, formatRevenue(byCurrency(amounts(method)), currency)]),
      ) as TakingsLine['money'],
      total: formatRevenue(byCurrency(DESK_METHOD_IDS.flatMap(amounts)), currency),
      complimentaryTickets: takings.reduce((count, taking) => count + taking.complimentaryTickets, 0),
      tickets: takings.reduce((count, taking) => count + taking.tickets, 0),
    }
  }
  return { lines: people.map((person) => line(person.person, [person])), total: line('', people) }
}

/** Amounts added up per currency, in the order the currencies first come. */
function byCurrency(amounts: Money[]): Money[] {
  const currencies = [...new Set(amounts.map((amount) => amount.currency))]
  return currencies.map((currency) =>
    sum(
      currency,
      amounts.filter((amount) => amount.currency === currency),
    ),
  )
}
