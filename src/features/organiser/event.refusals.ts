import { type Message, type Translate, say } from '../../i18n/translate.js'
import { formatDateTime } from '../../lib/format.js'

/**
 * Why an organiser's change of an event or a ticket type was refused:
 * reasons with their parameters, plain data, and their words, in the
 * catalogue (src/i18n/en/refusals.ts), said by one function, eventRefusalText.
 */

/** A refusal of the change as a whole (publish, unpublish, cancel, delete). */
export type EventRefusal =
  | { code: 'publish-cancelled' }
  | { code: 'already-public' }
  | { code: 'ends-before-publication' }
  | { code: 'no-ticket-types' }
  | { code: 'not-published' }
  | { code: 'already-cancelled' }
  | { code: 'has-orders'; orders: number }
  | { code: 'type-ordered'; ticketType: string; tickets: number }
  | { code: 'type-has-codes'; ticketType: string; codes: string[] }
  | { code: 'last-ticket-type' }

/** A refusal that one field of the form answers for. */
export type EventFieldReason =
  | { code: 'on-sale-after-end' }
  /** A type's sales would run past the new end (`salesEndAt`), or start after it (`salesStartAt`, with `salesEndAt` null). */
  | { code: 'sales-cut-off'; ticketType: string; salesStartAt: number | null; salesEndAt: number | null; timeZone: string }
  | { code: 'capacity-below-taken'; of: 'event' | 'ticket-type'; sold: number; held: number }
  | { code: 'name-taken'; name: string }

/** A refusal that belongs to one field of the form sent: the form comes back with its words there. */
export interface FieldRefusal<Field extends string = string> {
  field: Field
  reason: EventFieldReason
}

export function eventRefusalMessage(reason: EventRefusal | EventFieldReason): Message {
  switch (reason.code) {
    case 'publish-cancelled':
      return { key: 'refusal.event.publishCancelled' }
    case 'already-public':
      return { key: 'refusal.event.alreadyPublic' }
    case 'ends-before-publication':
      return { key: 'refusal.event.endsBeforePublication' }
    case 'no-ticket-types':
      return { key: 'refusal.event.noTicketTypes' }
    case 'not-published':
      return { key: 'refusal.event.notPublished' }
    case 'already-cancelled':
      return { key: 'refusal.event.alreadyCancelled' }
    case 'has-orders':
      return { key: 'refusal.event.hasOrders', params: { orders: reason.orders } }
    case 'type-ordered':
      return { key: 'refusal.event.typeOrdered', params: { ticketType: reason.ticketType, tickets: reason.tickets } }
    case 'type-has-codes':
      return { key: 'codes.refusal.typeHasCodes', params: { ticketType: reason.ticketType, codes: reason.codes.join(', ') } }
    case 'last-ticket-type':
      return { key: 'refusal.event.lastTicketType' }
    case 'on-sale-after-end':
      return { key: 'refusal.event.onSaleAfterEnd' }
    case 'sales-cut-off':
      return reason.salesEndAt !== null
        ? {
            key: 'refusal.event.salesRunPastEnd',
            params: {
              ticketType: reason.ticketType,
              salesEnd: formatDateTime(reason.salesEndAt, reason.timeZone),
            },
          }
        : {
            key: 'refusal.event.salesStartAfterEnd',
            params: {
              ticketType: reason.ticketType,
              salesStart: formatDateTime(reason.salesStartAt!, reason.timeZone),
            },
          }
    case 'capacity-below-taken':
      return {
        key: reason.of === 'event' ? 'refusal.event.capacityBelowSold' : 'refusal.event.typeCapacityBelowSold',
        params: {
          sold: reason.sold,
          held: reason.held,
          least: reason.sold + reason.held,
        },
      }
    case 'name-taken':
      return { key: 'refusal.event.nameTaken', params: { name: reason.name } }
  }
}

/** The words of a refusal, as the page or the form says them. */
export function eventRefusalText(t: Translate, reason: EventRefusal | EventFieldReason): string {
  return say(t, eventRefusalMessage(reason))
}
