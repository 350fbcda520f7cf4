/**
 * The organiser moves a ticket of an order to another ticket type of its
 * event, as pretix's "change order → change product" does, at the same price
 * only: nothing is paid or refunded, and the order's total stays. One
 * transaction, under the event row's lock and then the order row's, as a
 * cancellation, a check-in and a payment take them: the target type's place
 * is taken by a guarded UPDATE (`sold + held + 1 <= capacity`), the old
 * type's given back (to its waiting list first), the ticket moved by a
 * conditional UPDATE from the type it was read in, the buyer's mail queued
 * and the audit entry recorded with the type before and after. The event's
 * own count does not change: one ticket leaves a type as it arrives in the other.
 *
 * What the organiser may do that a buyer may not: the target type's sales
 * window and per-order limit are not asked. They say what the public may buy
 * and when; the organiser is placing a ticket sold already, and may well
 * move someone into a type whose sale has closed (a guest list, say). Its
 * capacity is asked, as it is of everything that takes a place.
 *
 * The door code (`<event>-<ticket>-<signature>`, src/lib/door-code.ts) names
 * the ticket, not its type, and the door reads the type when it scans: the
 * ticket keeps its code, the one the buyer holds still lets them in, and the
 * door shows the new type.
 *
 * Not moved: a ticket let in at the door (the person is inside on it; undo
 * the check-in first), and tickets or types on the seat map. A move of a
 * seated ticket would have to choose a seat of the other category under the
 * same lock; until that is built, the organiser cancels such a ticket and
 * sells one of the other type.
 */
import type { Db, Trx } from '../../db/database.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { recordAudit } from '../audit/audit.repository.js'
import { GUARDED_ROOM, type RoomRules, moveBetweenTypes } from '../capacity/capacity.js'
import { lockEvent } from '../events/event.repository.js'
import { offerFreedCapacity } from '../offers/offers.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { seatedTicketTypes } from '../seating/seating.repository.js'
import { TICKET_WAS_USED, holdsCapacity, ticketStands } from './order.states.js'
import { lockOrder, moveTicketToType } from './order.writes.js'
import type { OrderToChange } from './ticket-cancellation.js'

/** Why a ticket was not moved: nothing was. */
export type TicketMoveRefusal =
  /** A ticket that is not one of this order's (a form made by hand, or an old page of another order). */
  | { code: 'not-of-order' }
  | { code: 'ticket-cancelled' }
  /** Let in at the door, and not undone. */
  | { code: 'checked-in' }
  /** The ticket has a seat, or its type or the target is a category of the seat map. */
  | { code: 'seated' }
  | { code: 'same-type' }
  /** Not a ticket type of this event (deleted since, or a form made by hand). */
  | { code: 'no-such-type' }
  /** The target's price (in the site's currency now) is not what the ticket cost. */
  | { code: 'different-price' }
  /** The target type has no place left, beside what is sold and held for the waiting list. */
  | { code: 'full' }
  /** The order holds no tickets any more: it lapsed unpaid or was cancelled. */
  | { code: 'order-closed' }

export class TicketMoveRefused extends Error {
  constructor(readonly reason: TicketMoveRefusal) {
    super(`ticket move refused: ${reason.code}`)
  }
}

/** A ticket as a move reads it. */
export interface MovingTicket {
  id: number
  ticketTypeId: number
  priceMinor: number
  cancelled: boolean
  used: boolean
  /** It has a seat, or its type is a category of the seat map. */
  seated: boolean
}

/** A ticket type a ticket may be moved to, as a move reads it. */
export interface MoveTarget {
  id: number
  name: string
  priceMinor: number
  /** A category of the seat map. */
  seated: boolean
}

/** Why this ticket may not be moved at all, or null when it may. */
export function ticketMoveRefusal(ticket: MovingTicket): TicketMoveRefusal | null {
  if (ticket.cancelled) return { code: 'ticket-cancelled' }
  if (ticket.used) return { code: 'checked-in' }
  if (ticket.seated) return { code: 'seated' }
  return null
}

/**
 * Why the ticket may not go to this type, its room aside (the guarded UPDATE
 * decides that), or null when it may. `sameCurrency`: the order was paid in
 * the currency the types are priced in now.
 */
export function targetRefusal(ticket: MovingTicket, target: MoveTarget, sameCurrency: boolean): TicketMoveRefusal | null {
  if (target.id === ticket.ticketTypeId) return { code: 'same-type' }
  if (target.seated) return { code: 'seated' }
  if (!sameCurrency || target.priceMinor !== ticket.priceMinor) return { code: 'different-price' }
  return null
}

/** What a move did. */
export type TicketMoved =
  | { kind: 'moved'; from: { id: number; name: string }; to: { id: number; name: string } }
  /** The ticket was of that type already: the same confirmation sent twice, or at once. */
  | { kind: 'already' }

/**
 * How a move takes the target's place, as a seam for the concurrency test's
 * control (as CapacityGuard is for purchases): through the room guard of its
 * UPDATE. The control's room rules always hold and its `before` checks what
 * is left before the transaction (check-then-act), to show that the test
 * catches a type sold past its capacity.
 */
export interface TicketMoveGuard {
  room: RoomRules
  before?: (db: Db, eventId: number, ticketTypeId: number) => Promise<void>
}

export const GUARDED: TicketMoveGuard = { room: GUARDED_ROOM }

export interface TicketMove {
  actor: Actor
  siteUrl: string
  /** The site's currency now, which ticket types are priced in. */
  currency: string
  /** The ticket's name for the audit log: its door code, as the organiser's pages show it. */
  nameOf: (ticketId: number) => string
}

/** Moves one ticket of the order to another type of its event at the same price; all of it or nothing. */
export async function moveTicket(
  db: Db,
  order: OrderToChange & { currency: string },
  ticketId: number,
  toTypeId: number,
  how: TicketMove,
  guard: TicketMoveGuard = GUARDED,
): Promise<TicketMoved> {
  await guard.before?.(db, order.eventId, toTypeId)
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, order.eventId)
    const status = await lockOrder(trx, order.id)
    if (status === undefined || !holdsCapacity(status)) throw new TicketMoveRefused({ code: 'order-closed' })
    const seated = await seatedTicketTypes(trx, order.eventId)
    const ticket = await movingTicket(trx, order.id, ticketId, seated)
    if (!ticket) throw new TicketMoveRefused({ code: 'not-of-order' })
    if (!ticket.cancelled && ticket.ticketTypeId === toTypeId) return { kind: 'already' }
    refuseIf(ticketMoveRefusal(ticket))
    const types = await trx.selectFrom('ticketTypes').select(['id', 'name', 'priceMinor']).where('eventId', '=', order.eventId).execute()
    const from = types.find((type) => type.id === ticket.ticketTypeId)!
    const to = types.find((type) => type.id === toTypeId)
    if (!to) throw new TicketMoveRefused({ code: 'no-such-type' })
    refuseIf(targetRefusal(ticket, { ...to, seated: seated.has(to.id) }, order.currency === how.currency))

    if (!(await moveBetweenTypes(trx, order.eventId, from.id, { id: to.id, priceMinor: ticket.priceMinor }, guard.room)))
      throw new TicketMoveRefused({ code: 'full' })
    // Under the order's lock nothing else moves or cancels it: should something have, nothing is done rather than half.
    if (!(await moveTicketToType(trx, order.id, ticket.id, from.id, to.id)))
      throw new Error(`ticket ${ticket.id} changed under its order's lock`)
    const now = Date.now()
    // The old type's place goes to its waiting list first, in this transaction: nobody can buy it in between.
    await offerFreedCapacity(trx, order.eventId, now)
    await enqueueMail(trx, {
      kind: 'ticket-moved',
      to: order.buyerEmail,
      locale: order.locale,
      data: { orderId: order.id, siteUrl: how.siteUrl, ticketId: ticket.id, fromTypeName: from.name },
    })
    await recordAudit(trx, {
      ...auditBy(how.actor),
      action: 'order.ticket_moved',
      subjectType: 'order',
      subjectId: order.id,
      details: {
        code: order.code,
        ticket: how.nameOf(ticket.id),
        priceMinor: ticket.priceMinor,
        before: { ticketTypeId: from.id, ticketType: from.name },
        after: { ticketTypeId: to.id, ticketType: to.name },
      },
    })
    return { kind: 'moved', from: { id: from.id, name: from.name }, to: { id: to.id, name: to.name } }
  })
}

function refuseIf(refusal: TicketMoveRefusal | null): void {
  if (refusal) throw new TicketMoveRefused(refusal)
}

/** The ticket of this order, as a move reads it under the order's lock; undefined when the order has no such ticket. */
async function movingTicket(trx: Trx, orderId: number, ticketId: number, seatedTypes: Set<number>): Promise<MovingTicket | undefined> {
  const row = await trx
    .selectFrom('tickets')
    .leftJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
    .select(['tickets.id', 'tickets.ticketTypeId', 'tickets.priceMinor', 'tickets.cancelledAt', 'seatBookings.seatId'])
    .select(TICKET_WAS_USED.as('used'))
    .where('tickets.id', '=', ticketId)
    .where('tickets.orderId', '=', orderId)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    ticketTypeId: row.ticketTypeId,
    priceMinor: row.priceMinor,
    cancelled: !ticketStands(row),
    // PostgreSQL answers exists() with a boolean, SQLite with 0 or 1.
    used: Boolean(row.used),
    seated: row.seatId !== null || seatedTypes.has(row.ticketTypeId),
  }
}
