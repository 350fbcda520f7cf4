/**
 * What a payment does to its order, decided in one place for every way a
 * payment is learnt of: the buyer's return from the provider, the provider's
 * webhook, a view of the unpaid order, and a person marking a transfer or
 * cash received. Each is one transaction under the event row's lock, the
 * lock that expiry (src/features/orders/expiry.ts) and every sale take
 * first, so a payment meets its order either still pending or already
 * lapsed, never in between.
 *
 * The payment row moves to paid with a conditional UPDATE: of the return,
 * the webhook and the page confirming the same payment at the same moment,
 * one moves it, and only that one touches the order and enqueues the mail.
 */
import type { Db, Trx } from '../../db/database.js'
import type { OrderStatus, PaymentRow } from '../../db/schema.js'
import { randomSecret } from '../../lib/random.js'
import type { Actor } from '../audit/actor.js'
import { recordAudit } from '../audit/audit.repository.js'
import { GUARDED_ROOM, type RoomRules, giveBack, retake } from '../capacity/capacity.js'
import { lockEvent } from '../events/event.repository.js'
import { lockOrder, transitionOrder } from '../orders/order.writes.js'
import { ticketStandsCondition } from '../orders/order.states.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { rebookLapsedSeats } from '../seating/seating.repository.js'
import { queueRefund } from './refunds.js'
import { type CodeHolding, giveUsesBack, retakeUses } from '../codes/code.uses.js'
import { type CodeRules, codeHasUsesFor } from '../codes/code.rules.js'

/** What a confirmation did. */
export type Confirmed =
  /** The order is paid now. */
  | { kind: 'paid'; late: boolean }
  /** This payment was confirmed before (a replay, or another path at the same moment): nothing changed. */
  | { kind: 'already' }
  /** The money came for tickets that are gone (or an order paid or cancelled meanwhile): it goes back at once. */
  | { kind: 'refunding'; refundId: number }
  /** Marked by hand for a lapsed order whose tickets are gone: nothing recorded. */
  | { kind: 'tickets-gone' }

/** How the money was taken, as the provider says it or a person records it. */
export interface PaymentFacts {
  /** The provider's id of the money taken (a PaymentIntent's), which refunds name; null by hand. */
  providerPayment: string | null
  /** Who recorded it by hand; null for a provider's. */
  recordedBy: Actor | null
}

interface OrderToPay {
  id: number
  code: string
  eventId: number
  buyerEmail: string
  locale: string
  siteUrl: string
  totalMinor: number
  currency: string
}

/**
 * The guards of a confirmation, as seams for the concurrency tests' controls
 * (test/helpers/check-then-act.ts), which pass others to buildApp to show
 * that the tests catch what each prevents.
 */
export interface ConfirmSeams {
  /** A late payment takes its tickets again only where there is room, and its code's uses only within its limit: without it, an oversell. */
  room: RoomRules & CodeRules
  /** The payment row moves to paid only from another state: without it, a payment confirmed twice at once is refunded as if it had come for nothing. */
  conditional: boolean
}

export const GUARDED: ConfirmSeams = { room: { ...GUARDED_ROOM, codeHasUsesFor }, conditional: true }

async function orderToPay(db: Db, orderId: number): Promise<OrderToPay> {
  return db
    .selectFrom('orders')
    .select(['id', 'code', 'eventId', 'buyerEmail', 'locale', 'siteUrl', 'totalMinor', 'currency'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow()
}

/**
 * A provider's payment confirmed (the provider said so when asked, never
 * only a webhook's body): the payment row moves to paid, and its order with
 * it. A payment for an order that lapsed takes its tickets again when they
 * are free; when they are gone, or the order was cancelled or paid by
 * another payment meanwhile, the money is refunded at once.
 */
export async function confirmProviderPayment(db: Db, payment: PaymentRow, facts: PaymentFacts, seams = GUARDED): Promise<Confirmed> {
  const order = await orderToPay(db, payment.orderId)
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, order.eventId)
    const now = Date.now()
    const moved = await trx
      .updateTable('payments')
      .set({ state: 'paid', paidAt: now, providerPayment: facts.providerPayment })
      .where('id', '=', payment.id)
      .$if(seams.conditional, (qb) => qb.where('state', '!=', 'paid'))
      .executeTakeFirst()
    if (Number(moved.numUpdatedRows) === 0) return { kind: 'already' }
    const outcome = await payOrder(trx, order, now, seams, null)
    if (outcome.kind === 'paid') return outcome
    const refundId = await queueRefund(trx, { ...payment, providerPayment: facts.providerPayment }, payment.amountMinor, {
      reason: 'late-payment',
      actor: null,
    })
    await recordAudit(trx, {
      actorId: null,
      actorLabel: 'system',
      action: 'order.payment_refunded_unapplied',
      subjectType: 'order',
      subjectId: order.id,
      details: { code: order.code, paymentId: payment.id, was: outcome.status },
      ip: null,
    })
    return { kind: 'refunding', refundId }
  })
}

/**
 * A transfer or cash recorded by a person (the organiser, the door): a paid
 * payment row and the order paid with it. For a lapsed order only when its
 * tickets can be taken again; no money is refunded, since none came through us.
 */
export async function recordPaymentByHand(db: Db, orderId: number, method: string, actor: Actor, seams = GUARDED): Promise<Confirmed> {
  const order = await orderToPay(db, orderId)
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, order.eventId)
    const now = Date.now()
    const outcome = await payOrder(trx, order, now, seams, { actor, method })
    // Nothing was written: no payment is recorded for tickets that are gone.
    if (outcome.kind !== 'paid') return outcome.status === 'paid' ? { kind: 'already' } : { kind: 'tickets-gone' }
    await insertPaymentByHand(trx, { orderId, method, amountMinor: order.totalMinor, currency: order.currency }, actor, now)
    return outcome
  })
}

/** A payment a person took (cash, a transfer, a card terminal), paid as it is written, recorded under their name. */
export async function insertPaymentByHand(
  trx: Trx,
  payment: { orderId: number; method: string; amountMinor: number; currency: string },
  actor: Actor,
  now: number,
): Promise<void> {
  await trx
    .insertInto('payments')
    .values({
      ...payment,
      state: 'paid',
      attemptKey: randomSecret(18),
      createdAt: now,
      paidAt: now,
      recordedBy: actor.label,
    })
    .execute()
}

/**
 * Under the event's lock: the order paid, from pending, or from lapsed when
 * its tickets (and seats) can be taken again; the buyer mailed their
 * tickets. Otherwise says the state that stood in the way.
 */
async function payOrder(
  trx: Trx,
  order: OrderToPay,
  now: number,
  seams: ConfirmSeams,
  /** Who recorded it by hand, and how it was paid; null for a provider's payment. */
  byHand: { actor: Actor; method: string } | null,
): Promise<{ kind: 'paid'; late: boolean } | { kind: 'unpayable'; status: OrderStatus | undefined }> {
  const status = await lockOrder(trx, order.id)
  let late = false
  if (status === 'expired') {
    if (!(await retakeTickets(trx, order, seams))) return { kind: 'unpayable', status }
    late = true
  } else if (status !== 'pending') {
    return { kind: 'unpayable', status }
  }
  await transitionOrder(trx, order.id, 'paid', now)
  await enqueueMail(trx, {
    kind: 'order-paid',
    to: order.buyerEmail,
    locale: order.locale,
    data: { orderId: order.id, siteUrl: order.siteUrl },
  })
  await recordAudit(trx, {
    actorId: byHand?.actor.userId ?? null,
    actorLabel: byHand?.actor.label ?? 'system',
    action: byHand ? 'order.marked_paid' : late ? 'order.paid_late' : 'order.paid',
    subjectType: 'order',
    subjectId: order.id,
    details: { code: order.code, ...(byHand && { method: byHand.method }), ...(late && { late }) },
    ip: byHand?.actor.ip ?? null,
  })
  return { kind: 'paid', late }
}

/**
 * A lapsed order's code uses, tickets and seats, taken again under the
 * guards; false with nothing taken when any is gone. The uses first: a
 * reserved code hands its holder what it keeps aside, where the tickets are
 * then found.
 */
async function retakeTickets(trx: Trx, order: OrderToPay, seams: ConfirmSeams): Promise<boolean> {
  const counts = await trx
    .selectFrom('tickets')
    .select(['ticketTypeId', 'codeId', (eb) => eb.fn.countAll<number>().as('count')])
    .where('orderId', '=', order.id)
    // Those the organiser cancelled on their own (before the order lapsed) stay given back.
    .where(ticketStandsCondition)
    .groupBy(['ticketTypeId', 'codeId'])
    .execute()
  const byType = new Map<number, number>()
  for (const row of counts) byType.set(row.ticketTypeId, (byType.get(row.ticketTypeId) ?? 0) + Number(row.count))
  const codes = await codeHoldingOf(trx, order.id, counts)
  const now = Date.now()
  if (!(await retakeUses(trx, codes, now, seams.room))) return false
  if (!(await retake(trx, order.eventId, byType, seams.room))) {
    await giveUsesBack(trx, codes, now)
    return false
  }
  if (await rebookLapsedSeats(trx, order.eventId, order.id)) return true
  // A seat is gone: the tickets go back too, and the money with them (the caller refunds).
  await giveBack(trx, order.eventId, byType)
  await giveUsesBack(trx, codes, now)
  return false
}

/** What the order held of its code: its standing tickets the code applied to, and the order itself. */
async function codeHoldingOf(
  trx: Trx,
  orderId: number,
  counts: { codeId: number | null; count: number }[],
): Promise<Map<number, CodeHolding>> {
  const { codeId } = await trx.selectFrom('orders').select('codeId').where('id', '=', orderId).executeTakeFirstOrThrow()
  if (codeId === null) return new Map()
  const tickets = counts.filter((row) => row.codeId === codeId).reduce((sum, row) => sum + Number(row.count), 0)
  return new Map([[codeId, { tickets, orders: 1 }]])
}
