/**
 * Card payments by Stripe Checkout, through the official stripe package: the
 * buyer is sent to a Checkout Session's page and back to the order page.
 *
 * Each attempt is a payments row whose random attempt key is the Session's
 * idempotency key: a request that is sent again (a network retry) gets the
 * same Session, and a new attempt (a declined card, a closed tab) a new one;
 * never a key per order, which would refuse the second attempt (alf.io
 * #1254). A Session expires before its order's hold does, so that a payment
 * that succeeds lands on tickets that are still held; the order's deadline
 * moves later when a new attempt needs it, a few times at most.
 */
import Stripe from 'stripe'
import type { StripeConfig } from '../../../config.js'
import type { Db } from '../../../db/database.js'
import { writeShared } from '../../../db/group-commit.js'
import type { PaymentRow, RefundRow } from '../../../db/schema.js'
import { randomSecret } from '../../../lib/random.js'
import type { Attempt, NewOrder, PayableOrder, PaymentMethod, ReturnLinks, Started } from '../payment-method.js'
import { RefundRejected } from '../refunds.js'
import { extendDeadline } from '../../orders/order.writes.js'

const MINUTE = 60 * 1000
/** Stripe's shortest Session: 30 minutes; one more, so that the clocks of two machines never make it too short. */
export const SESSION_MS = 31 * MINUTE
/** How long the hold outlives its Session: time for the last-second payment's return or webhook to arrive. */
export const HOLD_AFTER_SESSION_MS = 5 * MINUTE
/** The shortest hold an organiser may set for a card order. */
export const SHORTEST_CARD_HOLD_MINUTES = (SESSION_MS + HOLD_AFTER_SESSION_MS) / MINUTE
/** Attempts to pay one order: each may move its deadline, so they are few. */
export const MAX_ATTEMPTS = 5

/** Too many attempts to pay one order: the buyer pays by other means, or orders again once it has lapsed. */
export class TooManyAttempts extends Error {}

export function stripeClient(config: StripeConfig): Stripe {
  const api = config.apiUrl ? new URL(config.apiUrl) : null
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 1,
    timeout: 20_000,
    telemetry: false,
    ...(api && {
      host: api.hostname,
      port: api.port || (api.protocol === 'https:' ? 443 : 80),
      protocol: api.protocol === 'https:' ? 'https' : 'http',
    }),
  })
}

/**
 * Where a Checkout Session's page is: the buy form's answer sends the browser
 * there, so the pages' CSP lets forms lead to it. Stripe's own, or the
 * stand-in's that STRIPE_API_URL names (which serves its pages too); none
 * without card payments.
 */
export function checkoutOrigins(config: StripeConfig | null): string[] {
  if (!config) return []
  return [config.apiUrl ? new URL(config.apiUrl).origin : 'https://checkout.stripe.com']
}

export function cardPayments(stripe: Stripe | null): PaymentMethod {
  return {
    id: 'card',
    onSite: stripe !== null,
    online: true,
    paidAtDoor: false,
    usableFor: () => stripe !== null,
    deadlineFor: (event, now) => now + Math.max(event.cardHoldMinutes, SHORTEST_CARD_HOLD_MINUTES) * MINUTE,
    openAttempt: (trx, order, now) => openAttempt(trx, order, now),
    start: async (db, order, links, opened) => {
      if (opened) return checkout(db, stripe!, order, links, opened)
      const next = await nextAttempt(db, order)
      return next && checkout(db, stripe!, next.order, links, next.attempt)
    },
    cancelStarted: (db, orderId, options) => expireOpenSessions(db, stripe!, orderId, options?.unlessAmount),
    sendRefund: (refund, payment) => sendRefund(stripe!, refund, payment),
  }
}

/** Writes an attempt's row; its random key becomes the Session's idempotency key. */
async function openAttempt(db: Db, order: NewOrder, now: number): Promise<Attempt> {
  const key = randomSecret(18)
  const { id } = await db
    .insertInto('payments')
    .values({
      orderId: order.id,
      method: 'card',
      state: 'started',
      amountMinor: order.totalMinor,
      currency: order.currency,
      attemptKey: key,
      createdAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id, key }
}

/** Paying again: one more attempt, while there may be more, with the hold moved to outlive its Session; null when the order stopped waiting. */
async function nextAttempt(db: Db, order: PayableOrder): Promise<{ attempt: Attempt; order: PayableOrder } | null> {
  const attempts = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('orderId', '=', order.id)
    .executeTakeFirstOrThrow()
  if (Number(attempts.count) >= MAX_ATTEMPTS) throw new TooManyAttempts()
  const now = Date.now()
  let deadline = order.paymentDeadline ?? now
  if (sessionExpiry(now, deadline) + HOLD_AFTER_SESSION_MS > deadline) {
    // A later attempt: the hold moves so that it still outlives the Session (only while the order waits).
    deadline = sessionExpiry(now, deadline) + HOLD_AFTER_SESSION_MS
    if (!(await extendDeadline(db, order.id, deadline))) return null
  }
  return { attempt: await openAttempt(db, order, now), order: { ...order, paymentDeadline: deadline } }
}

/** When a Session opened now ends: Stripe's shortest, or as late as the hold allows. */
function sessionExpiry(now: number, deadline: number): number {
  return Math.max(now + SESSION_MS, deadline - HOLD_AFTER_SESSION_MS)
}

/** Opens the attempt's Checkout Session, ending before the order's hold does, and sends the buyer there. */
async function checkout(db: Db, stripe: Stripe, order: PayableOrder, links: ReturnLinks, attempt: Attempt): Promise<Started> {
  const now = Date.now()
  const expiresAt = sessionExpiry(now, order.paymentDeadline ?? now)
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: order.currency.toLowerCase(),
            unit_amount: order.totalMinor,
            product_data: { name: `${order.event.title} (${order.code})` },
          },
        },
      ],
      customer_email: order.buyerEmail,
      client_reference_id: order.code,
      // Read back from Stripe when the payment is confirmed: the attempt it pays, even if this process died before storing the Session's id.
      metadata: { payment_id: String(attempt.id), order_code: order.code },
      payment_intent_data: { metadata: { payment_id: String(attempt.id), order_code: order.code } },
      success_url: `${links.paid}${links.paid.includes('?') ? '&' : '?'}session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: links.cancelled,
      expires_at: Math.floor(expiresAt / 1000),
    },
    { idempotencyKey: attempt.key },
  )
  // Shares its commit with the purchases of the same moment; if it is lost, the Session's metadata still names the attempt.
  await writeShared(db, (trx) => trx.updateTable('payments').set({ providerRef: session.id }).where('id', '=', attempt.id).execute())
  if (!session.url) throw new Error(`Stripe gave Checkout Session ${session.id} no page`)
  return { redirect: session.url }
}

/**
 * Expires the order's open Sessions (those for another amount than `unlessAmount`, when given), so that nobody
 * pays for an order being cancelled, or its old total; a Session paid meanwhile is left for the caller to confirm.
 */
async function expireOpenSessions(db: Db, stripe: Stripe, orderId: number, unlessAmount?: number): Promise<void> {
  const started = await db
    .selectFrom('payments')
    .select(['id', 'providerRef'])
    .where('orderId', '=', orderId)
    .where('method', '=', 'card')
    .where('state', '=', 'started')
    .where('providerRef', 'is not', null)
    .$if(unlessAmount !== undefined, (qb) => qb.where('amountMinor', '!=', unlessAmount!))
    .execute()
  for (const payment of started) {
    const session = await stripe.checkout.sessions.retrieve(payment.providerRef!)
    if (session.status !== 'open') continue
    await stripe.checkout.sessions.expire(payment.providerRef!)
    await db.updateTable('payments').set({ state: 'cancelled' }).where('id', '=', payment.id).where('state', '=', 'started').execute()
  }
}

async function sendRefund(stripe: Stripe, refund: RefundRow, payment: PaymentRow): Promise<string> {
  if (!payment.providerPayment) throw new RefundRejected(`payment ${payment.id} names no PaymentIntent to refund`)
  try {
    const sent = await stripe.refunds.create(
      { payment_intent: payment.providerPayment, amount: refund.amountMinor, metadata: { refund_id: String(refund.id) } },
      { idempotencyKey: refund.idempotencyKey },
    )
    return sent.id
  } catch (error) {
    // A request Stripe refuses as it is (refunded in full already, say) will be refused again: no retry.
    if (error instanceof Stripe.errors.StripeInvalidRequestError) throw new RefundRejected(error.message)
    throw error
  }
}

/** A Session as Stripe says it is now: whether it was paid, and with which PaymentIntent. */
export async function sessionOutcome(
  stripe: Stripe,
  sessionId: string,
): Promise<{
  sessionId: string
  paymentId: number | null
  outcome: 'paid' | 'expired' | 'open' | 'processing'
  paymentIntent: string | null
}> {
  const session = await stripe.checkout.sessions.retrieve(sessionId)
  const paymentId = Number(session.metadata?.payment_id)
  const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null)
  const outcome =
    session.status === 'complete'
      ? session.payment_status === 'paid'
        ? 'paid'
        : 'processing'
      : session.status === 'expired'
        ? 'expired'
        : 'open'
  return { sessionId: session.id, paymentId: Number.isInteger(paymentId) && paymentId > 0 ? paymentId : null, outcome, paymentIntent }
}
