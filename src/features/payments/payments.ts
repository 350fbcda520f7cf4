import type Stripe from 'stripe'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/database.js'
import type { PaymentRow } from '../../db/schema.js'
import { type ConfirmSeams, type Confirmed, confirmProviderPayment } from './confirm.js'
import { atDoor } from './methods/at-door.js'
import { bankTransfer } from './methods/bank-transfer.js'
import { cardPayments, sessionOutcome } from './methods/card.js'
import {
  type Attempt,
  type EventPayments,
  type PayableOrder,
  type PaymentMethod,
  type PaymentMethodId,
  type ReturnLinks,
  type Started,
  methodsOfEvent,
} from './payment-method.js'
import { markRefundDone, recordRefundAtProvider } from './refunds.js'

/** What learning of a Checkout Session did. */

/** What a look at an order's open payment pages found: whether it changed the order, and whether a payment is still being processed (a bank debit), so that it is not paid twice. */
export interface Waiting {
  changed: boolean
  processing: boolean
}
export type SessionConfirmed =
  /** With the order it paid (or refunded), whose event's pages are to be told. */
  (Confirmed & { orderId: number }) | { kind: 'open' } | { kind: 'processing' } | { kind: 'expired' } | { kind: 'unknown' }

/**
 * The payments feature as the rest of the app meets it (app.payments): the
 * methods this site can offer, and the confirming of what a provider says.
 */
export class Payments {
  readonly methods: ReadonlyMap<PaymentMethodId, PaymentMethod>

  constructor(
    private readonly db: Db,
    readonly stripe: Stripe | null,
    private readonly log: FastifyBaseLogger,
    private readonly seams?: ConfirmSeams,
  ) {
    this.methods = new Map<PaymentMethodId, PaymentMethod>([
      ['card', cardPayments(stripe)],
      ['bank-transfer', bankTransfer],
      ['at-door', atDoor],
    ])
  }

  /** The methods a buyer of this event may choose; at the door when none the organiser chose can be offered now. */
  offeredFor(event: EventPayments): PaymentMethod[] {
    const offered = methodsOfEvent(event, this.methods)
    return offered.length > 0 ? offered : [atDoor]
  }

  method(id: string): PaymentMethod | undefined {
    return this.methods.get(id as PaymentMethodId)
  }

  /** Begins paying an unpaid order by its method: where the buyer goes next (null: the order page). */
  async start(order: PayableOrder, method: string, links: ReturnLinks, opened?: Attempt): Promise<Started> {
    const chosen = this.method(method)
    return chosen ? chosen.start(this.db, order, links, opened) : null
  }

  /**
   * Asks Stripe how a Checkout Session stands and applies it: the one
   * confirming path of the return URL, the webhook and a view of the order.
   */
  async confirmSession(sessionId: string): Promise<SessionConfirmed> {
    if (!this.stripe) return { kind: 'unknown' }
    const session = await sessionOutcome(this.stripe, sessionId)
    const payment = await this.paymentOfSession(session.sessionId, session.paymentId)
    if (!payment) return { kind: 'unknown' }
    if (session.outcome === 'paid') {
      const confirmed = await confirmProviderPayment(
        this.db,
        payment,
        { providerPayment: session.paymentIntent, recordedBy: null },
        this.seams,
      )
      if (confirmed.kind === 'refunding')
        this.log.warn({ orderId: payment.orderId, paymentId: payment.id }, 'payments: a payment for tickets that are gone is refunded')
      return { ...confirmed, orderId: payment.orderId }
    }
    if (session.outcome === 'expired') {
      await this.db.updateTable('payments').set({ state: 'expired' }).where('id', '=', payment.id).where('state', '=', 'started').execute()
      return { kind: 'expired' }
    }
    return { kind: session.outcome }
  }

  /** An asynchronous payment (a bank debit) that failed at Stripe: the attempt is over, the order may be paid again. */
  async attemptFailed(sessionId: string): Promise<void> {
    await this.db
      .updateTable('payments')
      .set({ state: 'failed' })
      .where('providerRef', '=', sessionId)
      .where('state', '=', 'started')
      .execute()
  }

  /** Confirms every card attempt of the order that Stripe may have settled: a view of an unpaid order does this. Whether any changed it. */
  async confirmWaiting(orderId: number): Promise<Waiting> {
    const started = await this.db
      .selectFrom('payments')
      .select('providerRef')
      .where('orderId', '=', orderId)
      .where('method', '=', 'card')
      .where('state', '=', 'started')
      .where('providerRef', 'is not', null)
      .execute()
    const waiting = { changed: false, processing: false }
    for (const { providerRef } of started) {
      const confirmed = await this.confirmSession(providerRef!)
      if (confirmed.kind === 'paid' || confirmed.kind === 'refunding') waiting.changed = true
      if (confirmed.kind === 'processing') waiting.processing = true
    }
    return waiting
  }

  /**
   * After an event's cancellation, when no order can be placed any more: the
   * payment pages its orders left open are closed, so that nobody pays for
   * it, and one paid meanwhile is confirmed, which refunds it at once (its
   * order is cancelled). Whether any was. A provider that cannot be reached
   * is left: its pages close by themselves before their orders' holds end,
   * and a payment made there is refunded when its webhook or return comes.
   */
  async cancelStartedOfEvent(eventId: number): Promise<boolean> {
    const started = await this.db
      .selectFrom('payments')
      .innerJoin('orders', 'orders.id', 'payments.orderId')
      .select(['payments.orderId', 'payments.method'])
      .distinct()
      .where('orders.eventId', '=', eventId)
      .where('orders.status', '=', 'cancelled')
      .where('payments.state', '=', 'started')
      .execute()
    let refunding = false
    for (const { orderId, method } of started) {
      try {
        const chosen = this.method(method)
        if (chosen?.onSite) await chosen.cancelStarted(this.db, orderId)
        if ((await this.confirmWaiting(orderId)).changed) refunding = true
      } catch (error) {
        this.log.warn({ err: error, orderId }, 'payments: a payment page of a cancelled event could not be closed now')
      }
    }
    return refunding
  }

  /**
   * A refund Stripe reports (charge.refunded): ours, sent by the outbox,
   * marked done; one made in Stripe's dashboard, recorded. Each read from
   * Stripe by its id, never taken from the webhook's body. With the event
   * whose figures it changed, when it recorded one.
   */
  async recordProviderRefund(refundId: string): Promise<{ outcome: 'recorded' | 'ours' | 'unknown'; eventId: number | null }> {
    const unknown = { outcome: 'unknown', eventId: null } as const
    if (!this.stripe) return unknown
    const refund = await this.stripe.refunds.retrieve(refundId)
    if (refund.status !== 'succeeded' && refund.status !== 'pending') return unknown
    const ours = Number(refund.metadata?.refund_id)
    if (Number.isInteger(ours) && ours > 0) {
      await markRefundDone(this.db, ours, refund.id)
      return { outcome: 'ours', eventId: null }
    }
    const intent = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id
    if (!intent) return unknown
    const payment = await this.db
      .selectFrom('payments')
      .innerJoin('orders', 'orders.id', 'payments.orderId')
      .select(['payments.id', 'payments.orderId', 'payments.currency', 'orders.eventId'])
      .where('payments.providerPayment', '=', intent)
      .where('payments.state', '=', 'paid')
      .executeTakeFirst()
    if (!payment) return unknown
    const recorded = await recordRefundAtProvider(this.db, payment, {
      providerRef: refund.id,
      amountMinor: refund.amount,
      provider: 'Stripe',
    })
    return { outcome: 'recorded', eventId: recorded ? payment.eventId : null }
  }

  private async paymentOfSession(sessionId: string, paymentId: number | null): Promise<PaymentRow | undefined> {
    const byRef = await this.db.selectFrom('payments').selectAll().where('providerRef', '=', sessionId).executeTakeFirst()
    if (byRef || paymentId === null) return byRef
    // The process died between creating the Session and storing its id: the Session's metadata names the attempt.
    const byId = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .where('providerRef', 'is', null)
      .executeTakeFirst()
    if (byId) await this.db.updateTable('payments').set({ providerRef: sessionId }).where('id', '=', byId.id).execute()
    return byId && { ...byId, providerRef: sessionId }
  }
}
