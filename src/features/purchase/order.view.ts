import { formatDateTime, formatMoney } from '../../lib/format.js'
import { cancellation } from '../orders/cancellation.js'
import type { OrderWithTickets } from './order.repository.js'
import { money } from '../../lib/money.js'

export interface OrderView {
  code: string
  accessKey: string
  cancelled: boolean
  buyerName: string
  buyerEmail: string
  total: string
  orderedAt: string
  event: { id: number; title: string; venue: string; when: string; cancelled: boolean }
  tickets: { code: string; typeName: string; price: string; qrUrl: string; checkedIn: boolean; seat: string | null }[]
  /** The page's own address with its key: works later, in any browser. */
  link: string
  canCancel: boolean
  /** Why the buyer cannot cancel, when they cannot. */
  cancelNote: string | null
}

export function toOrderView({ order, event, tickets }: OrderWithTickets, origin: string, now = Date.now()): OrderView {
  const cancel = cancellation(order, event, tickets, now)
  return {
    code: order.code,
    accessKey: order.accessKey,
    cancelled: order.status === 'cancelled',
    buyerName: order.buyerName,
    buyerEmail: order.buyerEmail,
    total: formatMoney(money(order.totalMinor, order.currency)),
    orderedAt: formatDateTime(order.createdAt, event.timeZone),
    event: {
      id: event.id,
      title: event.title,
      venue: event.venue,
      when: formatDateTime(event.startsAt, event.timeZone),
      cancelled: event.status === 'cancelled',
    },
    tickets: tickets.map((ticket) => ({
      // What the door reads: the code people see is the one in the QR code.
      code: ticket.doorCode,
      checkedIn: ticket.checkedInAt !== null,
      seat: ticket.seat,
      typeName: ticket.ticketTypeName,
      price: formatMoney(money(ticket.priceMinor, order.currency)),
      // Drawn by its own request and cached by the browser for good, not again with each view of the order.
      qrUrl: `/tickets/${ticket.code}/qr.svg`,
    })),
    link: `${origin}/orders/${order.code}?key=${order.accessKey}`,
    canCancel: cancel.allowed,
    cancelNote: cancel.allowed ? null : cancel.reason,
  }
}
