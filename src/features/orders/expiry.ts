import type { Db, Trx } from '../../db/database.js'
import { recordAudit } from '../audit/audit.repository.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { expireOverdueOrders, releaseOrders } from './order.writes.js'

/**
 * Unpaid orders lapse here, lazily, as waiting-list offers do: no job runs at
 * their deadline. settle (src/features/upkeep/settle.ts) calls this for an
 * event when its next_expiry_at is due, under the event row's lock; the
 * orders move with a conditional UPDATE, so an order lapses once however many
 * settle at the same moment, and a payment confirmed under the same lock
 * (src/features/payments/confirm.ts) sees either a pending order or an
 * expired one, never half of each.
 */

/** Whether the event may have an unpaid order past its deadline (its next_expiry_at is due). */
export function expiryDue(event: { nextExpiryAt: number | null }, now: number): boolean {
  return event.nextExpiryAt !== null && event.nextExpiryAt <= now
}

/**
 * Lapses the event's overdue unpaid orders and gives their tickets and seats
 * back (the caller then offers them to the waiting list first), each buyer
 * told; then sets the event's next_expiry_at to the next deadline. Whether
 * any order lapsed.
 */
export async function expireOverdue(trx: Trx, eventId: number, now: number): Promise<boolean> {
  const expired = await expireOverdueOrders(trx, eventId, now)
  if (expired.length > 0) {
    const ids = expired.map((order) => order.id)
    await rememberSeats(trx, ids)
    await releaseOrders(trx, eventId, ids)
    await enqueueMail(
      trx,
      expired.map((order) => ({
        kind: 'order-expired',
        to: order.buyerEmail,
        locale: order.locale,
        data: { orderId: order.id, siteUrl: order.siteUrl },
      })),
    )
    await recordAudit(trx, {
      actorId: null,
      actorLabel: 'system',
      action: 'order.expired',
      subjectType: 'event',
      subjectId: eventId,
      details: { orders: expired.map((order) => order.code) },
      ip: null,
    })
  }
  await trx
    .updateTable('events')
    .set((eb) => ({
      nextExpiryAt: eb
        .selectFrom('orders')
        .select((inner) => inner.fn.min<number>('paymentDeadline').as('next'))
        .where('orders.eventId', '=', eventId)
        .where('orders.status', '=', 'pending')
        .where('orders.paymentDeadline', 'is not', null),
    }))
    .where('id', '=', eventId)
    .execute()
  return expired.length > 0
}

/** The events with an unpaid order that may be past its deadline. */
export async function eventsWithExpiryDue(db: Db, now: number): Promise<number[]> {
  const rows = await db.selectFrom('events').select('id').where('nextExpiryAt', '<=', now).execute()
  return rows.map((row) => row.id)
}

/**
 * Keeps the seat each ticket had, before the release frees it: a payment that
 * arrives late books the same seats again when they are still free.
 */
async function rememberSeats(trx: Trx, orderIds: number[]): Promise<void> {
  await trx
    .updateTable('tickets')
    .set((eb) => ({
      lapsedSeatId: eb.selectFrom('seatBookings').select('seatBookings.seatId').whereRef('seatBookings.ticketId', '=', 'tickets.id'),
    }))
    .where('orderId', 'in', orderIds)
    .execute()
}
