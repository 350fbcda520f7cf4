import { formatDateTime } from '../../lib/format.js'

/**
 * Why an organiser's change of an event or a ticket type was refused:
 * reasons with their parameters, plain data, and the English words for each
 * in one function, eventRefusalText.
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

export function eventRefusalText(reason: EventRefusal | EventFieldReason): string {
  switch (reason.code) {
    case 'publish-cancelled':
      return 'This event is cancelled and cannot be published again.'
    case 'already-public':
      return 'This event is already public. Unpublish it first to hide it until a later date.'
    case 'ends-before-publication':
      return 'This event ends before that moment, so it could never go on sale. Choose an earlier moment.'
    case 'no-ticket-types':
      return 'Add at least one ticket type before publishing.'
    case 'not-published':
      return 'Only a published or scheduled event can be unpublished.'
    case 'already-cancelled':
      return 'This event is already cancelled.'
    case 'has-orders':
      return `This event has ${reason.orders === 1 ? 'an order' : `${reason.orders} orders`}, so it cannot be deleted. Cancel it instead: its buyers keep a record of what happened.`
    case 'type-ordered':
      return `${reason.ticketType} has been ordered (${reason.tickets} ${reason.tickets === 1 ? 'ticket' : 'tickets'}), so it cannot be deleted. To stop selling it, lower its capacity to what is sold.`
    case 'last-ticket-type':
      return 'A published event needs at least one ticket type. Add another first, or unpublish the event.'
    case 'on-sale-after-end':
      return 'In this time zone the event would go on sale only after this end. Choose a later end, or another time zone.'
    case 'sales-cut-off': {
      const when =
        reason.salesEndAt !== null
          ? `run until ${formatDateTime(reason.salesEndAt, reason.timeZone)}`
          : `start ${formatDateTime(reason.salesStartAt!, reason.timeZone)}`
      return `Sales of “${reason.ticketType}” ${when}, after this end. Change them first, or choose a later end.`
    }
    case 'capacity-below-taken': {
      const [tickets, capacity] = reason.of === 'event' ? ['tickets are', 'the capacity'] : ['tickets of this type are', 'its capacity']
      const heldToo = reason.held > 0 ? ` and ${reason.held} held for offers to the waiting list` : ''
      return `${reason.sold} ${tickets} already sold${heldToo}, so ${capacity} cannot be lower than ${reason.sold + reason.held}.`
    }
    case 'name-taken':
      return `This event already has a ticket type called “${reason.name}”. Give this one a name of its own.`
  }
}
