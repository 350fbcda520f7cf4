import type { OrderRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'

/** Whether the buyer may cancel an order now, and if not, why (null when there is nothing to say: it is cancelled already). */
export type Cancellation = { allowed: true } | { allowed: false; reason: string | null }

export const CHECKED_IN_REASON = 'A ticket of this order has been used at the door, so the order can no longer be cancelled.'

/**
 * The buyer's cancellation rule, in one place for the order page and the
 * cancel routes: a paid order of an event that is not cancelled, before it
 * starts, none of whose tickets has been used at the door, when the organiser allows it.
 */
export function cancellation(
  order: Pick<OrderRow, 'status'>,
  event: Pick<Event, 'status' | 'startsAt' | 'allowBuyerCancellation'>,
  tickets: { used: boolean }[],
  now = Date.now(),
): Cancellation {
  if (order.status === 'cancelled') return { allowed: false, reason: null }
  if (event.status === 'cancelled') return { allowed: false, reason: 'The organiser cancelled this event.' }
  if (tickets.some((ticket) => ticket.used)) return { allowed: false, reason: CHECKED_IN_REASON }
  if (event.startsAt <= now) return { allowed: false, reason: 'The event has started, so this order can no longer be cancelled.' }
  if (!event.allowBuyerCancellation)
    return { allowed: false, reason: 'The organiser does not allow buyers to cancel orders for this event.' }
  return { allowed: true }
}
