import type { OrderRow } from '../../db/schema.js'
import { formatDateTime, formatMoney } from '../../lib/format.js'
import { money } from '../../lib/money.js'
import type { Translate } from '../../i18n/translate.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { OrderTicket, OrderWithTickets } from '../purchase/order.repository.js'
import { ticketsAreValid } from '../purchase/order.view.js'

/** Why an order has no ticket to print. */
export type Withheld = 'awaiting-payment' | 'expired' | 'cancelled' | 'event-cancelled'

/** One ticket as its printed page and its page of the PDF show it. */
export interface PrintableTicket {
  /** What the QR code carries and the door checks. */
  doorCode: string
  typeName: string
  price: string
  seat: string | null
  holder: string
  checkedIn: boolean
  /** "Ticket 2 of 3". */
  position: string
}

/** An order's tickets to print, or why there are none: what the printable page and the PDF are made of. */
export interface PrintableOrder {
  code: string
  event: { title: string; venue: string; when: string; timeZone: string }
  /** Why nothing prints (then `tickets` is empty), or null. */
  withheld: Withheld | null
  /** The words of `withheld`. */
  withheldText: string | null
  /**
   * What each ticket says of itself: valid, or not paid yet with the money the
   * door collects first (the whole order's), as the check-in answer does.
   */
  state: { valid: boolean; text: string }
  tickets: PrintableTicket[]
}

/** The name a ticket is printed for: its holder's, when the event asked and the buyer said, else the buyer's (as the door list does). */
export function holderName(ticket: OrderTicket, order: OrderRow): string {
  return ticket.holderName ?? order.buyerName
}

/**
 * Only tickets the door would let in (or let in once paid there) print: a
 * ticket of an order still waiting for its card or transfer, lapsed or
 * cancelled would be a valid-looking piece of paper for nothing.
 */
export function toPrintableOrder(found: OrderWithTickets, t: Translate): PrintableOrder {
  const { order, event } = found
  // A ticket the organiser cancelled on its own prints no more: the rest of the order does.
  const tickets = found.tickets.filter((ticket) => !ticket.cancelled)
  const withheld = withheldOf(found)
  // A valid order still pending is one paid at the door.
  const toPayAtDoor = withheld === null && order.status === 'pending'
  return {
    code: order.code,
    event: { title: event.title, venue: event.venue, when: formatDateTime(event.startsAt, event.timeZone), timeZone: event.timeZone },
    withheld,
    withheldText: withheld && t(WITHHELD_MESSAGES[withheld], { code: order.code }),
    state: toPayAtDoor
      ? {
          valid: false,
          text: t('tickets.print.payAtDoor', { amount: formatMoney(money(order.totalMinor, order.currency)), code: order.code }),
        }
      : { valid: true, text: t('tickets.print.valid') },
    tickets:
      withheld !== null
        ? []
        : tickets.map((ticket, index) => ({
            doorCode: ticket.doorCode,
            typeName: ticket.ticketTypeName,
            price: formatMoney(money(ticket.priceMinor, order.currency)),
            seat: ticket.seat,
            holder: holderName(ticket, order),
            checkedIn: ticket.checkedInAt !== null,
            position: t('purchase.order.ticketOf', { number: index + 1, count: tickets.length }),
          })),
  }
}

function withheldOf({ order, event }: OrderWithTickets): Withheld | null {
  if (event.status === 'cancelled') return 'event-cancelled'
  if (ticketsAreValid(order)) return null
  switch (order.status) {
    case 'expired':
      return 'expired'
    case 'cancelled':
      return 'cancelled'
    default:
      return 'awaiting-payment'
  }
}

const WITHHELD_MESSAGES: Record<Withheld, MessageKey> = {
  'awaiting-payment': 'tickets.print.withheld.awaitingPayment',
  expired: 'tickets.print.withheld.expired',
  cancelled: 'tickets.print.withheld.cancelled',
  'event-cancelled': 'tickets.print.withheld.eventCancelled',
}
