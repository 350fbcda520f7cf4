import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { refundableOf } from '../../src/features/payments/refunds.js'
import {
  WEBHOOK_SECRET,
  offerCard,
  orderByCard,
  payOnPage,
  paymentTraces,
  refundRequests,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { useListeningServers } from '../helpers/servers.js'
import { expectRedirect } from '../events/support.js'
import { returnPaid } from './support.js'

/**
 * A refund made in Stripe's dashboard, behind the app's back: Stripe's
 * charge.refunded webhook tells of it, and it is recorded as a refund done
 * by the provider, once however often the webhook comes, so that what is
 * left to refund (the organiser's refund, an event's cancellation) counts it.
 */

const PRICE = 2500
const TOTAL = 2 * PRICE

function usePaidCardOrder(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async () => {
    const { urls, apps, db } = await listen(1, stripeAt(standIn()))
    const app = apps[0]!
    const organiser = await loginAs({ app, db }, 'organiser')
    const { event, ticketTypes } = await createEvent(db, organiser.user.id, { ticketTypes: [{ capacity: 20, priceMinor: PRICE }] })
    await offerCard(db, event.id)
    const buyer = await orderByCard(db, standIn(), { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: ticketTypes[0]!.id, quantity: 2 })
    await returnPaid(buyer, await payOnPage(buyer))
    standIn().deliverTo(`${urls[0]}/payments/stripe/webhook`, WEBHOOK_SECRET)
    const paymentIntent = standIn().sessions.get(buyer.sessionId)!.payment_intent!
    return { app, db, standIn: standIn(), organiser, eventId: event.id, buyer, paymentIntent }
  }
}

async function refundRows(db: Db, orderId: number) {
  return db
    .selectFrom('refunds')
    .select(['reason', 'state', 'amountMinor', 'providerRef', 'recordedBy'])
    .where('orderId', '=', orderId)
    .orderBy('id')
    .execute()
}

async function leftToRefund(db: Db, orderId: number): Promise<number> {
  return (await refundableOf(db, orderId)).reduce((sum, entry) => sum + entry.leftMinor, 0)
}

describeEachDatabase("a refund made in Stripe's dashboard", (kind) => {
  const start = usePaidCardOrder(kind)

  it('is recorded from charge.refunded as a refund done by the provider, once, though the webhook comes again', async () => {
    const { app, db, standIn, buyer, paymentIntent } = await start()

    const refund = await standIn.refundFromDashboard(paymentIntent)
    const [first] = standIn.deliveries
    // Stripe sends the same event again, and may send another event about the same charge.
    await standIn.deliver(first!.event)
    await standIn.deliver(standIn.webhookEvent('charge.refunded', first!.event.data.object))

    expect(standIn.deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200])
    expect(await refundRows(db, buyer.orderId)).toEqual([
      { reason: 'provider', state: 'done', amountMinor: TOTAL, providerRef: refund.id, recordedBy: 'Stripe' },
    ])
    const notices = await db.selectFrom('paymentNotices').select(['type', 'outcome']).where('type', '=', 'charge.refunded').execute()
    expect(notices).toEqual([
      { type: 'charge.refunded', outcome: 'recorded' },
      { type: 'charge.refunded', outcome: 'recorded' },
    ])
    // Nothing is sent back to Stripe: the money went back there already.
    await app.mail.runRound()
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ payments: ['paid'], refundTasks: 0 })
    expect(refundRequests(standIn).size).toBe(0)
    expect(await leftToRefund(db, buyer.orderId)).toBe(0)
  })

  it('tells the buyer and the audit log once, as a refund made here does', async () => {
    const { db, standIn, buyer, paymentIntent } = await start()

    await standIn.refundFromDashboard(paymentIntent, 1000)
    await standIn.deliver(standIn.deliveries[0]!.event)

    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ refundedMails: 1 })
    const audits = await db
      .selectFrom('auditLog')
      .select(['action', 'actorLabel', 'details'])
      .where('subjectType', '=', 'order')
      .where('subjectId', '=', buyer.orderId)
      .where('action', '=', 'order.refunded')
      .execute()
    expect(audits).toEqual([{ action: 'order.refunded', actorLabel: 'Stripe', details: expect.stringContaining('"amountMinor":1000') }])
  })

  it('leaves the organiser nothing more to refund, and an event cancellation nothing to send', async () => {
    const { app, db, standIn, organiser, eventId, buyer, paymentIntent } = await start()
    await standIn.refundFromDashboard(paymentIntent)

    const ordersPage = `/events/${eventId}/orders`
    expectRedirect(await organiser.browser.submit('/organiser', `${ordersPage}/${buyer.code}/refund`, { amount: '' }), ordersPage)
    expect((await organiser.browser.get(ordersPage)).body).toContain(`Nothing of order ${buyer.code} is left to refund.`)
    expectRedirect(await organiser.browser.submit(`/events/${eventId}/cancel`, `/cancel-event/${eventId}`), `/edit-event/${eventId}`)
    await app.mail.runRound()

    expect((await refundRows(db, buyer.orderId)).map((row) => row.reason)).toEqual(['provider'])
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ status: 'cancelled', refundTasks: 0 })
    expect(refundRequests(standIn).size).toBe(0)
  })

  it('in part: the organiser then refunds only what is left, through Stripe', async () => {
    const { app, db, standIn, organiser, eventId, buyer, paymentIntent } = await start()
    await standIn.refundFromDashboard(paymentIntent, 1000)
    expect(await leftToRefund(db, buyer.orderId)).toBe(TOTAL - 1000)
    // The organiser's figures count it: what was received, less what went back.
    expect((await organiser.browser.get(`/edit-event/${eventId}`)).body).toContain('revenue <strong>€40.00</strong>')

    const ordersPage = `/events/${eventId}/orders`
    expectRedirect(await organiser.browser.submit('/organiser', `${ordersPage}/${buyer.code}/refund`, { amount: '' }), ordersPage)
    await app.mail.runRound()
    await standIn.webhooksSettled()

    expect(await refundRows(db, buyer.orderId)).toEqual([
      expect.objectContaining({ reason: 'provider', state: 'done', amountMinor: 1000 }),
      expect.objectContaining({ reason: 'organiser', state: 'done', amountMinor: TOTAL - 1000 }),
    ])
    expect([...standIn.refunds.values()].map((refund) => refund.amount).sort((a, b) => a - b)).toEqual([1000, TOTAL - 1000])
    expect(await leftToRefund(db, buyer.orderId)).toBe(0)
    expect((await organiser.browser.get(`/edit-event/${eventId}`)).body).toContain('revenue <strong>€0.00</strong>')
  })
})
