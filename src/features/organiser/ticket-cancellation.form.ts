/**
 * The organiser's form to cancel some tickets of an order (src/features/orders/ticket-cancellation.ts):
 * a checkbox per ticket that may be cancelled and the amount to refund, then
 * a page that says what will happen and asks to confirm. With JavaScript off:
 * the amount left empty is the price of the tickets chosen, worked out when
 * the form is sent, never more than is left to refund.
 */
import type { Translate } from '../../i18n/translate.js'
import { formatMoney, minorToInput, parseAmount } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { money } from '../../lib/money.js'
import { ORDER_STATUS_MESSAGES, awaitsPayment, holdsCapacity } from '../orders/order.states.js'
import type { TicketCancellationRefusal } from '../orders/ticket-cancellation.js'
import type { OrderWithTickets } from '../purchase/order.repository.js'
import { methodLabelKey } from '../purchase/order.view.js'
import type { RefundRefusal } from '../payments/refunds.js'

const TICKET_FIELD = 'ticket_'

export interface CancelTicketsValues {
  /** The ids of the tickets ticked. */
  tickets: number[]
  /** The amount as typed ('' for the price of the tickets chosen). */
  amount: string
}

export interface CancelTicketsForm {
  values: CancelTicketsValues
  errors: FieldErrors
  /** The tickets and the amount (null: the price of the tickets), when the form holds no mistake of its own. */
  input?: { ticketIds: number[]; amountMinor: number | null }
  /** Sent from the page that asked to confirm. */
  confirmed: boolean
}

/** Reads the form as sent: what was typed, and each mistake that needs no look at the order. */
export function parseCancelTicketsForm(body: unknown, currency: string, t: Translate): CancelTicketsForm {
  const form = new FormReader(body, t)
  const ticked = form.names(TICKET_FIELD).filter((name) => form.checkbox(name))
  const tickets = ticked.map((name) => name.slice(TICKET_FIELD.length)).map((id) => (/^[1-9]\d{0,9}$/.test(id) ? Number(id) : NaN))
  const amount = form.text('amount')
  const amountMinor = amount === '' ? null : parseAmount(amount, currency)
  const values = { tickets: tickets.filter((id) => Number.isInteger(id)), amount }
  if (tickets.some((id) => !Number.isInteger(id))) form.fail('tickets', t('payments.cancelTickets.notOfOrder'))
  if (tickets.length === 0) form.fail('tickets', t('payments.cancelTickets.chooseOne'))
  if (amountMinor === null && amount !== '') form.fail('amount', t('payments.cancelTickets.amountInvalid'))
  const confirmed = form.checkbox('confirm')
  if (!form.ok) return { values, errors: form.errors, confirmed }
  return { values, errors: {}, input: { ticketIds: values.tickets, amountMinor }, confirmed }
}

/** What is left to refund of the order, and how it goes back. */
export interface Refundable {
  leftMinor: number
  /** Paid outside the app (a transfer, cash): the organiser gives it back and the refund records it. */
  byHand: boolean
}

/** A refusal of the service, as the field whose words it goes under. */
export function refusalErrors(refusal: TicketCancellationRefusal | RefundRefusal, left: string, t: Translate): FieldErrors {
  switch (refusal.code) {
    case 'none-chosen':
      return { tickets: t('payments.cancelTickets.chooseOne') }
    case 'not-of-order':
      return { tickets: t('payments.cancelTickets.notOfOrder') }
    case 'checked-in':
      return { tickets: t('payments.cancelTickets.checkedIn', { tickets: refusal.tickets.join(', ') }) }
    case 'cancelled-meanwhile':
      return { tickets: t('payments.cancelTickets.cancelledMeanwhile') }
    case 'order-closed':
      return { tickets: t('payments.cancelTickets.orderClosed') }
    case 'nothing-to-refund':
    case 'more-than-paid':
      return { amount: left === '' ? t('payments.cancelTickets.nothingPaid') : t('payments.cancelTickets.moreThanLeft', { left }) }
    case 'not-positive':
      return { amount: t('payments.cancelTickets.amountInvalid') }
  }
}

/**
 * The mistakes that need the order, as the form's words: tickets not of it,
 * cancelled already or let in at the door; more refunded than is left.
 * These are checked again under the order's lock when it is done. A
 * confirmation of tickets that are all cancelled already is none: the same
 * confirmation sent twice, answered as done.
 */
export function checkAgainstOrder(
  found: OrderWithTickets,
  form: Required<Pick<CancelTicketsForm, 'input' | 'confirmed'>>,
  refundable: Refundable,
  t: Translate,
): FieldErrors {
  const chosen = form.input.ticketIds.map((id) => found.tickets.find((ticket) => ticket.id === id))
  const left = refundable.leftMinor > 0 ? formatMoney(money(refundable.leftMinor, found.order.currency)) : ''
  if (chosen.some((ticket) => ticket === undefined)) return refusalErrors({ code: 'not-of-order' }, left, t)
  const tickets = chosen.map((ticket) => ticket!)
  // Cancelled whole (its last tickets, say) or lapsed: the service answers a confirmation sent again as done.
  if (!holdsCapacity(found.order.status)) return form.confirmed ? {} : refusalErrors({ code: 'order-closed' }, left, t)
  if (form.confirmed && tickets.every((ticket) => ticket.cancelled)) return {}
  if (tickets.some((ticket) => ticket.cancelled)) return { tickets: t('payments.cancelTickets.alreadyCancelled') }
  const used = tickets.filter((ticket) => ticket.used)
  if (used.length > 0) return refusalErrors({ code: 'checked-in', tickets: used.map((ticket) => ticket.doorCode) }, left, t)
  if (form.input.amountMinor !== null && form.input.amountMinor > refundable.leftMinor)
    return refusalErrors({ code: 'more-than-paid', maxMinor: refundable.leftMinor }, left, t)
  return {}
}

/** The amount the refund will be: as typed, else the price of the tickets chosen, never more than is left. */
export function refundOf(found: OrderWithTickets, input: { ticketIds: number[]; amountMinor: number | null }, leftMinor: number): number {
  if (input.amountMinor !== null) return input.amountMinor
  const price = found.tickets.filter((ticket) => input.ticketIds.includes(ticket.id)).reduce((sum, ticket) => sum + ticket.priceMinor, 0)
  return Math.min(price, leftMinor)
}

export interface CancelTicketsPage {
  event: { id: number; title: string }
  order: {
    code: string
    buyerName: string
    statusLabel: string
    methodLabel: string
    total: string
    /** Not paid yet: nothing is refunded, the amount due falls. */
    pending: boolean
    /** It holds no tickets any more (cancelled, lapsed): nothing to cancel. */
    closed: boolean
    /** What is left to refund, formatted; null when nothing is. */
    refundable: string | null
    byHand: boolean
  }
  tickets: {
    id: number
    /** Its checkbox's name. */
    field: string
    code: string
    typeName: string
    price: string
    seat: string | null
    /** open: may be cancelled; checked-in: let in at the door, kept; cancelled: cancelled before. */
    state: 'open' | 'checked-in' | 'cancelled'
    checked: boolean
  }[]
  values: CancelTicketsValues
  errors: FieldErrors
  /** Set on the page that asks to confirm. */
  review: {
    tickets: { code: string; typeName: string; price: string }[]
    /** The refund, formatted; null for none. */
    refund: string | null
    /** The amount as the confirming form sends it back. */
    amountInput: string
    /** The order's total once they are gone. */
    newTotal: string
    /** No ticket would stand: the whole order is cancelled. */
    wholeOrder: boolean
  } | null
}

/** The form's page (or, with `review`, the page that asks to confirm), from the order as it stands. */
export function cancelTicketsPage(
  found: OrderWithTickets,
  refundable: Refundable,
  form: { values: CancelTicketsValues; errors: FieldErrors; refundMinor?: number },
  t: Translate,
): CancelTicketsPage {
  const { order, event } = found
  const format = (minor: number) => formatMoney(money(minor, order.currency))
  const chosen = found.tickets.filter((ticket) => form.values.tickets.includes(ticket.id))
  const standing = found.tickets.filter((ticket) => !ticket.cancelled)
  return {
    event: { id: event.id, title: event.title },
    order: {
      code: order.code,
      buyerName: order.buyerName,
      statusLabel: t(ORDER_STATUS_MESSAGES[order.status]),
      methodLabel: t(methodLabelKey(order.paymentMethod)),
      total: format(order.totalMinor),
      pending: awaitsPayment(order.status),
      closed: !holdsCapacity(order.status),
      refundable: refundable.leftMinor > 0 ? format(refundable.leftMinor) : null,
      byHand: refundable.byHand,
    },
    tickets: found.tickets.map((ticket) => ({
      id: ticket.id,
      field: ticketField(ticket.id),
      code: ticket.doorCode,
      typeName: ticket.ticketTypeName,
      price: format(ticket.priceMinor),
      seat: ticket.seat,
      state: ticket.cancelled ? 'cancelled' : ticket.used ? 'checked-in' : 'open',
      checked: form.values.tickets.includes(ticket.id),
    })),
    values: form.values,
    errors: form.errors,
    review:
      form.refundMinor === undefined
        ? null
        : {
            tickets: chosen.map((ticket) => ({ code: ticket.doorCode, typeName: ticket.ticketTypeName, price: format(ticket.priceMinor) })),
            refund: form.refundMinor > 0 ? format(form.refundMinor) : null,
            amountInput: minorToInput(money(form.refundMinor, order.currency)),
            newTotal: format(order.totalMinor - chosen.reduce((sum, ticket) => sum + ticket.priceMinor, 0)),
            wholeOrder: chosen.length === standing.length,
          },
  }
}

function ticketField(ticketId: number): string {
  return `${TICKET_FIELD}${ticketId}`
}
