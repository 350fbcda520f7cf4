/**
 * Money going back. A refund is a row, written in the transaction that
 * decides it, with its own idempotency key; a refund through the provider
 * that took the money is then sent by the outbox's sender (enqueueTask), so
 * that it is never lost across a crash, and never sent twice: the sender may
 * run it again after a crash, and the key makes the provider answer the
 * second call with the first refund. A payment recorded by hand (a transfer,
 * cash) is refunded by hand, and the row records that it was.
 */
import { type Db, type Trx, isUniqueViolation } from '../../db/database.js'
import type { OutboxRow, PaymentRow, RefundReason, RefundRow } from '../../db/schema.js'
import { randomSecret } from '../../lib/random.js'
import type { Actor } from '../audit/actor.js'
import { recordAudit } from '../audit/audit.repository.js'
import { lockOrder } from '../orders/order.writes.js'
import { enqueueMail, enqueueTask } from '../outbox/outbox.repository.js'

/** Why a refund was refused. */
export type RefundRefusal = { code: 'nothing-to-refund' } | { code: 'more-than-paid'; maxMinor: number } | { code: 'not-positive' }

export class RefundRefused extends Error {
  constructor(readonly reason: RefundRefusal) {
    super(`refund refused: ${reason.code}`)
  }
}

/** A provider's answer that no retry will change (the payment was refunded in full already, say). */
export class RefundRejected extends Error {}

/**
 * Writes a refund of `amountMinor` of a paid payment, in the caller's
 * transaction: queued for the provider when the provider took the money,
 * else done (given back by hand). Returns its id.
 */
export async function queueRefund(
  trx: Trx,
  payment: Pick<PaymentRow, 'id' | 'orderId' | 'currency' | 'providerPayment' | 'method'>,
  amountMinor: number,
  why: { reason: RefundReason; actor: Actor | null },
): Promise<number> {
  const now = Date.now()
  const throughProvider = payment.providerPayment !== null
  const { id } = await trx
    .insertInto('refunds')
    .values({
      orderId: payment.orderId,
      paymentId: payment.id,
      amountMinor,
      currency: payment.currency,
      state: throughProvider ? 'queued' : 'done',
      idempotencyKey: randomSecret(18),
      reason: why.reason,
      createdAt: now,
      doneAt: throughProvider ? null : now,
      recordedBy: why.actor?.label ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (throughProvider) await enqueueTask(trx, { kind: 'refund', to: payment.method, data: { refundId: id } })
  else await mailRefunded(trx, payment.orderId, id)
  return id
}

/**
 * How refundOrder keeps requests at the same moment from refunding the same
 * money, as a seam for the concurrency tests' control (as CapacityGuard is
 * for sales): what is left to refund is read under the order row's lock, in
 * the refund's transaction. The control reads it before, unlocked
 * (check-then-act), to show that the test catches a refund sent twice.
 */
export interface RefundGuard {
  readUnderOrderLock: boolean
}

export const GUARDED: RefundGuard = { readUnderOrderLock: true }

/**
 * Refunds `amount` of an order (or all that is left to refund), from its
 * paid payments, newest first; in the caller's transaction when one is given
 * (a cancellation's), else in its own. The order row is locked first, so of
 * many requests at once each sees the refunds of those before it, and no
 * more than was paid is ever refunded. Returns the refunds' ids.
 */
export async function refundOrder(
  db: Db | Trx,
  orderId: number,
  amount: number | 'rest',
  why: { reason: RefundReason; actor: Actor },
  guard: RefundGuard = GUARDED,
): Promise<number[]> {
  // Only a control reads first (see RefundGuard).
  const readFirst = guard.readUnderOrderLock ? undefined : await refundableOf(db, orderId)
  const run = async (trx: Trx) => {
    if (guard.readUnderOrderLock) await lockOrder(trx, orderId)
    const left = readFirst ?? (await refundableOf(trx, orderId))
    const total = left.reduce((sum, entry) => sum + entry.leftMinor, 0)
    const wanted = amount === 'rest' ? total : amount
    if (total === 0) throw new RefundRefused({ code: 'nothing-to-refund' })
    if (wanted <= 0) throw new RefundRefused({ code: 'not-positive' })
    if (wanted > total) throw new RefundRefused({ code: 'more-than-paid', maxMinor: total })
    const ids: number[] = []
    let rest = wanted
    for (const { payment, leftMinor } of left) {
      if (rest === 0) break
      const part = Math.min(rest, leftMinor)
      if (part === 0) continue
      ids.push(await queueRefund(trx, payment, part, why))
      rest -= part
    }
    await recordAudit(trx, {
      actorId: why.actor.userId,
      actorLabel: why.actor.label,
      action: 'order.refunded',
      subjectType: 'order',
      subjectId: orderId,
      details: { amountMinor: wanted, reason: why.reason, refunds: ids },
      ip: why.actor.ip,
    })
    return ids
  }
  return db.isTransaction ? run(db as Trx) : (db as Db).transaction().execute(run)
}

/**
 * Refunds all that is left of an order, in a cancellation's transaction.
 * The cancellation saw money to refund before it began; a refund that
 * committed meanwhile (the organiser's, at the same moment) may have taken
 * it all, and then the order is cancelled with nothing more to refund.
 */
export async function refundTheRest(trx: Trx, orderId: number, why: { reason: RefundReason; actor: Actor }): Promise<void> {
  try {
    await refundOrder(trx, orderId, 'rest', why)
  } catch (error) {
    if (!(error instanceof RefundRefused && error.reason.code === 'nothing-to-refund')) throw error
  }
}

/** What is left to refund of each paid payment of the order: paid less what its refunds (but failed ones) took; newest first. */
export async function refundableOf(db: Db | Trx, orderId: number): Promise<{ payment: PaymentRow; leftMinor: number }[]> {
  const payments = await db
    .selectFrom('payments')
    .selectAll()
    .where('orderId', '=', orderId)
    .where('state', '=', 'paid')
    .orderBy('id', 'desc')
    .execute()
  const refunds = await db
    .selectFrom('refunds')
    .select(['paymentId', 'amountMinor'])
    .where('orderId', '=', orderId)
    .where('state', '!=', 'failed')
    .execute()
  return payments.map((payment) => ({
    payment,
    leftMinor:
      payment.amountMinor -
      refunds.filter((refund) => refund.paymentId === payment.id).reduce((sum, refund) => sum + refund.amountMinor, 0),
  }))
}

/**
 * The outbox's task for a queued refund: sends it through the provider with
 * its own key, then marks it done and tells the buyer. Throws to be tried
 * again later (the provider unreachable); a refusal no retry will change
 * marks the refund failed, for a person to see on the order.
 */
export function refundSender(db: Db, send: (refund: RefundRow, payment: PaymentRow) => Promise<string>) {
  return async (row: OutboxRow): Promise<void> => {
    const { refundId } = JSON.parse(row.data) as { refundId: number }
    const refund = await db.selectFrom('refunds').selectAll().where('id', '=', refundId).executeTakeFirst()
    if (!refund || refund.state !== 'queued') return
    const payment = await db.selectFrom('payments').selectAll().where('id', '=', refund.paymentId).executeTakeFirstOrThrow()
    let providerRef: string
    try {
      providerRef = await send(refund, payment)
    } catch (error) {
      if (!(error instanceof RefundRejected)) throw error
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('refunds')
          .set({ state: 'failed', lastError: error.message.slice(0, 1000) })
          .where('id', '=', refund.id)
          .where('state', '=', 'queued')
          .execute()
        await recordAudit(trx, {
          actorId: null,
          actorLabel: 'system',
          action: 'order.refund_failed',
          subjectType: 'order',
          subjectId: refund.orderId,
          details: { refundId: refund.id, error: error.message.slice(0, 200) },
          ip: null,
        })
      })
      return
    }
    await markRefundDone(db, refund.id, providerRef)
  }
}

/** A queued refund done at the provider (its id given): marked once, the buyer told once. Whether this call marked it. */
export async function markRefundDone(db: Db, refundId: number, providerRef: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable('refunds')
      .set({ state: 'done', providerRef, doneAt: Date.now(), lastError: null })
      .where('id', '=', refundId)
      .where('state', '=', 'queued')
      .returning('orderId')
      .executeTakeFirst()
    if (!done) return false
    await mailRefunded(trx, done.orderId, refundId)
    return true
  })
}

async function mailRefunded(trx: Trx, orderId: number, refundId: number): Promise<void> {
  const order = await trx
    .selectFrom('orders')
    .select(['buyerEmail', 'locale', 'siteUrl'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow()
  await enqueueMail(trx, {
    kind: 'order-refunded',
    to: order.buyerEmail,
    locale: order.locale,
    data: { orderId, siteUrl: order.siteUrl, refundId },
  })
}

/**
 * A refund made at the provider, behind the app's back (in Stripe's
 * dashboard), recorded as done: once, whatever how often the provider tells
 * of it (its id is unique), with an audit entry and a mail to the buyer as
 * for a refund made here. False when it was recorded before.
 */
export async function recordRefundAtProvider(
  db: Db,
  payment: Pick<PaymentRow, 'id' | 'orderId' | 'currency'>,
  refund: { providerRef: string; amountMinor: number; provider: string },
): Promise<boolean> {
  const now = Date.now()
  try {
    return await db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('refunds')
        .values({
          orderId: payment.orderId,
          paymentId: payment.id,
          amountMinor: refund.amountMinor,
          currency: payment.currency,
          state: 'done',
          idempotencyKey: `provider:${refund.providerRef}`,
          providerRef: refund.providerRef,
          reason: 'provider',
          createdAt: now,
          doneAt: now,
          recordedBy: refund.provider,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(trx, {
        actorId: null,
        actorLabel: refund.provider,
        action: 'order.refunded',
        subjectType: 'order',
        subjectId: payment.orderId,
        details: { amountMinor: refund.amountMinor, reason: 'provider', refunds: [id] },
        ip: null,
      })
      await mailRefunded(trx, payment.orderId, id)
      return true
    })
  } catch (error) {
    // Recorded before: the same webhook delivered again.
    if (isUniqueViolation(error)) return false
    throw error
  }
}
