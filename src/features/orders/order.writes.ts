import type { Insertable } from 'kysely'
import type { Db, Trx } from '../../db/database.js'
import type { OrderStatus, OrdersTable } from '../../db/schema.js'
import { searchText } from '../../lib/search.js'
import { giveBack } from '../capacity/capacity.js'
import { releaseSeatsOfOrders, releaseSeatsOfTickets } from '../seating/seating.repository.js'
import { type CodeHolding, giveUsesBack } from '../codes/code.uses.js'
import { placedState, statesBefore, ticketStandsCondition } from './order.states.js'

/**
 * The writes of an order's state, all of them: no other module sets
 * `orders.status` (test/foundation/architecture.test.ts checks it).
 */

const ORDERS_PER_STATEMENT = 1000

export type NewOrder = Omit<Insertable<OrdersTable>, 'status' | 'cancelledAt' | 'paidAt' | 'expiredAt'>

/** Writes a new order in the state orders are placed in: paid when nothing is to pay, else pending until its deadline. */
export async function insertOrder(trx: Trx, values: NewOrder, mustPay: boolean): Promise<{ id: number; code: string; accessKey: string }> {
  const status = placedState(mustPay)
  return trx
    .insertInto('orders')
    .values({ ...values, status, ...(status === 'paid' && { paidAt: values.createdAt }) })
    .returning(['id', 'code', 'accessKey'])
    .executeTakeFirstOrThrow()
}

/**
 * Moves one order to `to`, only from a state ORDER_TRANSITIONS allows: a
 * conditional UPDATE, so of two moves at once only one happens. Locks the
 * order row. Returns what it was moved from, or undefined when it was not
 * in such a state (moved already, or no such order).
 */
export async function transitionOrder(
  trx: Trx,
  orderId: number,
  to: OrderStatus,
  now: number,
): Promise<{ eventId: number; paymentMethod: string } | undefined> {
  return trx
    .updateTable('orders')
    .set(stampsOf(to, now))
    .where('id', '=', orderId)
    .where('status', 'in', statesBefore(to))
    .returning(['eventId', 'paymentMethod'])
    .executeTakeFirst()
}

/** The state and the moment it was reached, as a move writes them. */
function stampsOf(to: OrderStatus, now: number) {
  return {
    status: to,
    ...(to === 'cancelled' && { cancelledAt: now }),
    ...(to === 'paid' && { paidAt: now }),
    ...(to === 'expired' && { expiredAt: now }),
  }
}

/**
 * Lapses the event's unpaid orders whose deadline is past: a conditional
 * UPDATE, so of two settlements at once only one moves each order. Returns
 * those moved, with their buyers; the caller gives back what they held.
 */
export async function expireOverdueOrders(
  trx: Trx,
  eventId: number,
  now: number,
): Promise<{ id: number; code: string; buyerEmail: string; locale: string; siteUrl: string }[]> {
  return trx
    .updateTable('orders')
    .set(stampsOf('expired', now))
    .where('eventId', '=', eventId)
    .where('status', 'in', statesBefore('expired'))
    .where('paymentDeadline', '<=', now)
    .returning(['id', 'code', 'buyerEmail', 'locale', 'siteUrl'])
    .execute()
}

/** Moves every order of the event that may go to `to`; returns the ids of those moved, with their buyers. */
export async function transitionOrdersOfEvent(
  trx: Trx,
  eventId: number,
  to: OrderStatus,
  now: number,
): Promise<{ id: number; buyerEmail: string; locale: string }[]> {
  return trx
    .updateTable('orders')
    .set(stampsOf(to, now))
    .where('eventId', '=', eventId)
    .where('status', 'in', statesBefore(to))
    .returning(['id', 'buyerEmail', 'locale'])
    .execute()
}

/**
 * Gives back what orders that left a capacity-holding state held: their
 * seats, their tickets to the event's and the types' capacity, and the uses
 * of the codes they were placed with. The one release that every
 * cancellation (and, with payments, every expiry and refund) uses. The caller
 * holds the event row's lock and has just moved the orders out of a state
 * that holds capacity (holdsCapacity), into one that does not.
 */
export async function releaseOrders(trx: Trx, eventId: number, orderIds: number[]): Promise<void> {
  const ticketsByType = new Map<number, number>()
  const codes = new Map<number, CodeHolding>()
  const holding = (codeId: number) => codes.get(codeId) ?? codes.set(codeId, { tickets: 0, orders: 0 }).get(codeId)!
  // In slices: an event's cancellation may release more orders than one statement may name (SQLite binds at most 32,766 values).
  for (let start = 0; start < orderIds.length; start += ORDERS_PER_STATEMENT) {
    const slice = orderIds.slice(start, start + ORDERS_PER_STATEMENT)
    await releaseSeatsOfOrders(trx, slice)
    const counts = await trx
      .selectFrom('tickets')
      .select(['ticketTypeId', 'codeId', (eb) => eb.fn.countAll<number>().as('count')])
      .where('orderId', 'in', slice)
      // A ticket cancelled on its own gave its place back then (releaseTickets).
      .where(ticketStandsCondition)
      .groupBy(['ticketTypeId', 'codeId'])
      .execute()
    for (const row of counts) {
      ticketsByType.set(row.ticketTypeId, (ticketsByType.get(row.ticketTypeId) ?? 0) + Number(row.count))
      if (row.codeId !== null) holding(row.codeId).tickets += Number(row.count)
    }
    const coded = await trx
      .selectFrom('orders')
      .select(['codeId', (eb) => eb.fn.countAll<number>().as('count')])
      .where('id', 'in', slice)
      .where('codeId', 'is not', null)
      .groupBy('codeId')
      .execute()
    for (const row of coded) holding(row.codeId!).orders += Number(row.count)
  }
  await giveBack(trx, eventId, ticketsByType)
  await giveUsesBack(trx, codes, Date.now())
}

/** A ticket as cancelling it on its own reads it: what it held, and what it cost. */
export interface TicketCancelled {
  id: number
  ticketTypeId: number
  priceMinor: number
  /** The code that applied to it: counted per ticket, its use comes back. */
  codeId: number | null
}

/**
 * Cancels some standing tickets of one order on their own, keeping the rest
 * of it: a conditional UPDATE from standing (`conditional`; only a
 * concurrency test's control goes without), so that of two cancellations of
 * one ticket at the same moment only one cancels it. Returns the tickets it
 * cancelled; the caller gives back what they held (releaseTickets) and
 * lowers the order's total (lowerTotal).
 */
export async function cancelTicketsOfOrder(
  trx: Trx,
  orderId: number,
  ticketIds: number[],
  now: number,
  conditional = true,
): Promise<TicketCancelled[]> {
  if (ticketIds.length === 0) return []
  return trx
    .updateTable('tickets')
    .set({ cancelledAt: now })
    .where('orderId', '=', orderId)
    .where('id', 'in', ticketIds)
    .$if(conditional, (qb) => qb.where(ticketStandsCondition))
    .returning(['id', 'ticketTypeId', 'priceMinor', 'codeId'])
    .execute()
}

/**
 * Gives back what tickets cancelled on their own held: their seats, their
 * places in the event's and their types' capacity, and, counted per ticket,
 * their codes' uses (a code counted per order keeps its use while the order
 * stands). The caller holds the event row's lock and has just cancelled them
 * (cancelTicketsOfOrder).
 */
export async function releaseTickets(
  trx: Trx,
  eventId: number,
  tickets: Pick<TicketCancelled, 'id' | 'ticketTypeId' | 'codeId'>[],
): Promise<void> {
  await releaseSeatsOfTickets(
    trx,
    tickets.map((ticket) => ticket.id),
  )
  const byType = new Map<number, number>()
  const codes = new Map<number, CodeHolding>()
  for (const ticket of tickets) {
    byType.set(ticket.ticketTypeId, (byType.get(ticket.ticketTypeId) ?? 0) + 1)
    if (ticket.codeId !== null) codes.set(ticket.codeId, { tickets: (codes.get(ticket.codeId)?.tickets ?? 0) + 1, orders: 0 })
  }
  await giveBack(trx, eventId, byType)
  await giveUsesBack(trx, codes, Date.now())
}

/** Takes the price of tickets cancelled on their own off their order's total: what is due of an unpaid order, what a paid one is worth. */
export async function lowerTotal(trx: Trx, orderId: number, byMinor: number): Promise<void> {
  await trx
    .updateTable('orders')
    .set((eb) => ({ totalMinor: eb('totalMinor', '-', byMinor) }))
    .where('id', '=', orderId)
    .execute()
}

/** Locks the order row (a no-op UPDATE), as a cancellation's move does, and says its state under the lock. */
export async function lockOrder(trx: Trx, orderId: number): Promise<OrderStatus | undefined> {
  const row = await trx
    .updateTable('orders')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('id', '=', orderId)
    .returning('status')
    .executeTakeFirst()
  return row?.status
}

/**
 * Moves an unpaid order's deadline later (a new attempt to pay that needs the
 * hold to outlive it), only while it waits. Whether it moved. The event's
 * next_expiry_at stays as it was: no later than any deadline, it only makes
 * settle look once more than needed.
 */
export async function extendDeadline(db: Db | Trx, orderId: number, until: number): Promise<boolean> {
  const moved = await db
    .updateTable('orders')
    .set({ paymentDeadline: until })
    .where('id', '=', orderId)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(moved.numUpdatedRows) > 0
}

/**
 * Moves a standing ticket of the order to another type of its event (the
 * organiser's change, src/features/orders/ticket-move.ts), only from the type
 * it was read in: a conditional UPDATE, so that of two moves of one ticket at
 * once only one moves it. Its id, and so its door code, stay as they were.
 * Whether it moved; the caller has moved its place (moveBetweenTypes).
 */
export async function moveTicketToType(trx: Trx, orderId: number, ticketId: number, from: number, to: number): Promise<boolean> {
  const moved = await trx
    .updateTable('tickets')
    .set({ ticketTypeId: to })
    .where('id', '=', ticketId)
    .where('orderId', '=', orderId)
    .where('ticketTypeId', '=', from)
    .where(ticketStandsCondition)
    .executeTakeFirst()
  return Number(moved.numUpdatedRows) > 0
}

/**
 * Writes the buyer's corrected e-mail address on the order, and its folded
 * copy for the organiser's search. The caller holds the order row's lock
 * (lockOrder) and records the change in the audit log.
 */
export async function changeBuyerEmail(trx: Trx, orderId: number, email: string): Promise<void> {
  const order = await trx.selectFrom('orders').select(['code', 'buyerName']).where('id', '=', orderId).executeTakeFirstOrThrow()
  await trx
    .updateTable('orders')
    .set({ buyerEmail: email, searchText: searchText(order.code, order.buyerName, email) })
    .where('id', '=', orderId)
    .execute()
}
