import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { WEBHOOK_SECRET, offerCard, orderByCard, paymentTraces, stripeAt, useStripeStandIn } from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { useListeningServers } from '../helpers/servers.js'

/**
 * A payment that Stripe settles later (a bank debit): Checkout completes
 * unpaid, and only checkout.session.async_payment_succeeded (or _failed)
 * says how it ended. The order waits meanwhile; it is paid on success; on
 * failure the attempt is over and the buyer pays again from the order page,
 * with a new Checkout Session under a new idempotency key.
 */

function useAsyncPayment(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async () => {
    const { urls, apps, db } = await listen(1, stripeAt(standIn()))
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ capacity: 10 }] })
    await offerCard(db, event.id)
    const buyer = await orderByCard(db, standIn(), { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: ticketTypes[0]!.id, quantity: 2 })
    standIn().deliverTo(`${urls[0]}/payments/stripe/webhook`, WEBHOOK_SECRET)
    // Paid with a delayed method: the session completes, unpaid until the bank says.
    await standIn().payAsync(buyer.sessionId)
    return { app: apps[0]!, db, standIn: standIn(), buyer }
  }
}

/** Each Checkout Session asked for, in order, by its idempotency key. */
function sessionKeys(requests: { method: string; path: string; idempotencyKey: string | null }[]): (string | null)[] {
  return requests
    .filter((request) => request.method === 'POST' && request.path === '/v1/checkout/sessions')
    .map((request) => request.idempotencyKey)
}

describeEachDatabase('a card payment settled later (a bank debit)', (kind) => {
  const start = useAsyncPayment(kind)

  it('leaves the order waiting while it is processed, and pays it when it succeeds', async () => {
    const { db, standIn, buyer } = await start()
    // The session completed unpaid: nothing is paid yet, whatever the webhook or a view of the order asks.
    expect(standIn.deliveries.map((delivery) => [delivery.event.type, delivery.status])).toEqual([['checkout.session.completed', 200]])
    expect((await fetch(buyer.orderPage)).status).toBe(200)
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ status: 'pending', payments: ['started'], paidMails: 0 })

    await standIn.settleAsync(buyer.sessionId, true)

    expect(standIn.deliveries.at(-1)).toMatchObject({ event: { type: 'checkout.session.async_payment_succeeded' }, status: 200 })
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({
      status: 'paid',
      payments: ['paid'],
      paidMails: 1,
      paidAudits: ['order.paid'],
      refunds: [],
    })
  })

  it('offers no second payment while one is processed: the order page says it is on its way, and paying again opens no session', async () => {
    const { app, standIn, buyer } = await start()
    const browser = new TestBrowser(app)
    const orderPath = new URL(buyer.orderPage).pathname + new URL(buyer.orderPage).search

    const page = await browser.get(orderPath)
    expect(page.body).toContain('Your payment is being processed.')
    expect(page.body).not.toContain(`action="/orders/${buyer.code}/pay"`)
    // A form kept open in another tab, sent now (its token as any page of this session carries it): back to the order page, and Stripe is not asked for another session.
    await browser.get(`/orders/${buyer.code}/cancel${new URL(buyer.orderPage).search}`)
    const again = await browser.post(`/orders/${buyer.code}/pay`, { key: new URL(buyer.orderPage).searchParams.get('key')! })
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe(orderPath)
    expect(sessionKeys(standIn.requests)).toHaveLength(1)
  })

  it('ends the attempt when it fails, and lets the buyer pay again from the order page with a new session and key', async () => {
    const { app, db, standIn, buyer } = await start()

    await standIn.settleAsync(buyer.sessionId, false)

    expect(standIn.deliveries.at(-1)).toMatchObject({ event: { type: 'checkout.session.async_payment_failed' }, status: 200 })
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ status: 'pending', payments: ['failed'], paidMails: 0 })

    const browser = new TestBrowser(app)
    const page = await browser.get(new URL(buyer.orderPage).pathname + new URL(buyer.orderPage).search)
    expect(page.body).toContain(`action="/orders/${buyer.code}/pay"`)
    const again = await browser.post(`/orders/${buyer.code}/pay`)
    expect(again.statusCode).toBe(303)
    const payPage = String(again.headers.location)
    expect(payPage).toMatch(new RegExp(`^${standIn.url}/pay/cs_test_`))
    const sessionId = payPage.slice(`${standIn.url}/pay/`.length)
    expect(sessionId).not.toBe(buyer.sessionId)

    const attempts = await db
      .selectFrom('payments')
      .select(['state', 'attemptKey', 'providerRef'])
      .where('orderId', '=', buyer.orderId)
      .orderBy('id')
      .execute()
    expect(attempts).toEqual([
      { state: 'failed', attemptKey: expect.any(String), providerRef: buyer.sessionId },
      { state: 'started', attemptKey: expect.any(String), providerRef: sessionId },
    ])
    expect(attempts[1]!.attemptKey).not.toBe(attempts[0]!.attemptKey)
    expect(sessionKeys(standIn.requests)).toEqual([attempts[0]!.attemptKey, attempts[1]!.attemptKey])

    await standIn.pay(sessionId)

    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({
      status: 'paid',
      payments: ['failed', 'paid'],
      paidMails: 1,
      refunds: [],
    })
  })
})
