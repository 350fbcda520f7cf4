import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SignedDelivery, StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * The stand-in, driven through the real `stripe` package as the app drives
 * it: if the package could not talk to it, or it answered what Stripe would
 * not, the app's payment tests would prove nothing.
 */

const WEBHOOK_SECRET = 'whsec_stand_in_test'

let standIn: StripeStandIn
let stripe: Stripe
beforeEach(async () => {
  standIn = new StripeStandIn()
  await standIn.start()
  stripe = new Stripe(standIn.secretKey, standIn.clientOptions)
})
afterEach(() => standIn.close())

const inMinutes = (minutes: number) => Math.floor(Date.now() / 1000) + minutes * 60

function order42(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [
      { quantity: 2, price_data: { currency: 'eur', unit_amount: 1250, product_data: { name: 'Standing' } } },
      { quantity: 1, price_data: { currency: 'eur', unit_amount: 300, product_data: { name: 'Booking fee' } } },
    ],
    client_reference_id: 'order-42',
    metadata: { order_id: '42' },
    success_url: 'http://127.0.0.1:9/orders/42/paid?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:9/orders/42',
    expires_at: inMinutes(31),
    ...overrides,
  }
}

/** What a browser does with the pay page's buttons; the redirect is read, not followed. */
function press(session: { url: string | null }, action: 'pay' | 'cancel'): Promise<Response> {
  return fetch(session.url!, { method: 'POST', body: new URLSearchParams({ action }), redirect: 'manual' })
}

/** The webhooks the stand-in sends, each checked with the package's own verification. */
function collectWebhooks(): Stripe.Event[] {
  const events: Stripe.Event[] = []
  standIn.deliverTo(async ({ body, headers }: SignedDelivery) => {
    events.push(stripe.webhooks.constructEvent(body, headers['stripe-signature'], WEBHOOK_SECRET))
    return 200
  }, WEBHOOK_SECRET)
  return events
}

describe('Checkout Sessions', () => {
  it('creates one session per idempotency key, with the amounts of its line items, and refuses the key for other parameters', async () => {
    // Built once: expires_at is a parameter too, and a second later it would differ.
    const params = order42()
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'order-42-attempt-1' })
    const again = await stripe.checkout.sessions.create(params, { idempotencyKey: 'order-42-attempt-1' })

    expect(again.id).toBe(first.id)
    expect(standIn.sessions.size).toBe(1)
    expect(first).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      mode: 'payment',
      amount_total: 2800,
      currency: 'eur',
      client_reference_id: 'order-42',
      metadata: { order_id: '42' },
      payment_intent: null,
      url: `${standIn.url}/pay/${first.id}`,
    })
    expect(first.id).toMatch(/^cs_test_/)
    expect(standIn.requests.filter((request) => request.idempotencyKey === 'order-42-attempt-1')).toHaveLength(2)

    const otherOrder = stripe.checkout.sessions.create(
      { ...params, client_reference_id: 'order-43' },
      {
        idempotencyKey: 'order-42-attempt-1',
      },
    )
    await expect(otherOrder).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(standIn.sessions.size).toBe(1)
  })

  it('retrieves a session as it is now', async () => {
    const created = await stripe.checkout.sessions.create(order42())
    expect(await stripe.checkout.sessions.retrieve(created.id)).toEqual(created)

    await standIn.pay(created.id)
    const paid = await stripe.checkout.sessions.retrieve(created.id)
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', payment_intent: expect.stringMatching(/^pi_/) })

    const missing = stripe.checkout.sessions.retrieve('cs_test_nothing')
    await expect(missing).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' })
  })

  it('refuses an expires_at less than 30 minutes or more than 24 hours ahead, as Stripe does, unless told to relax', async () => {
    for (const expiresAt of [inMinutes(29), inMinutes(24 * 60 + 1)]) {
      const refused = stripe.checkout.sessions.create(order42({ expires_at: expiresAt }))
      await expect(refused).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'expires_at' })
    }
    expect(standIn.sessions.size).toBe(0)

    const relaxed = new StripeStandIn({ relaxExpiry: true })
    await relaxed.start()
    try {
      const client = new Stripe(relaxed.secretKey, relaxed.clientOptions)
      const inAMinute = inMinutes(1)
      const soon = await client.checkout.sessions.create(order42({ expires_at: inAMinute }))
      expect(soon.expires_at).toBe(inAMinute)
    } finally {
      await relaxed.close()
    }
  })

  it('expires an open session through the API, and refuses to expire a complete one', async () => {
    const open = await stripe.checkout.sessions.create(order42())
    expect(await stripe.checkout.sessions.expire(open.id)).toMatchObject({ id: open.id, status: 'expired' })

    const paid = await stripe.checkout.sessions.create(order42())
    await standIn.pay(paid.id)
    await expect(stripe.checkout.sessions.expire(paid.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 })
    expect(standIn.sessions.get(paid.id)?.status).toBe('complete')
  })
})

describe('the pay page', () => {
  it('shows a form whose Pay button completes the session and sends the customer to success_url with its id', async () => {
    const session = await stripe.checkout.sessions.create(order42())
    const page = await fetch(session.url!)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<button name="action" value="pay">Pay</button>')

    const paid = await press(session, 'pay')
    expect(paid.status).toBe(303)
    expect(paid.headers.get('location')).toBe(`http://127.0.0.1:9/orders/42/paid?session=${session.id}`)
    expect(standIn.sessions.get(session.id)).toMatchObject({ status: 'complete', payment_status: 'paid' })

    expect((await press(session, 'pay')).status).toBe(410)
  })

  it('sends the customer to cancel_url on Cancel, leaving the session open', async () => {
    const session = await stripe.checkout.sessions.create(order42())
    const cancelled = await press(session, 'cancel')
    expect(cancelled.status).toBe(303)
    expect(cancelled.headers.get('location')).toBe('http://127.0.0.1:9/orders/42')
    expect(standIn.sessions.get(session.id)?.status).toBe('open')
  })

  it('refuses an expired session, and one past its expires_at', async () => {
    const expired = await stripe.checkout.sessions.create(order42())
    await standIn.expire(expired.id)
    expect((await fetch(expired.url!)).status).toBe(410)
    expect((await press(expired, 'pay')).status).toBe(410)

    const relaxed = new StripeStandIn({ relaxExpiry: true })
    await relaxed.start()
    try {
      const client = new Stripe(relaxed.secretKey, relaxed.clientOptions)
      const lapsed = await client.checkout.sessions.create(order42({ expires_at: inMinutes(-1) }))
      expect((await press(lapsed, 'pay')).status).toBe(410)
      expect(relaxed.sessions.get(lapsed.id)?.status).toBe('open')
    } finally {
      await relaxed.close()
    }
  })
})

describe('refunds', () => {
  async function paidOrder(): Promise<string> {
    const session = await stripe.checkout.sessions.create(order42())
    const { payment_intent } = await standIn.pay(session.id)
    return payment_intent!
  }

  it('refunds once per idempotency key, the rest when no amount is given, and never more than was paid', async () => {
    const paymentIntent = await paidOrder()
    const params = { payment_intent: paymentIntent, amount: 1000, metadata: { order_id: '42' } }
    const first = await stripe.refunds.create(params, { idempotencyKey: 'refund-42-1' })
    const again = await stripe.refunds.create(params, { idempotencyKey: 'refund-42-1' })
    expect(again.id).toBe(first.id)
    expect(standIn.refunds.size).toBe(1)
    expect(first).toMatchObject({ object: 'refund', status: 'succeeded', amount: 1000, currency: 'eur', payment_intent: paymentIntent })
    expect(await stripe.refunds.retrieve(first.id)).toEqual(first)

    const rest = await stripe.refunds.create({ payment_intent: paymentIntent })
    expect(rest.amount).toBe(1800)

    const more = stripe.refunds.create({ payment_intent: paymentIntent, amount: 1 })
    await expect(more).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'charge_already_refunded' })
    expect(standIn.refunds.size).toBe(2)
  })

  it('refuses a refund larger than what is left, counting refunds made in the dashboard', async () => {
    const paymentIntent = await paidOrder()
    await standIn.refundFromDashboard(paymentIntent, 2000)

    const tooMuch = stripe.refunds.create({ payment_intent: paymentIntent, amount: 801 })
    await expect(tooMuch).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'amount_too_large' })
    expect((await stripe.refunds.create({ payment_intent: paymentIntent, amount: 800 })).amount).toBe(800)
  })

  it('refuses to refund a delayed payment before it has succeeded', async () => {
    const session = await stripe.checkout.sessions.create(order42())
    const { payment_intent } = await standIn.payAsync(session.id)
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'complete', payment_status: 'unpaid' })
    await expect(stripe.refunds.create({ payment_intent: payment_intent! })).rejects.toMatchObject({ statusCode: 400 })

    await standIn.settleAsync(session.id, true)
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid')
    expect((await stripe.refunds.create({ payment_intent: payment_intent! })).amount).toBe(2800)
  })
})

describe('what Stripe refuses before anything else', () => {
  it('answers 401 to a wrong secret key', async () => {
    const impostor = new Stripe('sk_test_wrong', standIn.clientOptions)
    await expect(impostor.checkout.sessions.create(order42())).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    expect(standIn.sessions.size).toBe(0)
  })

  it('answers 404 to an endpoint it does not stand in for', async () => {
    const unknown = stripe.customers.create({ email: 'someone@example.test' })
    await expect(unknown).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404 })
  })
})

describe('failures, for retry tests', () => {
  it('fails the next calls as asked; the package retries with the same idempotency key, and one session is made', async () => {
    standIn.failNext(1, 500)
    standIn.failNext(1, 'dropped')
    const session = await stripe.checkout.sessions.create(order42())

    const attempts = standIn.requests.filter((request) => request.path === '/v1/checkout/sessions')
    expect(attempts).toHaveLength(3)
    expect(new Set(attempts.map((attempt) => attempt.idempotencyKey)).size).toBe(1)
    expect([...standIn.sessions.keys()]).toEqual([session.id])
  })

  it('loses the answer after acting, and answers the retry with what it did', async () => {
    standIn.failNext(1, 'response-lost')
    const session = await stripe.checkout.sessions.create(order42())

    expect(standIn.requests.filter((request) => request.path === '/v1/checkout/sessions')).toHaveLength(2)
    expect([...standIn.sessions.keys()]).toEqual([session.id])
  })
})

describe('webhooks', () => {
  it('signs an event so that the package verifies it with the same secret, and only with it', () => {
    const event = standIn.webhookEvent('checkout.session.completed', { id: 'cs_test_1', object: 'checkout.session' })
    const { body, headers } = standIn.signedDelivery(event, WEBHOOK_SECRET)

    const verified = stripe.webhooks.constructEvent(body, headers['stripe-signature'], WEBHOOK_SECRET)
    expect(verified).toMatchObject({ id: event.id, object: 'event', type: 'checkout.session.completed', livemode: false })
    expect(verified.data.object).toEqual({ id: 'cs_test_1', object: 'checkout.session' })

    expect(() => stripe.webhooks.constructEvent(body, headers['stripe-signature'], 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    )
    const stale = standIn.signedDelivery(event, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600)
    expect(() => stripe.webhooks.constructEvent(stale.body, stale.headers['stripe-signature'], WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    )
  })

  it('sends the event of each change, from the customer, the clock, the dashboard and the API', async () => {
    const events = collectWebhooks()
    const card = await stripe.checkout.sessions.create(order42())
    await press(card, 'pay')
    const bank = await stripe.checkout.sessions.create(order42())
    await standIn.payAsync(bank.id)
    await standIn.settleAsync(bank.id, true)
    const failing = await stripe.checkout.sessions.create(order42())
    await standIn.payAsync(failing.id)
    await standIn.settleAsync(failing.id, false)
    const lapsing = await stripe.checkout.sessions.create(order42())
    await standIn.expire(lapsing.id)
    const abandoned = await stripe.checkout.sessions.create(order42())
    await stripe.checkout.sessions.expire(abandoned.id)
    await standIn.webhooksSettled()
    const paymentIntent = standIn.sessions.get(card.id)!.payment_intent!
    await standIn.refundFromDashboard(paymentIntent, 500)
    await stripe.refunds.create({ payment_intent: paymentIntent })
    await standIn.webhooksSettled()

    expect(events.map((event) => [event.type, (event.data.object as { id: string }).id])).toEqual([
      ['checkout.session.completed', card.id],
      ['checkout.session.completed', bank.id],
      ['checkout.session.async_payment_succeeded', bank.id],
      ['checkout.session.completed', failing.id],
      ['checkout.session.async_payment_failed', failing.id],
      ['checkout.session.expired', lapsing.id],
      ['checkout.session.expired', abandoned.id],
      ['charge.refunded', expect.stringMatching(/^ch_/)],
      ['charge.refunded', expect.stringMatching(/^ch_/)],
    ])
    expect(events[0]!.data.object).toMatchObject({ status: 'complete', payment_status: 'paid', payment_intent: paymentIntent })
    expect(events[1]!.data.object).toMatchObject({ status: 'complete', payment_status: 'unpaid' })
    expect(events[2]!.data.object).toMatchObject({ status: 'complete', payment_status: 'paid' })
    expect(events[4]!.data.object).toMatchObject({ status: 'complete', payment_status: 'unpaid' })
    expect(events[8]!.data.object).toMatchObject({
      object: 'charge',
      payment_intent: paymentIntent,
      amount: 2800,
      amount_refunded: 2800,
      refunded: true,
      refunds: { data: [{ amount: 2300 }, { amount: 500 }] },
    })
    expect(standIn.deliveries.map((delivery) => delivery.status)).toEqual(Array(9).fill(200))
  })

  it('posts to a loopback URL with the signature header, and only to loopback', async () => {
    const received: { body: string; signature: string }[] = []
    const app = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        received.push({ body, signature: String(request.headers['stripe-signature']) })
        response.writeHead(400).end()
      })
    })
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    try {
      standIn.deliverTo(`http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks/stripe`, WEBHOOK_SECRET)
      const session = await stripe.checkout.sessions.create(order42())
      await standIn.pay(session.id)

      expect(received).toHaveLength(1)
      const event = stripe.webhooks.constructEvent(received[0]!.body, received[0]!.signature, WEBHOOK_SECRET)
      expect(event.type).toBe('checkout.session.completed')
      expect(standIn.deliveries.map((delivery) => delivery.status)).toEqual([400])
    } finally {
      await new Promise((resolve) => app.close(resolve))
    }
    expect(() => standIn.deliverTo('https://example.com/webhooks/stripe', WEBHOOK_SECRET)).toThrow(/loopback/)
  })
})
