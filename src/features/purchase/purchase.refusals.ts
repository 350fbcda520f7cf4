/**
 * Why a purchase is refused: reasons with their parameters, plain data (they
 * travel in the refusal cookie), and their words, in the catalogue
 * (src/i18n/en/refusals.ts), said by one function, purchaseRefusalText. A new
 * refusal is a new case here; the compiler then asks for its words.
 */
import type { Translate } from '../../i18n/translate.js'
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

/** The words for a refusal, as the buyer reads them on /purchase/fail or the form. */
export function purchaseRefusalText(t: Translate, reason: PurchaseRefusal): string {
  switch (reason.code) {
    case 'no-tickets':
      return t('refusal.purchase.noTickets')
    case 'over-order-limit':
      return t('refusal.purchase.overOrderLimit', { max: reason.max })
    case 'order-too-large':
      return t('refusal.purchase.orderTooLarge')
    case 'event-unavailable':
      return t('refusal.purchase.eventUnavailable')
    case 'event-cancelled':
      return t('refusal.purchase.eventCancelled')
    case 'event-over':
      return t('refusal.purchase.eventOver')
    case 'event-sold-out':
      return t('refusal.purchase.eventSoldOut')
    case 'event-few-left':
      return t('refusal.purchase.eventFewLeft', { left: reason.left })
    case 'ticket-types':
      return reason.problems.map((problem) => ticketTypeProblemText(t, problem)).join(' ')
    case 'tickets-unavailable':
      return t('refusal.purchase.ticketsUnavailable')
    case 'form-used':
      return t('refusal.purchase.formUsed')
    case 'over-offer':
      return t('refusal.purchase.overOffer', { quantity: reason.quantity })
    case 'offer-link-invalid':
      return t('refusal.purchase.offerLinkInvalid')
    case 'offer-used':
    case 'offer-expired':
    case 'offer-given-up':
    case 'offer-closed':
      return offerRefusalText(t, reason)
    case 'over-buyer-orders':
      return t('refusal.purchase.overBuyerOrders', { max: reason.max })
    // Says neither the address's count nor what is left: anyone may type an address and would learn what its owner bought.
    case 'over-buyer-tickets':
      return t('refusal.purchase.overBuyerTickets', { max: reason.max })
  }
}

function ticketTypeProblemText(t: Translate, problem: TicketTypeProblem): string {
  switch (problem.code) {
    case 'type-gone':
      return t('refusal.ticketType.gone')
    case 'sales-not-started':
      return t('refusal.ticketType.salesNotStarted', {
        ticketType: problem.ticketType,
        salesStart: formatDateTime(problem.salesStartAt, problem.timeZone),
      })
    case 'sales-ended':
      return t('refusal.ticketType.salesEnded', { ticketType: problem.ticketType })
    case 'over-type-limit':
      return t('refusal.ticketType.overTypeLimit', { ticketType: problem.ticketType, max: problem.max })
    case 'sold-out':
      return t('refusal.ticketType.soldOut', { ticketType: problem.ticketType })
    case 'few-left':
      return t('refusal.ticketType.fewLeft', { ticketType: problem.ticketType, asked: problem.asked, left: problem.left })
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
