import QRCode from 'qrcode'
import { formatDateTime, formatMoney } from '../../lib/format.js'
import type { OrderWithTickets } from './order.repository.js'

export interface OrderView {
  code: string
  accessKey: string
  cancelled: boolean
  buyerName: string
  buyerEmail: string
  total: string
  orderedAt: string
  event: { id: number; title: string; venue: string; when: string; cancelled: boolean }
  tickets: { code: string; typeName: string; price: string; qrSvg: string }[]
  /** The page's own address with its key: works later, in any browser. */
  link: string
  canCancel: boolean
  /** Why the buyer cannot cancel, when they cannot. */
  cancelNote: string | null
}

export async function toOrderView({ order, event, tickets }: OrderWithTickets, origin: string, now = Date.now()): Promise<OrderView> {
  const cancelled = order.status === 'cancelled'
  let cancelNote: string | null = null
  if (cancelled) cancelNote = null
  else if (event.status === 'cancelled') cancelNote = 'The organiser cancelled this event.'
  else if (event.startsAt <= now) cancelNote = 'The event has started, so this order can no longer be cancelled.'
  else if (event.allowBuyerCancellation !== 1) cancelNote = 'The organiser does not allow buyers to cancel orders for this event.'
  return {
    code: order.code,
    accessKey: order.accessKey,
    cancelled,
    buyerName: order.buyerName,
    buyerEmail: order.buyerEmail,
    total: formatMoney(order.totalMinor, order.currency),
    orderedAt: formatDateTime(order.createdAt, event.timeZone),
    event: {
      id: event.id,
      title: event.title,
      venue: event.venue,
      when: formatDateTime(event.startsAt, event.timeZone),
      cancelled: event.status === 'cancelled',
    },
    tickets: await Promise.all(
      tickets.map(async (ticket) => ({
        code: ticket.code,
        typeName: ticket.ticketTypeName,
        price: formatMoney(ticket.priceMinor, order.currency),
        // SVG drawn on the server: no script, nothing fetched, prints sharply.
        qrSvg: await QRCode.toString(ticket.code, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      })),
    ),
    link: `${origin}/orders/${order.code}?key=${order.accessKey}`,
    canCancel: !cancelled && cancelNote === null,
    cancelNote,
  }
}
