import type { Db, Trx } from '../../db/database.js'
import type { OrderRow } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import { type Message, type Translate, say } from '../../i18n/translate.js'
import { type AuditEntry, recordAudit } from '../audit/audit.repository.js'
import type { Event } from '../events/event.model.js'
import { lockEvent } from '../events/event.repository.js'
import { offerFreedCapacity } from '../offers/offers.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { OrderCheckedIn } from './order.errors.js'
import { TICKET_WAS_USED, canMove } from './order.states.js'
import { releaseOrders, transitionOrder } from './order.writes.js'

/** Why the buyer may not cancel an order. */
export type CancellationRefusal = { code: 'event-cancelled' } | { code: 'checked-in' } | { code: 'event-started' } | { code: 'not-allowed' }

/** Whether the buyer may cancel an order now, and if not, why (null when there is nothing to say: it is cancelled already). */
export type Cancellation = { allowed: true } | { allowed: false; reason: CancellationRefusal | null }

const CANCELLATION_REFUSAL_WORDS: Record<CancellationRefusal['code'], MessageKey> = {
  'event-cancelled': 'refusal.cancellation.eventCancelled',
  'checked-in': 'refusal.cancellation.checkedIn',
  'event-started': 'refusal.cancellation.eventStarted',
  'not-allowed': 'refusal.cancellation.notAllowed',
}

/** Why the buyer may not cancel, as a message to say now or later (a flash after the cancel form). */
export function cancellationRefusalMessage(reason: CancellationRefusal): Message {
  return { key: CANCELLATION_REFUSAL_WORDS[reason.code] }
}

/** The words for why the buyer may not cancel, as the order page says them. */
export function cancellationRefusalText(t: Translate, reason: CancellationRefusal): string {
  return say(t, cancellationRefusalMessage(reason))
}

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
  if (!canMove(order.status, 'cancelled')) return { allowed: false, reason: null }
  if (event.status === 'cancelled') return { allowed: false, reason: { code: 'event-cancelled' } }
  if (tickets.some((ticket) => ticket.used)) return { allowed: false, reason: { code: 'checked-in' } }
  if (event.startsAt <= now) return { allowed: false, reason: { code: 'event-started' } }
  if (!event.allowBuyerCancellation) return { allowed: false, reason: { code: 'not-allowed' } }
  return { allowed: true }
}

/**
 * Cancels an order and gives its tickets back, in one transaction with its
 * audit entry. The event row is locked first, as a purchase and the
 * organiser's cancellation do, so none of them can deadlock with another; the
 * order is then moved with a conditional UPDATE, so cancelling twice (or
 * twice at once) gives the capacity back only once. Returns false when the
 * order was already cancelled. A check-in locks the order row too, so once
 * the move holds it, the tickets read next are all the check-ins there will
 * be: an order with a ticket used at the door is not cancelled (OrderCheckedIn).
 */
export async function cancelOrder(
  db: Db,
  order: { id: number; eventId: number; buyerEmail: string; locale: string },
  audit: AuditEntry,
  siteUrl: string,
  /** What else must commit with the cancellation, or not at all: its refund. */
  withIt?: (trx: Trx) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, order.eventId)
    return cancelOrderLocked(trx, order, audit, siteUrl, withIt)
  })
}

/**
 * cancelOrder's work, in the caller's transaction, which holds the event
 * row's lock: also the end of a cancellation of some tickets that leaves
 * none standing (src/features/orders/ticket-cancellation.ts).
 */
export async function cancelOrderLocked(
  trx: Trx,
  order: { id: number; buyerEmail: string; locale: string },
  audit: AuditEntry,
  siteUrl: string,
  withIt?: (trx: Trx) => Promise<void>,
): Promise<boolean> {
  const now = Date.now()
  const moved = await transitionOrder(trx, order.id, 'cancelled', now)
  if (!moved) return false
  const used = await trx.selectFrom('tickets').select('id').where('orderId', '=', order.id).where(TICKET_WAS_USED).executeTakeFirst()
  if (used) throw new OrderCheckedIn()
  await releaseOrders(trx, moved.eventId, [order.id])
  // The freed tickets go to the waiting list first, in this transaction: nobody can buy them in between.
  await offerFreedCapacity(trx, moved.eventId, now)
  await enqueueMail(trx, {
    kind: 'order-cancelled',
    to: order.buyerEmail,
    locale: order.locale,
    data: { orderId: order.id, siteUrl },
  })
  await recordAudit(trx, audit)
  await withIt?.(trx)
  return true
}
