import type { Translate } from '../../i18n/translate.js'
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

export function eventRefusalText(t: Translate, reason: EventRefusal | EventFieldReason): string {
  switch (reason.code) {
    case 'publish-cancelled':
      return t('refusal.event.publishCancelled')
    case 'already-public':
      return t('refusal.event.alreadyPublic')
    case 'ends-before-publication':
      return t('refusal.event.endsBeforePublication')
    case 'no-ticket-types':
      return t('refusal.event.noTicketTypes')
    case 'not-published':
      return t('refusal.event.notPublished')
    case 'already-cancelled':
      return t('refusal.event.alreadyCancelled')
    case 'has-orders':
      return t('refusal.event.hasOrders', { orders: reason.orders })
    case 'type-ordered':
      return t('refusal.event.typeOrdered', { ticketType: reason.ticketType, tickets: reason.tickets })
    case 'last-ticket-type':
      return t('refusal.event.lastTicketType')
    case 'on-sale-after-end':
      return t('refusal.event.onSaleAfterEnd')
    case 'sales-cut-off':
      return reason.salesEndAt !== null
        ? t('refusal.event.salesRunPastEnd', {
            ticketType: reason.ticketType,
            salesEnd: formatDateTime(reason.salesEndAt, reason.timeZone),
          })
        : t('refusal.event.salesStartAfterEnd', {
            ticketType: reason.ticketType,
            salesStart: formatDateTime(reason.salesStartAt!, reason.timeZone),
          })
    case 'capacity-below-taken':
      return t(reason.of === 'event' ? 'refusal.event.capacityBelowSold' : 'refusal.event.typeCapacityBelowSold', {
        sold: reason.sold,
        held: reason.held,
        least: reason.sold + reason.held,
      })
    case 'name-taken':
      return t('refusal.event.nameTaken', { name: reason.name })
  }
}
