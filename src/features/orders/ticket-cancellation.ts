/**
 * The organiser cancels some tickets of an order and keeps the rest, as
 * pretix's "change order → cancel positions" does. One transaction, under
 * the event row's lock and then the order row's, as a whole cancellation,
 * a check-in and a payment take them: the tickets are cancelled by a
 * conditional UPDATE from standing, their places and seats given back (to
 * the waiting list first), the order's total lowered, the money going back
 * written (the caller's `moneyBack`: a refund row the outbox sends), the
 * buyer's mail queued and the audit entry recorded. Cancelling every ticket
 * still standing is cancelling the order, by cancelOrder's own path.
 *
 * A ticket let in at the door is not cancelled (pretix refuses it too): the
 * person is inside, and the organiser would refund a ticket that was used.
 * The organiser may take the admission back first (a scan by mistake), and
 * then cancel it.
 */
import type { Db, Trx } from '../../db/database.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { recordAudit } from '../audit/audit.repository.js'
import { lockEvent } from '../events/event.repository.js'
import { offerFreedCapacity } from '../offers/offers.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { cancelOrderLocked } from './cancellation.js'
import { TICKET_WAS_USED, holdsCapacity, ticketStandsCondition } from './order.states.js'
import { type TicketCancelled, cancelTicketsOfOrder, lockOrder, lowerTotal, releaseTickets } from './order.writes.js'

/** Why some tickets of an order were not cancelled: nothing was. */
export type TicketCancellationRefusal =
  | { code: 'none-chosen' }
  /** A ticket that is not one of this order's (a form made by hand, or an old page of another order). */
  | { code: 'not-of-order' }
  /** Tickets let in at the door (their door codes). */
  | { code: 'checked-in'; tickets: string[] }
  /** Some of the tickets chosen were cancelled since the form was shown (by another request); the others were not. */
  | { code: 'cancelled-meanwhile' }
  /** The order holds no tickets any more: it lapsed unpaid. */
  | { code: 'order-closed' }

export class TicketCancellationRefused extends Error {
  constructor(readonly reason: TicketCancellationRefusal) {
    super(`ticket cancellation refused: ${reason.code}`)
  }
}

/** What a cancellation of some tickets did. */
export type TicketsCancelled =
  /** These tickets are cancelled; the order stands with the rest, at its new total. */
  | { kind: 'tickets'; tickets: TicketCancelled[]; totalMinor: number; refundMinor: number }
  /** They were the last standing: the order is cancelled, as a whole cancellation does. */
  | { kind: 'order' }
  /** Nothing was left to do: every ticket chosen was cancelled already (the same request twice, or at once). */
  | { kind: 'already' }

/**
 * How a cancellation decides which tickets it cancels, as a seam for the
 * concurrency test's control (as RefundGuard is for refunds): on what it
 * reads under the order row's lock, and then by an UPDATE that cancels a
 * ticket only while it stands. The control decides on what it read before
 * its transaction and cancels without the condition (check-then-act), to show
 * that the test catches a ticket cancelled, given back and refunded twice.
 */
export interface TicketCancelGuard {
  decideUnderLock: boolean
}

export const GUARDED: TicketCancelGuard = { decideUnderLock: true }

/** The order whose tickets are cancelled, as the organiser's page read it. */
export interface OrderToChange {
  id: number
  code: string
  eventId: number
  buyerEmail: string
  locale: string
}

/** A standing ticket of the order, as the cancellation reads it. */
interface StandingTicket extends TicketCancelled {
  used: boolean
}

export interface TicketCancellation {
  actor: Actor
  siteUrl: string
  /** Each ticket's name for the audit log and refusals: its door code, as the organiser's pages show it. */
  nameOf: (ticketId: number) => string
  /**
   * What goes back with the tickets, in the cancellation's transaction (so
   * that it commits with it, or neither does): writes the refund and returns
   * its amount (0 when nothing goes back). Throwing undoes the cancellation.
   */
  moneyBack?: (trx: Trx, tickets: TicketCancelled[]) => Promise<number>
}

/**
 * Cancels the chosen tickets of an order (ids), keeping the rest; all of
 * them or none. When none would be left, cancels the order instead.
 */
export async function cancelTickets(
  db: Db,
  order: OrderToChange,
  ticketIds: number[],
  how: TicketCancellation,
  guard: TicketCancelGuard = GUARDED,
): Promise<TicketsCancelled> {
  if (ticketIds.length === 0) throw new TicketCancellationRefused({ code: 'none-chosen' })
  const all = await db.selectFrom('tickets').select('id').where('orderId', '=', order.id).execute()
  if (ticketIds.some((id) => !all.some((ticket) => ticket.id === id))) throw new TicketCancellationRefused({ code: 'not-of-order' })
  // Only a control reads first (see TicketCancelGuard).
  const readFirst = guard.decideUnderLock ? undefined : await standingTickets(db, order.id)
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, order.eventId)
    const status = await lockOrder(trx, order.id)
    if (status === 'cancelled') return { kind: 'already' }
    if (status === undefined || !holdsCapacity(status)) throw new TicketCancellationRefused({ code: 'order-closed' })
    const standing = readFirst ?? (await standingTickets(trx, order.id))
    const chosen = standing.filter((ticket) => ticketIds.includes(ticket.id))
    if (chosen.length === 0) return { kind: 'already' }
    if (chosen.length < ticketIds.length) throw new TicketCancellationRefused({ code: 'cancelled-meanwhile' })
    const used = chosen.filter((ticket) => ticket.used)
    if (used.length > 0) throw new TicketCancellationRefused({ code: 'checked-in', tickets: used.map((ticket) => how.nameOf(ticket.id)) })
    const total = await totalOf(trx, order.id)
    const kept = standing.filter((ticket) => !ticketIds.includes(ticket.id))
    const audit = {
      ...auditBy(how.actor),
      subjectType: 'order',
      subjectId: order.id,
      details: {
        code: order.code,
        cancelled: chosen.map((ticket) => how.nameOf(ticket.id)).join(', '),
        before: { tickets: names(standing, how), totalMinor: total },
        after: { tickets: names(kept, how), totalMinor: total - sumOf(chosen) },
      },
    }

    if (kept.length === 0) {
      // None would be left: the order is cancelled, as the organiser's cancellation of the whole order does.
      const cancelled = await cancelOrderLocked(
        trx,
        order,
        { ...audit, action: 'order.cancelled_by_organiser' },
        how.siteUrl,
        async (inner) => void (await how.moneyBack?.(inner, chosen)),
      )
      return cancelled ? { kind: 'order' } : { kind: 'already' }
    }

    const now = Date.now()
    const cancelled = await cancelTicketsOfOrder(
      trx,
      order.id,
      chosen.map((ticket) => ticket.id),
      now,
      guard.decideUnderLock,
    )
    // Under the order's lock nothing else cancels them; should one have been, nothing is done rather than half.
    if (cancelled.length !== chosen.length) throw new TicketCancellationRefused({ code: 'cancelled-meanwhile' })
    await releaseTickets(trx, order.eventId, cancelled)
    await lowerTotal(trx, order.id, sumOf(cancelled))
    // The freed places go to the waiting list first, in this transaction: nobody can buy them in between.
    await offerFreedCapacity(trx, order.eventId, now)
    const refundMinor = (await how.moneyBack?.(trx, cancelled)) ?? 0
    await enqueueMail(trx, {
      kind: 'tickets-cancelled',
      to: order.buyerEmail,
      locale: order.locale,
      data: { orderId: order.id, siteUrl: how.siteUrl, ticketIds: cancelled.map((ticket) => ticket.id), refundMinor },
    })
    await recordAudit(trx, { ...audit, action: 'order.tickets_cancelled', details: { ...audit.details, refundMinor } })
    return { kind: 'tickets', tickets: cancelled, totalMinor: total - sumOf(cancelled), refundMinor }
  })
}

/** The order's tickets that stand (not cancelled on their own), with whether each was let in at the door. */
async function standingTickets(db: Db | Trx, orderId: number): Promise<StandingTicket[]> {
  const rows = await db
    .selectFrom('tickets')
    .select(['id', 'ticketTypeId', 'priceMinor', 'codeId'])
    .select(TICKET_WAS_USED.as('used'))
    .where('orderId', '=', orderId)
    .where(ticketStandsCondition)
    .orderBy('id')
    .execute()
  // PostgreSQL answers exists() with a boolean, SQLite with 0 or 1.
  return rows.map((row) => ({ ...row, used: Boolean(row.used) }))
}

async function totalOf(trx: Trx, orderId: number): Promise<number> {
  const row = await trx.selectFrom('orders').select('totalMinor').where('id', '=', orderId).executeTakeFirstOrThrow()
  return row.totalMinor
}

function sumOf(tickets: { priceMinor: number }[]): number {
  return tickets.reduce((sum, ticket) => sum + ticket.priceMinor, 0)
}

function names(tickets: { id: number }[], how: TicketCancellation): string {
  return tickets.map((ticket) => how.nameOf(ticket.id)).join(', ')
}
