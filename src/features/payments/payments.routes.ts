import type { FastifyInstance, FastifyRequest } from 'fastify'
import Stripe from 'stripe'
import { isUniqueViolation } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import { FormReader } from '../../lib/forms.js'
import { siteUrl } from '../../lib/site-url.js'
import { actorOf, auditBy } from '../audit/actor.js'
import { eventOf } from '../../plugins/auth.js'
import { cancelOrder } from '../orders/cancellation.js'
import { OrderCheckedIn } from '../orders/order.errors.js'
import { recordPaymentByHand } from './confirm.js'
import { RefundRefused, refundOrder, refundTheRest, refundableOf } from './refunds.js'
import { parseAmount } from '../../lib/format.js'

/** Stripe's events that say something about a payment we started, and what each asks of us. */
const SESSION_EVENTS = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded', 'checkout.session.expired'])

export default async function paymentRoutes(app: FastifyInstance) {
  /**
   * Stripe's webhook. The signature is checked on the raw body (400 when it is
   * wrong); each delivery is recorded under Stripe's event id, so a delivery
   * sent again changes nothing; what it reports is read again from Stripe and
   * applied by the same confirming function as the return URL and the order
   * page. A payment that cannot be applied (its tickets are gone) is refunded
   * and answered 2xx: Stripe is never left retrying for days. Only a failure
   * of ours (the database, Stripe unreachable) answers 503, to be retried.
   */
  await app.register(async (webhook) => {
    webhook.removeContentTypeParser('application/json')
    webhook.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    webhook.post('/payments/stripe/webhook', { config: { access: 'anyone', csrf: false } }, async (request, reply) => {
      const { stripe } = app.payments
      const secret = app.config.stripe?.webhookSecret
      if (!stripe || !secret) throw new NotFound()
      const signature = request.headers['stripe-signature']
      let event: Stripe.Event
      try {
        if (!Buffer.isBuffer(request.body) || typeof signature !== 'string') throw new Error('no signed JSON body')
        event = stripe.webhooks.constructEvent(request.body, signature, secret)
      } catch {
        // Stripe reads the answer, not a person.
        return reply.code(400).send({ received: false, error: 'The signature does not match the body.' })
      }
      const noticeId = await recordNotice(event)
      if (noticeId === null) return reply.send({ received: true, replay: true })
      let outcome: string
      try {
        outcome = await applyEvent(event)
      } catch (error) {
        // Ours to retry: the notice goes, so that Stripe's next delivery is applied.
        await app.db.deleteFrom('paymentNotices').where('id', '=', noticeId).execute()
        request.log.warn({ err: error, stripeEvent: event.id, type: event.type }, 'payments: a webhook could not be applied now')
        return reply.code(503).send({ received: false })
      }
      await app.db.updateTable('paymentNotices').set({ outcome }).where('id', '=', noticeId).execute()
      return reply.send({ received: true })
    })
  })

  /** The notice's id, or null when this event was received before. */
  async function recordNotice(event: Stripe.Event): Promise<number | null> {
    try {
      const row = await app.db
        .insertInto('paymentNotices')
        .values({ provider: 'stripe', eventId: event.id, type: event.type, receivedAt: Date.now(), outcome: 'received' })
        .returning('id')
        .executeTakeFirstOrThrow()
      return row.id
    } catch (error) {
      if (isUniqueViolation(error)) return null
      throw error
    }
  }

  async function applyEvent(event: Stripe.Event): Promise<string> {
    if (SESSION_EVENTS.has(event.type)) {
      const session = event.data.object as Stripe.Checkout.Session
      const confirmed = await app.payments.confirmSession(session.id)
      if (confirmed.kind === 'paid' || confirmed.kind === 'refunding') {
        // A late payment takes tickets again: the event's live pages (and its owner's figures) are told, as after a sale.
        const order = await app.db.selectFrom('orders').select('eventId').where('id', '=', confirmed.orderId).executeTakeFirst()
        app.afterCommit({ eventChanged: order?.eventId, mailQueued: true })
      }
      return confirmed.kind
    }
    if (event.type === 'checkout.session.async_payment_failed') {
      await app.payments.attemptFailed((event.data.object as Stripe.Checkout.Session).id)
      return 'failed'
    }
    if (event.type === 'charge.refunded') {
      const charge = event.data.object as Stripe.Charge
      const outcomes = []
      for (const refund of charge.refunds?.data ?? []) {
        const recorded = await app.payments.recordProviderRefund(refund.id)
        // The organiser's figures (revenue less refunds) change with it, live.
        app.afterCommit({ mailQueued: true, ...(recorded.eventId !== null && { eventChanged: recorded.eventId }) })
        outcomes.push(recorded.outcome)
      }
      return outcomes.join(',') || 'nothing'
    }
    return 'ignored'
  }

  /** The order named in an organiser's URL, of the event the access hook loaded. */
  async function orderOfEvent(request: FastifyRequest) {
    const event = eventOf(request)
    const code = (request.params as { code?: string }).code ?? ''
    const order = await app.db.selectFrom('orders').selectAll().where('code', '=', code).where('eventId', '=', event.id).executeTakeFirst()
    if (!order) throw new NotFound()
    return { event, order }
  }

  const owner = { config: { access: 'event-owner' as const } }
  const ordersPage = (eventId: number) => `/events/${eventId}/orders`

  // A transfer that arrived, or cash taken: the organiser marks the order paid.
  app.post('/events/:id/orders/:code/mark-paid', owner, async (request, reply) => {
    const { event, order } = await orderOfEvent(request)
    const done = await recordPaymentByHand(app.db, order.id, order.paymentMethod, actorOf(request))
    if (done.kind === 'paid') {
      app.afterCommit({ eventChanged: event.id, mailQueued: true })
      reply.flash('success', 'flash.payments.markedPaid', { code: order.code })
    } else if (done.kind === 'already') reply.flash('info', 'flash.payments.alreadyPaid', { code: order.code })
    else reply.flash('error', 'flash.payments.ticketsGone', { code: order.code })
    return reply.redirect(ordersPage(event.id), 303)
  })

  // Money back, all of what is left or part of it, through the method that took it.
  app.post('/events/:id/orders/:code/refund', owner, async (request, reply) => {
    const { event, order } = await orderOfEvent(request)
    const form = new FormReader(request.body)
    const typed = form.text('amount')
    const amount = typed === '' ? 'rest' : parseAmount(typed, order.currency)
    if (amount === null) {
      reply.flash('error', 'flash.payments.amountInvalid', { amount: typed })
      return reply.redirect(ordersPage(event.id), 303)
    }
    try {
      await refundOrder(app.db, order.id, amount, { reason: 'organiser', actor: actorOf(request) })
      // A refund lowers the revenue that the owner's live dashboard shows.
      app.afterCommit({ eventChanged: event.id, mailQueued: true })
      reply.flash('success', 'flash.payments.refunded', { code: order.code })
    } catch (error) {
      if (!(error instanceof RefundRefused)) throw error
      reply.flash('error', `flash.payments.refund.${error.reason.code}`, { code: order.code })
    }
    return reply.redirect(ordersPage(event.id), 303)
  })

  // The organiser cancels an order: an open payment page is closed first; what was paid is refunded with it when asked.
  app.post('/events/:id/orders/:code/cancel', owner, async (request, reply) => {
    const { event, order } = await orderOfEvent(request)
    const refund = new FormReader(request.body).text('refund') === 'yes'
    await app.payments.method(order.paymentMethod)?.cancelStarted(app.db, order.id)
    // A payment page paid meanwhile makes the order paid: it is then cancelled and refunded like any paid order.
    if (order.status === 'pending') await app.payments.confirmWaiting(order.id)
    const actor = actorOf(request)
    const left = refund ? (await refundableOf(app.db, order.id)).reduce((sum, entry) => sum + entry.leftMinor, 0) : 0
    const cancelled = await cancelOrder(
      app.db,
      order,
      {
        ...auditBy(actor),
        action: 'order.cancelled_by_organiser',
        subjectType: 'order',
        subjectId: order.id,
        details: { code: order.code, refund },
      },
      siteUrl(request),
      left > 0 ? (trx) => refundTheRest(trx, order.id, { reason: 'organiser', actor }) : undefined,
    ).catch((error: unknown) => {
      if (error instanceof OrderCheckedIn) return error
      throw error
    })
    if (cancelled instanceof OrderCheckedIn) reply.flash('error', 'flash.payments.checkedIn', { code: order.code })
    else if (cancelled) {
      app.afterCommit({ eventChanged: event.id, mailQueued: true })
      reply.flash('success', 'flash.payments.cancelled', { code: order.code })
    } else reply.flash('info', 'flash.payments.alreadyCancelled', { code: order.code })
    return reply.redirect(ordersPage(event.id), 303)
  })
}
