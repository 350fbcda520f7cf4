/**
 * The one writer of `sold` and `held`, on events and on ticket types: what
 * is taken of a capacity. Every function runs in a transaction that holds the
 * event row's lock already (lockEvent, or the first UPDATE of the event row
 * here), and writes the event row first, then its ticket types in id order:
 * the same lock order everywhere, so that no two changes can deadlock. Seats
 * come after all of these (src/features/seating).
 *
 * Taking and holding are guarded UPDATEs (`sold + held + n <= capacity`, the
 * SQL twins in src/features/events/event.rules.ts), so held and sold tickets
 * together never exceed a capacity, whatever runs at the same moment.
 */
import type { Trx } from '../../db/database.js'
import { eventHasRoomFor, inSalesWindowCondition, onSaleCondition, ticketTypeHasRoomFor } from '../events/event.rules.js'

/** How many tickets a change takes, and how many of them come out of what is held (a claimed offer). */
export interface Taking {
  quantity: number
  fromHold: number
}

/** What a sale takes of the event: its tickets, and the deadline of an unpaid order, until which they are only held (null: they are sold). */
export interface EventTaking extends Taking {
  heldUntil?: number | null
}

/**
 * The conditions of the guarded UPDATEs, as one seam: the concurrency tests'
 * control swaps them for conditions that always hold (check-then-act) to
 * show the tests catch an oversell.
 */
export interface RoomRules {
  eventHasRoomFor: typeof eventHasRoomFor
  ticketTypeHasRoomFor: typeof ticketTypeHasRoomFor
}

export const GUARDED_ROOM: RoomRules = { eventHasRoomFor, ticketTypeHasRoomFor }

/**
 * What a sale's UPDATE of a ticket type checks besides the room: the type's
 * sales window and its per-order limit, the online shop's rules. The box
 * office may sell past them (src/features/purchase, its channel's rules);
 * the room is checked always.
 */
export interface SaleLimits {
  salesWindows: boolean
  perOrder: boolean
}

export const SHOP_LIMITS: SaleLimits = { salesWindows: true, perOrder: true }

/**
 * Takes tickets of the event's overall capacity for a sale, while the event
 * is on sale at `now`, and locks its row: the first write of a purchase to the
 * hot rows. Returns the event's per-buyer caps, or undefined when the guard
 * refused (sold out, or no longer on sale).
 */
async function takeFromEvent(trx: Trx, eventId: number, taking: EventTaking, now: number, room: RoomRules = GUARDED_ROOM) {
  const until = taking.heldUntil ?? null
  return trx
    .updateTable('events')
    .set((eb) => ({
      sold: eb('sold', '+', taking.quantity),
      held: eb('held', '-', taking.fromHold),
      // An unpaid order's deadline, in the same statement: settle then knows when the first hold may lapse.
      // eb.val: a parameter, not a literal in the SQL text, which would make every purchase a new statement to prepare.
      ...(until !== null && {
        nextExpiryAt: eb
          .case()
          .when('nextExpiryAt', 'is', null)
          .then(eb.val(until))
          .when('nextExpiryAt', '>', until)
          .then(eb.val(until))
          .else(eb.ref('nextExpiryAt'))
          .end(),
      }),
    }))
    .where('id', '=', eventId)
    .where(onSaleCondition(now))
    .where(room.eventHasRoomFor(taking.quantity - taking.fromHold))
    .returning(['maxTicketsPerBuyer', 'maxOrdersPerBuyer'])
    .executeTakeFirst()
}

/**
 * Takes tickets of one type for a sale, at the price the buyer saw, within
 * the type's per-order limit and sales window (those the sale keeps). False
 * when the guard refused.
 */
async function takeFromType(
  trx: Trx,
  eventId: number,
  ticketTypeId: number,
  taking: Taking,
  expected: { priceMinor: number },
  now: number,
  room: RoomRules = GUARDED_ROOM,
  limits: SaleLimits = SHOP_LIMITS,
): Promise<boolean> {
  const taken = await trx
    .updateTable('ticketTypes')
    .set((eb) => ({ sold: eb('sold', '+', taking.quantity), held: eb('held', '-', taking.fromHold) }))
    .where('id', '=', ticketTypeId)
    .where('eventId', '=', eventId)
    .where('priceMinor', '=', expected.priceMinor)
    .$if(limits.perOrder, (qb) => qb.where('maxPerOrder', '>=', taking.quantity))
    .$if(limits.salesWindows, (qb) => qb.where(inSalesWindowCondition(now)))
    .where(room.ticketTypeHasRoomFor(taking.quantity - taking.fromHold))
    .executeTakeFirst()
  return Number(taken.numUpdatedRows) > 0
}

/** One ticket type of an order, as capacity takes it: how many, how many of them held already, at the price the buyer saw. */
export interface TypeTaking {
  ticketTypeId: number
  taking: Taking
  priceMinor: number
}

/** The organiser's caps on one buyer, read from the event row as it is locked. */
export interface BuyerCaps {
  maxTicketsPerBuyer: number | null
  maxOrdersPerBuyer: number | null
}

/**
 * The lock order of an order, written once: the event row (its overall
 * capacity and status), then what must be decided under its lock alone (an
 * offer's claim, the per-buyer caps), then its ticket types in id order; what
 * later features take (a code's uses, a payment's hold) goes after the types;
 * seats come last. The same order everywhere means no two changes deadlock.
 * False when a guard refused; the caller's transaction then rolls back.
 */
export async function takeInLockOrder(
  trx: Trx,
  eventId: number,
  order: { event: EventTaking; lines: TypeTaking[]; limits?: SaleLimits },
  now: number,
  room: RoomRules,
  steps: {
    underEventLock: (caps: BuyerCaps) => Promise<void>
    /** After the types: a code's uses (src/features/codes), which throws when it refuses. */
    afterTypes?: () => Promise<void>
    seats?: () => Promise<void>
  },
): Promise<boolean> {
  const caps = await takeFromEvent(trx, eventId, order.event, now, room)
  if (!caps) return false
  await steps.underEventLock(caps)
  for (const line of [...order.lines].sort((a, b) => a.ticketTypeId - b.ticketTypeId)) {
    const taken = await takeFromType(trx, eventId, line.ticketTypeId, line.taking, { priceMinor: line.priceMinor }, now, room, order.limits)
    if (!taken) return false
  }
  await steps.afterTypes?.()
  await steps.seats?.()
  return true
}

/**
 * Takes again the tickets of an order that lapsed, for a payment that
 * arrived after its deadline: through the same room guards as a sale, but
 * not the sale's window, price or per-order limit, which the buyer met when
 * they ordered (they have paid); never for a cancelled event. The caller
 * holds the event row's lock. False when any guard refused, with nothing
 * taken: what was taken before the refusal is given back at once.
 */
export async function retake(
  trx: Trx,
  eventId: number,
  ticketsByType: Map<number, number>,
  room: RoomRules = GUARDED_ROOM,
): Promise<boolean> {
  const total = [...ticketsByType.values()].reduce((sum, count) => sum + count, 0)
  const event = await trx
    .updateTable('events')
    .set((eb) => ({ sold: eb('sold', '+', total) }))
    .where('id', '=', eventId)
    .where('status', '!=', 'cancelled')
    .where(room.eventHasRoomFor(total))
    .executeTakeFirst()
  if (Number(event.numUpdatedRows) === 0) return false
  const taken = new Map<number, number>()
  for (const [ticketTypeId, count] of [...ticketsByType].sort(([a], [b]) => a - b)) {
    const type = await trx
      .updateTable('ticketTypes')
      .set((eb) => ({ sold: eb('sold', '+', count) }))
      .where('id', '=', ticketTypeId)
      .where(room.ticketTypeHasRoomFor(count))
      .executeTakeFirst()
    if (Number(type.numUpdatedRows) === 0) {
      // The event took them all, the types before this one theirs: all given back, under the same lock.
      await trx
        .updateTable('events')
        .set((eb) => ({ sold: eb('sold', '-', total) }))
        .where('id', '=', eventId)
        .execute()
      for (const [takenTypeId, takenCount] of taken) {
        await trx
          .updateTable('ticketTypes')
          .set((eb) => ({ sold: eb('sold', '-', takenCount) }))
          .where('id', '=', takenTypeId)
          .execute()
      }
      return false
    }
    taken.set(ticketTypeId, count)
  }
  return true
}

/**
 * Moves one sold ticket's place from one type of the event to another (the
 * organiser moving a ticket, src/features/orders/ticket-move.ts): one place
 * taken of `to` through its room guard and at the price given, one given back
 * to `from`, the types written in id order. The event's own count does not
 * change: the ticket leaves one type as it arrives in the other. The sale's
 * window and per-order limit are not asked: they say what the public may buy
 * and when, and the organiser is placing a ticket sold already. The caller
 * holds the event row's lock. False when `to` has no room (or no longer this
 * price); the caller's transaction then rolls back what was given back.
 */
export async function moveBetweenTypes(
  trx: Trx,
  eventId: number,
  from: number,
  to: { id: number; priceMinor: number },
  room: RoomRules = GUARDED_ROOM,
): Promise<boolean> {
  const take = async () => {
    const taken = await trx
      .updateTable('ticketTypes')
      .set((eb) => ({ sold: eb('sold', '+', 1) }))
      .where('id', '=', to.id)
      .where('eventId', '=', eventId)
      .where('priceMinor', '=', to.priceMinor)
      .where(room.ticketTypeHasRoomFor(1))
      .executeTakeFirst()
    return Number(taken.numUpdatedRows) > 0
  }
  const giveBackOne = () => lessOf(trx, 'sold', eventId, new Map([[from, 1]]), { eventToo: false })
  if (from < to.id) {
    await giveBackOne()
    return take()
  }
  if (!(await take())) return false
  await giveBackOne()
  return true
}

/**
 * Gives sold tickets back: `sold` less, on the event and on each of its
 * ticket types. The one way back for a cancelled order (and, with payments,
 * an expired or refunded one).
 */
export async function giveBack(trx: Trx, eventId: number, ticketsByType: Map<number, number>): Promise<void> {
  await lessOf(trx, 'sold', eventId, ticketsByType)
}

/**
 * Holds tickets of one type for a waiting-list offer, through the same
 * guards as a sale. The amounts were read under the event's lock, so the
 * guards hold; should they not, the whole change rolls back rather than hold
 * what is not there.
 */
export async function hold(trx: Trx, eventId: number, ticketTypeId: number, quantity: number): Promise<void> {
  if (!(await holdIfRoom(trx, eventId, ticketTypeId, quantity))) {
    throw new Error(`waiting list: ${quantity} tickets of type ${ticketTypeId} do not fit beside what is sold and held`)
  }
}

/**
 * Holds tickets of one type (kept aside for a reserved code, or for a
 * waiting-list offer by hold), through the same guards as a sale; false,
 * with nothing held, when they do not fit beside what is sold and held. The
 * caller holds the event row's lock.
 */
export async function holdIfRoom(trx: Trx, eventId: number, ticketTypeId: number, quantity: number): Promise<boolean> {
  if (quantity === 0) return true
  const event = await trx
    .updateTable('events')
    .set((eb) => ({ held: eb('held', '+', quantity) }))
    .where('id', '=', eventId)
    .where(eventHasRoomFor(quantity))
    .executeTakeFirst()
  if (Number(event.numUpdatedRows) === 0) return false
  const type = await trx
    .updateTable('ticketTypes')
    .set((eb) => ({ held: eb('held', '+', quantity) }))
    .where('id', '=', ticketTypeId)
    .where('eventId', '=', eventId)
    .where(ticketTypeHasRoomFor(quantity))
    .executeTakeFirst()
  if (Number(type.numUpdatedRows) > 0) return true
  // The event took them, the type had no room: given back at once, under the same lock.
  await trx
    .updateTable('events')
    .set((eb) => ({ held: eb('held', '-', quantity) }))
    .where('id', '=', eventId)
    .execute()
  return false
}

/** Gives held tickets back to the pool (not yet to anyone): offers that ran out, were declined or removed; a reserved code's that ended. */
export async function releaseHeld(trx: Trx, eventId: number, heldByType: Map<number, number>): Promise<void> {
  await lessOf(trx, 'held', eventId, heldByType)
}

/** Ends every hold of the event at once (its waiting list closed with it); the caller closes the offers that held them. */
export async function releaseAllHolds(trx: Trx, eventId: number): Promise<void> {
  await trx.updateTable('events').set({ held: 0 }).where('id', '=', eventId).execute()
  await trx.updateTable('ticketTypes').set({ held: 0 }).where('eventId', '=', eventId).execute()
}

async function lessOf(
  trx: Trx,
  counter: 'sold' | 'held',
  eventId: number,
  byType: Map<number, number>,
  { eventToo = true }: { eventToo?: boolean } = {},
): Promise<void> {
  const total = [...byType.values()].reduce((sum, count) => sum + count, 0)
  if (total === 0) return
  if (eventToo)
    await trx
      .updateTable('events')
      .set((eb) => ({ [counter]: eb(counter, '-', total) }))
      .where('id', '=', eventId)
      .execute()
  for (const [ticketTypeId, count] of [...byType].sort(([a], [b]) => a - b)) {
    await trx
      .updateTable('ticketTypes')
      .set((eb) => ({ [counter]: eb(counter, '-', count) }))
      .where('id', '=', ticketTypeId)
      .execute()
  }
}
