import { formatAmount, formatDateTime, formatMoney } from '../../lib/format.js'
import { cancellation, cancellationRefusalText } from '../orders/cancellation.js'
import type { Translate } from '../../i18n/translate.js'
import type { OrderWithTickets } from './order.repository.js'
import { money } from '../../lib/money.js'
import type { OrderRow, OrderStatus } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import { ORDER_STATUS_MESSAGES } from '../orders/order.states.js'
import { type AnswerLine, answerLines } from '../questions/answers.js'
import { buyerEditing, buyerRefusalText, orderEditOf } from '../questions/order-edits.js'

/** An order's payment as its page and mails show it. */
export interface OrderPaymentView {
  status: OrderStatus
  statusLabel: string
  /** How it is (to be) paid: a PaymentMethodId, or 'free'. */
  method: string
  methodLabel: string
  /** Waiting for its payment: by card or transfer (deadline set), or at the door (none). */
  pending: boolean
  expired: boolean
  atDoor: boolean
  /** What is to pay, while it is. */
  due: string | null
  /** When the hold lapses, while the order waits. */
  deadline: string | null
  /** Where a transfer goes, while one is awaited. */
  bankDetails: string | null
  /** The buyer may (try again to) pay online now. */
  canPay: boolean
  /** A payment was made and has not arrived yet: nothing to do but wait. */
  processing: boolean
  paidAt: string | null
  /** The money came after the order lapsed and its tickets were gone: it goes back in full. */
  refundedLate: boolean
}

export interface RefundView {
  id: number
  amount: string
  when: string
  state: 'queued' | 'done' | 'failed'
  /** Money that came after its order had lapsed, for tickets that were gone. */
  late: boolean
}

export interface OrderView {
  code: string
  accessKey: string
  cancelled: boolean
  payment: OrderPaymentView
  refunds: RefundView[]
  /** The tickets may be shown (and scanned): paid, or reserved to pay at the door. */
  ticketsValid: boolean
  buyerName: string
  buyerEmail: string
  total: string
  /** The discount or access code it was placed with, and what it took off the tickets that stand; null for none. */
  discountCode: { code: string; discount: string } | null
  orderedAt: string
  event: { id: number; title: string; venue: string; when: string; cancelled: boolean }
  /** Every ticket, those the organiser cancelled on their own too (`cancelled`), which the pages and mails show struck out. */
  tickets: {
    code: string
    typeName: string
    price: string
    qrUrl: string
    checkedIn: boolean
    seat: string | null
    holderName: string | null
    answers: AnswerLine[]
    cancelled: boolean
  }[]
  /** How many tickets stand: all of them, but those cancelled on their own. */
  standingTickets: number
  /** The answers to the order's questions, in the event's order of questions. */
  answers: AnswerLine[]
  /** The page's own address with its key: works later, in any browser. */
  link: string
  canCancel: boolean
  /** Why the buyer cannot cancel, when they cannot. */
  cancelNote: string | null
  /** Where the buyer changes names and answers, and until when; null when they may not (now). */
  changeDetails: { link: string; until: string } | null
  /** Past the cut-off, until when they could have; null otherwise. */
  changeDetailsClosed: string | null
}

/** `processing`: the provider holds a payment of it that has not arrived yet (a bank debit), so it is not offered again. */
export function toOrderView(
  found: OrderWithTickets,
  origin: string,
  t: Translate,
  { now = Date.now(), processing = false }: { now?: number; processing?: boolean } = {},
): OrderView {
  const { order, event, tickets } = found
  const cancel = cancellation(order, event, tickets, now)
  const payment = paymentView(found, t, now, processing)
  return {
    code: order.code,
    accessKey: order.accessKey,
    cancelled: order.status === 'cancelled',
    payment,
    refunds: found.refunds.map((refund) => ({
      id: refund.id,
      amount: formatMoney(money(refund.amountMinor, refund.currency)),
      when: formatDateTime(refund.doneAt ?? refund.createdAt, event.timeZone),
      state: refund.state,
      late: refund.reason === 'late-payment',
    })),
    ticketsValid: ticketsAreValid(order),
    buyerName: order.buyerName,
    buyerEmail: order.buyerEmail,
    total: formatMoney(money(order.totalMinor, order.currency)),
    discountCode:
      found.code === null
        ? null
        : {
            code: found.code,
            discount: formatAmount(
              money(
                tickets.filter((ticket) => !ticket.cancelled).reduce((sum, ticket) => sum + ticket.discountMinor, 0),
                order.currency,
              ),
            ),
          },
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
      cancelled: ticket.cancelled,
      holderName: ticket.holderName,
      answers: answerLines(found.questions, found.answers, ticket.id, t),
    })),
    answers: answerLines(found.questions, found.answers, null, t),
    standingTickets: tickets.filter((ticket) => !ticket.cancelled).length,
    link: `${origin}/orders/${order.code}?key=${order.accessKey}`,
    canCancel: cancel.allowed,
    cancelNote: cancel.allowed || cancel.reason === null ? null : cancellationRefusalText(t, cancel.reason),
    ...changeDetailsView(found, t, now),
  }
}

/** What the order page says of changing names and answers: a link while the buyer may, until when they could once the cut-off passed. */
function changeDetailsView(found: OrderWithTickets, t: Translate, now: number): Pick<OrderView, 'changeDetails' | 'changeDetailsClosed'> {
  const { order, event } = found
  const none = { changeDetails: null, changeDetailsClosed: null }
  // Nothing the organiser lets buyers change on this order (or the event asks nothing): nothing to say.
  if (!event.buyerEdits || orderEditOf(event, found.questions, found.tickets, found.answers, 'buyer') === null) return none
  const editing = buyerEditing(event, order.status, now)
  if (editing.allowed) {
    return {
      changeDetails: { link: `/orders/${order.code}/details?key=${order.accessKey}`, until: formatDateTime(editing.until, event.timeZone) },
      changeDetailsClosed: null,
    }
  }
  if (editing.reason.code !== 'past-cutoff') return none
  return { changeDetails: null, changeDetailsClosed: buyerRefusalText(editing.reason, event.timeZone, t) }
}

/**
 * Whether an order's tickets may be shown, printed and scanned: paid, or
 * reserved to be paid at the door (which collects the money before letting
 * them in). Not while a card or transfer is awaited, nor once the order
 * lapsed or was cancelled.
 */
export function ticketsAreValid(order: Pick<OrderRow, 'status' | 'paymentMethod'>): boolean {
  return order.status === 'paid' || (order.status === 'pending' && order.paymentMethod === AT_DOOR)
}

const AT_DOOR = 'at-door'

function paymentView(
  { order, event, payments, refunds }: OrderWithTickets,
  t: Translate,
  now: number,
  processing: boolean,
): OrderPaymentView {
  const pending = order.status === 'pending'
  const method = order.paymentMethod
  const atDoor = method === AT_DOOR
  const latest = payments.at(-1)
  return {
    status: order.status,
    statusLabel: t(ORDER_STATUS_MESSAGES[order.status]),
    method,
    methodLabel: t(methodLabelKey(method)),
    pending,
    expired: order.status === 'expired',
    atDoor,
    due: pending ? formatMoney(money(order.totalMinor, order.currency)) : null,
    deadline: pending && order.paymentDeadline !== null ? formatDateTime(order.paymentDeadline, event.timeZone) : null,
    bankDetails: pending && method === 'bank-transfer' ? event.bankDetails : null,
    canPay: pending && method === 'card' && (order.paymentDeadline ?? 0) > now && latest?.state !== 'paid' && !processing,
    processing: pending && processing,
    paidAt: order.paidAt !== null && order.status === 'paid' ? formatDateTime(order.paidAt, event.timeZone) : null,
    // Not any paid payment of an unpaid order: a paid order that was cancelled (and refunded) has one too.
    refundedLate: order.status === 'expired' && refunds.some((refund) => refund.reason === 'late-payment'),
  }
}

/** The words of a payment method, or of an order with nothing to pay. */
export function methodLabelKey(method: string): MessageKey {
  switch (method) {
    case 'card':
      return 'payments.method.card'
    case 'bank-transfer':
      return 'payments.method.bank-transfer'
    case 'at-door':
      return 'payments.method.at-door'
    case 'cash':
      return 'boxOffice.method.cash'
    case 'card-terminal':
      return 'boxOffice.method.card-terminal'
    case 'complimentary':
      return 'boxOffice.method.complimentary'
    default:
      return 'payments.method.free'
  }
}
