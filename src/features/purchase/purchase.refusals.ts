/**
 * Why a purchase is refused: reasons with their parameters, plain data (they
 * travel in the refusal cookie), and the English words for each in one
 * function, purchaseRefusalText. A new refusal is a new case here; the
 * compiler then asks for its words.
 */
import { formatDateTime } from '../../lib/format.js'
import { type OfferRefusal, offerRefusalText } from '../offers/offers.js'

/** What stands in the way of one ticket type of the order; several may be said at once. */
export type TicketTypeProblem =
  | { code: 'type-gone' }
  | { code: 'sales-not-started'; ticketType: string; salesStartAt: number; timeZone: string }
  | { code: 'sales-ended'; ticketType: string }
  | { code: 'over-type-limit'; ticketType: string; max: number }
  | { code: 'sold-out'; ticketType: string }
  | { code: 'few-left'; ticketType: string; asked: number; left: number }

export type PurchaseRefusal =
  | { code: 'no-tickets' }
  | { code: 'over-order-limit'; max: number }
  | { code: 'order-too-large' }
  | { code: 'event-unavailable' }
  | { code: 'event-cancelled' }
  | { code: 'event-over' }
  | { code: 'event-sold-out' }
  | { code: 'event-few-left'; left: number }
  | { code: 'ticket-types'; problems: TicketTypeProblem[] }
  | { code: 'tickets-unavailable' }
  | { code: 'form-used' }
  | { code: 'over-offer'; quantity: number }
  | { code: 'offer-link-invalid' }
  | OfferRefusal
  | { code: 'over-buyer-orders'; max: number }
  | { code: 'over-buyer-tickets'; max: number }

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many)

/** The words for a refusal, as the buyer reads them on /purchase/fail or the form. */
export function purchaseRefusalText(reason: PurchaseRefusal): string {
  switch (reason.code) {
    case 'no-tickets':
      return 'Choose at least one ticket.'
    case 'over-order-limit':
      return `One order may hold at most ${reason.max} tickets.`
    case 'order-too-large':
      return 'This order is larger than one order may be. Please buy fewer tickets at a time.'
    case 'event-unavailable':
      return 'This event is not available.'
    case 'event-cancelled':
      return 'This event has been cancelled, so tickets are no longer sold.'
    case 'event-over':
      return 'This event is over, so tickets are no longer sold.'
    case 'event-sold-out':
      return 'This event is sold out.'
    case 'event-few-left':
      return `Only ${reason.left} ${plural(reason.left, 'ticket is', 'tickets are')} left for this event.`
    case 'ticket-types':
      return reason.problems.map(ticketTypeProblemText).join(' ')
    case 'tickets-unavailable':
      return 'The tickets you chose are no longer available.'
    case 'form-used':
      return 'This form was already used to place an order. Open the event again to buy tickets.'
    case 'over-offer':
      return `This offer holds ${reason.quantity} ${plural(reason.quantity, 'ticket', 'tickets')} of one type: buy up to that many of it.`
    case 'offer-link-invalid':
      return 'This offer link is not valid. It may have been copied incompletely.'
    case 'offer-used':
    case 'offer-expired':
    case 'offer-given-up':
    case 'offer-closed':
      return offerRefusalText(reason)
    case 'over-buyer-orders':
      return `Each buyer may place at most ${reason.max} ${plural(reason.max, 'order', 'orders')} for this event, and the email address you gave has reached that.`
    // Says neither the address's count nor what is left: anyone may type an address and would learn what its owner bought.
    case 'over-buyer-tickets':
      return `Each buyer may have at most ${reason.max} tickets for this event, counting earlier orders with the same email address. This order would go past that.`
  }
}

function ticketTypeProblemText(problem: TicketTypeProblem): string {
  switch (problem.code) {
    case 'type-gone':
      return 'One of the ticket types you chose is no longer offered.'
    case 'sales-not-started':
      return `${problem.ticketType}: sales start ${formatDateTime(problem.salesStartAt, problem.timeZone)}.`
    case 'sales-ended':
      return `${problem.ticketType}: sales have ended.`
    case 'over-type-limit':
      return `${problem.ticketType}: at most ${problem.max} per order.`
    case 'sold-out':
      return `${problem.ticketType} is sold out.`
    case 'few-left':
      return `${problem.ticketType}: you asked for ${problem.asked}, only ${problem.left} ${plural(problem.left, 'is', 'are')} left.`
  }
}

// Every code, so that a reason read back is checked against them (and a new one cannot be left out).
const CODES: Record<PurchaseRefusal['code'], true> = {
  'no-tickets': true,
  'over-order-limit': true,
  'order-too-large': true,
  'event-unavailable': true,
  'event-cancelled': true,
  'event-over': true,
  'event-sold-out': true,
  'event-few-left': true,
  'ticket-types': true,
  'tickets-unavailable': true,
  'form-used': true,
  'over-offer': true,
  'offer-link-invalid': true,
  'offer-used': true,
  'offer-expired': true,
  'offer-given-up': true,
  'offer-closed': true,
  'over-buyer-orders': true,
  'over-buyer-tickets': true,
}

/** A reason read back (from our own signed cookie): one of ours, or undefined (a cookie from before reasons held a sentence). */
export function asPurchaseRefusal(value: unknown): PurchaseRefusal | undefined {
  const code = (value as { code?: unknown } | null)?.code
  return typeof code === 'string' && Object.hasOwn(CODES, code) ? (value as PurchaseRefusal) : undefined
}
