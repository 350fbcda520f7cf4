import { randomBytes } from 'node:crypto'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

/**
 * A stand-in for Stripe, for tests: tests must never reach Stripe, yet the
 * app's payment code should run as it does in production, through the real
 * `stripe` package and HTTP. So this is a small HTTP server on a loopback
 * port that answers the few endpoints the app calls (Checkout Sessions and
 * refunds) as Stripe does, with Stripe's rules that the app must respect:
 * idempotency keys, the 30 minutes to 24 hours window of `expires_at`, no
 * refund beyond what was paid, the secret key. It also plays the customer
 * (a pay page, or `pay()`), time running out (`expire()`), the dashboard
 * (`refundFromDashboard()`) and an unreliable network (`failNext()`), and
 * sends signed webhooks back to the app.
 *
 * Point the package at it with `new Stripe(standIn.secretKey, standIn.clientOptions)`.
 * Only the fields listed in the Stand-in* types below are answered.
 */

export interface StripeStandInOptions {
  /** The key the app must send as `Authorization: Bearer …`; any other is answered 401. Default 'sk_test_stand_in'. */
  secretKey?: string
  /** Accept any `expires_at`, even one already past, instead of Stripe's 30 minutes to 24 hours ahead. */
  relaxExpiry?: boolean
}

export interface StandInSession {
  id: string
  object: 'checkout.session'
  status: 'open' | 'complete' | 'expired'
  payment_status: 'paid' | 'unpaid'
  mode: 'payment'
  url: string
  amount_total: number
  currency: string
  client_reference_id: string | null
  metadata: Record<string, string>
  success_url: string
  cancel_url: string | null
  expires_at: number
  payment_intent: string | null
  created: number
  livemode: false
}

export interface StandInRefund {
  id: string
  object: 'refund'
  status: 'succeeded'
  amount: number
  currency: string
  payment_intent: string
  charge: string
  metadata: Record<string, string>
  created: number
}

/** The charge that `charge.refunded` carries, with its refunds, newest first. */
export interface StandInCharge {
  id: string
  object: 'charge'
  status: 'succeeded'
  payment_intent: string
  amount: number
  amount_refunded: number
  refunded: boolean
  currency: string
  metadata: Record<string, string>
  created: number
  livemode: false
  refunds: { object: 'list'; data: StandInRefund[]; has_more: false; url: string }
}

export interface StandInEvent<T extends object = object> {
  id: string
  object: 'event'
  type: Stripe.Event.Type
  data: { object: T }
  created: number
  livemode: false
  api_version: string
  pending_webhooks: number
  request: { id: null; idempotency_key: null }
}

/** A webhook as Stripe posts it: the raw JSON body and its headers. */
export interface SignedDelivery {
  body: string
  headers: { 'content-type': 'application/json'; 'stripe-signature': string }
}

/** Where webhooks go: a loopback URL, or a function (say, around `app.inject`) that answers with the HTTP status. */
export type WebhookTarget = string | ((delivery: SignedDelivery) => Promise<number>)

/** What the app answered to a webhook: its HTTP status, or the error that stopped the delivery. */
export interface Delivery {
  event: StandInEvent
  status: number | null
  error: string | null
}

/** An HTTP status to answer with, or the connection closed before Stripe acted ('dropped') or after ('response-lost'). */
export type Failure = number | 'dropped' | 'response-lost'

export interface StandInRequest {
  method: string
  path: string
  idempotencyKey: string | null
}

// The shapes answered must fit the package's own types: the app reads them through those types.
type Fits<T extends U, U> = T
export type _ShapesFitTheSdk = [
  Fits<StandInSession, Pick<Stripe.Checkout.Session, keyof StandInSession>>,
  Fits<StandInRefund, Pick<Stripe.Refund, keyof StandInRefund>>,
  Fits<Omit<StandInCharge, 'refunds'>, Pick<Stripe.Charge, Exclude<keyof StandInCharge, 'refunds'>>>,
]

interface Payment {
  paymentIntent: string
  charge: string
  amount: number
  currency: string
  state: 'processing' | 'succeeded' | 'failed'
  created: number
}

interface Answer {
  status: number
  json: string
}

/** Form values as Stripe reads them: `a[b][0][c]=v` becomes { a: { b: { 0: { c: 'v' } } } }. */
interface FormTree {
  [key: string]: string | FormTree
}

/** A request Stripe would refuse, answered with `status` and an invalid_request_error. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly error: { message: string; code?: string; param?: string },
  ) {
    super(error.message)
  }
}

function invalidParam(param: string, message: string): Refusal {
  return new Refusal(400, { param, message })
}

const MINUTE = 60
const HOUR = 60 * MINUTE

export class StripeStandIn {
  readonly secretKey: string
  /** Every request received, API and pay page alike, in order. */
  readonly requests: StandInRequest[] = []
  /** Every webhook sent, in order. */
  readonly deliveries: Delivery[] = []
  private readonly relaxExpiry: boolean
  private readonly server = createServer((request, response) => void this.handle(request, response))
  private readonly sessionsById = new Map<string, StandInSession>()
  private readonly refundsById = new Map<string, StandInRefund>()
  private readonly payments = new Map<string, Payment>()
  private readonly answered = new Map<string, { request: string; status: number; json: string }>()
  private readonly failures: Failure[] = []
  private readonly inFlight = new Set<Promise<unknown>>()
  private webhooks: { target: WebhookTarget; secret: string } | null = null
  private readonly holds: { path: string; meanwhile: () => Promise<void> }[] = []

  constructor(options: StripeStandInOptions = {}) {
    this.secretKey = options.secretKey ?? 'sk_test_stand_in'
    this.relaxExpiry = options.relaxExpiry ?? false
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
  }

  /** Waits for webhooks still on their way, then stops listening. */
  async close(): Promise<void> {
    await this.webhooksSettled()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The `stripe` package's options that send its requests here. */
  get clientOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' }
  }

  get sessions(): ReadonlyMap<string, StandInSession> {
    return this.sessionsById
  }

  get refunds(): ReadonlyMap<string, StandInRefund> {
    return this.refundsById
  }

  /** The next `count` API calls fail this way (queued after failures already asked for); the pay page never fails. */
  failNext(count: number, failure: Failure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure)
  }

  /**
   * The next API call to `path` waits, before it is answered, until `meanwhile` has run: what a test makes
   * happen while the app waits for Stripe (a buyer opening a payment page in the middle of a cancellation).
   */
  holdNext(path: string, meanwhile: () => Promise<void>): void {
    this.holds.push({ path, meanwhile })
  }

  /** From now on, each change below and each one the app makes through the API sends its webhook to `target`, signed with `secret`. */
  deliverTo(target: WebhookTarget, secret: string): void {
    if (typeof target === 'string' && !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(target).hostname))
      throw new Error(`the stand-in delivers webhooks on loopback only, not to ${target}`)
    this.webhooks = { target, secret }
  }

  /** The customer pays by card on the pay page: the session completes, paid. */
  async pay(sessionId: string): Promise<StandInSession> {
    const session = this.payable(sessionId)
    this.startPayment(session, 'succeeded')
    await this.emit('checkout.session.completed', session)
    return session
  }

  /** The customer pays with a delayed method (a bank debit): the session completes unpaid until `settleAsync`. */
  async payAsync(sessionId: string): Promise<StandInSession> {
    const session = this.payable(sessionId)
    this.startPayment(session, 'processing')
    await this.emit('checkout.session.completed', session)
    return session
  }

  /** The delayed payment of `sessionId` succeeds (paid) or fails (stays unpaid, for good). */
  async settleAsync(sessionId: string, succeeded: boolean): Promise<StandInSession> {
    const session = this.sessionsById.get(sessionId)
    const payment = session?.payment_intent ? this.payments.get(session.payment_intent) : undefined
    if (!session || payment?.state !== 'processing') throw new Error(`${sessionId} has no delayed payment to settle`)
    payment.state = succeeded ? 'succeeded' : 'failed'
    if (succeeded) session.payment_status = 'paid'
    await this.emit(succeeded ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed', session)
    return session
  }

  /** The session's time runs out (whatever its expires_at says). */
  async expire(sessionId: string): Promise<StandInSession> {
    const session = this.sessionsById.get(sessionId)
    if (session?.status !== 'open') throw new Error(`${sessionId} is not open`)
    session.status = 'expired'
    await this.emit('checkout.session.expired', session)
    return session
  }

  /** Someone refunds `amount` (default: what is left) in Stripe's dashboard, behind the app's back. */
  async refundFromDashboard(paymentIntent: string, amount?: number): Promise<StandInRefund> {
    const payment = this.payments.get(paymentIntent)
    if (!payment) throw new Error(`no payment ${paymentIntent}`)
    const refund = this.refund(payment, amount, {})
    await this.emit('charge.refunded', this.charge(payment))
    return refund
  }

  /** An event as Stripe sends it, around a copy of `object` as it is now. */
  webhookEvent<T extends object>(type: Stripe.Event.Type, object: T): StandInEvent<T> {
    return {
      id: newId('evt'),
      object: 'event',
      type,
      data: { object: structuredClone(object) },
      created: now(),
      livemode: false,
      api_version: Stripe.API_VERSION,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    }
  }

  /** `event` signed as Stripe signs it; `timestamp` (Unix seconds, default now) lets a test send a stale one. */
  signedDelivery(event: StandInEvent, webhookSecret: string, timestamp?: number): SignedDelivery {
    const body = JSON.stringify(event, null, 2)
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: webhookSecret, timestamp })
    return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } }
  }

  /** Sends `event` to the `deliverTo` target now (again, for a redelivery), and records what the app answered. */
  async deliver(event: StandInEvent): Promise<Delivery> {
    if (!this.webhooks) throw new Error('call deliverTo(target, secret) first')
    const { target, secret } = this.webhooks
    const signed = this.signedDelivery(event, secret)
    let delivery: Delivery
    try {
      if (typeof target === 'string') {
        const response = await fetch(target, { method: 'POST', body: signed.body, headers: signed.headers, redirect: 'manual' })
        await response.body?.cancel()
        delivery = { event, status: response.status, error: null }
      } else {
        delivery = { event, status: await target(signed), error: null }
      }
    } catch (error) {
      delivery = { event, status: null, error: String(error) }
    }
    this.deliveries.push(delivery)
    return delivery
  }

  /** Resolves once the webhooks sent after API calls (expire, refund) have been answered. */
  async webhooksSettled(): Promise<void> {
    await Promise.all(this.inFlight)
  }

  private async emit(type: Stripe.Event.Type, object: object): Promise<void> {
    if (this.webhooks) await this.deliver(this.webhookEvent(type, object))
  }

  /**
   * A webhook caused by an API call goes after the answer, unawaited, as
   * Stripe's would: the app may be waiting for that answer inside a
   * transaction that its webhook handler would need.
   */
  private emitSoon(type: Stripe.Event.Type, object: object): void {
    if (!this.webhooks) return
    const event = this.webhookEvent(type, object)
    const sent = new Promise((resolve) => setImmediate(resolve)).then(() => this.deliver(event))
    this.inFlight.add(sent)
    void sent.finally(() => this.inFlight.delete(sent))
  }

  private payable(sessionId: string): StandInSession {
    const session = this.sessionsById.get(sessionId)
    if (!session) throw new Error(`no session ${sessionId}`)
    if (session.status !== 'open') throw new Error(`${sessionId} is ${session.status}, not open`)
    if (session.expires_at <= now()) throw new Error(`${sessionId} is past its expires_at`)
    return session
  }

  private startPayment(session: StandInSession, state: Payment['state']): void {
    const payment: Payment = {
      paymentIntent: newId('pi'),
      charge: newId('ch'),
      amount: session.amount_total,
      currency: session.currency,
      state,
      created: now(),
    }
    this.payments.set(payment.paymentIntent, payment)
    session.status = 'complete'
    session.payment_status = state === 'succeeded' ? 'paid' : 'unpaid'
    session.payment_intent = payment.paymentIntent
  }

  private refunded(payment: Payment): StandInRefund[] {
    return [...this.refundsById.values()].filter((refund) => refund.payment_intent === payment.paymentIntent).reverse()
  }

  private refund(payment: Payment, amount: number | undefined, metadata: Record<string, string>): StandInRefund {
    if (payment.state !== 'succeeded')
      throw new Refusal(400, { message: `PaymentIntent ${payment.paymentIntent} has not succeeded; there is nothing to refund.` })
    const left = payment.amount - this.refunded(payment).reduce((sum, refund) => sum + refund.amount, 0)
    if (left === 0)
      throw new Refusal(400, { code: 'charge_already_refunded', message: `Charge ${payment.charge} has already been refunded.` })
    if (amount !== undefined && amount > left)
      throw new Refusal(400, {
        code: 'amount_too_large',
        param: 'amount',
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      })
    const refund: StandInRefund = {
      id: newId('re'),
      object: 'refund',
      status: 'succeeded',
      amount: amount ?? left,
      currency: payment.currency,
      payment_intent: payment.paymentIntent,
      charge: payment.charge,
      metadata,
      created: now(),
    }
    this.refundsById.set(refund.id, refund)
    return refund
  }

  private charge(payment: Payment): StandInCharge {
    const refunds = this.refunded(payment)
    const amountRefunded = refunds.reduce((sum, refund) => sum + refund.amount, 0)
    return {
      id: payment.charge,
      object: 'charge',
      status: 'succeeded',
      payment_intent: payment.paymentIntent,
      amount: payment.amount,
      amount_refunded: amountRefunded,
      refunded: amountRefunded === payment.amount,
      currency: payment.currency,
      metadata: {},
      created: payment.created,
      livemode: false,
      refunds: { object: 'list', data: refunds, has_more: false, url: `/v1/charges/${payment.charge}/refunds` },
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', this.url)
      const method = request.method ?? 'GET'
      const body = await readBody(request)
      const idempotencyKey = single(request.headers['idempotency-key'])
      this.requests.push({ method, path: url.pathname, idempotencyKey })
      if (url.pathname.startsWith('/pay/')) return await this.payPage(method, decodeURIComponent(url.pathname.slice(5)), body, response)

      const hold = this.holds.findIndex((candidate) => candidate.path === url.pathname)
      if (hold >= 0) await this.holds.splice(hold, 1)[0]!.meanwhile()
      const failure = this.failures.shift()
      if (failure === 'dropped') return void request.socket.destroy()
      if (typeof failure === 'number')
        return sendJson(response, failure, { error: { type: 'api_error', message: `The stand-in was told to fail with ${failure}.` } })
      const params = method === 'GET' ? url.searchParams.toString() : body
      const answer = this.api(method, url.pathname, params, idempotencyKey, single(request.headers.authorization))
      if (failure === 'response-lost') return void request.socket.destroy()
      sendJson(response, answer.status, answer.json, answer.replayed ? { 'idempotent-replayed': 'true' } : {})
    } catch (error) {
      // A fault of the stand-in itself: say so, and ask the package not to retry it.
      sendJson(
        response,
        500,
        { error: { type: 'api_error', message: `stand-in fault: ${String(error)}` } },
        { 'stripe-should-retry': 'false' },
      )
    }
  }

  /**
   * Authentication, then idempotency: an answer given to a key is given again
   * to the same request, refused to another. Refusals are kept too, a
   * simplification: Stripe keeps none for parameters it rejects as invalid.
   */
  private api(
    method: string,
    path: string,
    params: string,
    idempotencyKey: string | null,
    authorization: string | null,
  ): Answer & { replayed: boolean } {
    if (authorization !== `Bearer ${this.secretKey}`) {
      const shown = authorization?.replace(/^Bearer /, '').slice(0, 8) ?? ''
      return { ...refused(new Refusal(401, { message: `Invalid API Key provided: ${shown}****` })), replayed: false }
    }
    if (method !== 'POST' || !idempotencyKey) return { ...this.route(method, path, parseForm(params)), replayed: false }

    const sorted = new URLSearchParams(params)
    sorted.sort()
    const fingerprint = `${method} ${path} ${sorted.toString()}`
    const earlier = this.answered.get(idempotencyKey)
    if (earlier && earlier.request !== fingerprint) {
      const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`
      return { status: 400, json: JSON.stringify({ error: { type: 'idempotency_error', message } }), replayed: false }
    }
    if (earlier) return { status: earlier.status, json: earlier.json, replayed: true }
    const answer = this.route(method, path, parseForm(params))
    this.answered.set(idempotencyKey, { request: fingerprint, ...answer })
    return { ...answer, replayed: false }
  }

  private route(method: string, path: string, form: FormTree): Answer {
    try {
      return { status: 200, json: JSON.stringify(this.endpoint(method, path, form)) }
    } catch (error) {
      if (error instanceof Refusal) return refused(error)
      throw error
    }
  }

  private endpoint(method: string, path: string, form: FormTree): object {
    if ('expand' in form) throw invalidParam('expand', 'The Stripe stand-in does not expand objects.')
    const session = /^\/v1\/checkout\/sessions\/([^/]+)(\/expire)?$/.exec(path)
    const refund = /^\/v1\/refunds\/([^/]+)$/.exec(path)
    if (method === 'POST' && path === '/v1/checkout/sessions') return this.createSession(form)
    if (method === 'GET' && session && !session[2]) return found(this.sessionsById, session[1]!, 'checkout.session', 'session')
    if (method === 'POST' && session?.[2]) return this.expireByApi(found(this.sessionsById, session[1]!, 'checkout.session', 'session'))
    if (method === 'POST' && path === '/v1/refunds') return this.refundByApi(form)
    if (method === 'GET' && refund) return found(this.refundsById, refund[1]!, 'refund', 'id')
    throw new Refusal(404, {
      message: `Unrecognized request URL (${method}: ${path}). The Stripe stand-in answers only what Admit One uses.`,
    })
  }

  private createSession(form: FormTree): StandInSession {
    const mode = text(form, 'mode')
    if (mode === undefined) throw invalidParam('mode', 'Missing required param: mode.')
    if (mode !== 'payment') throw invalidParam('mode', `The Stripe stand-in knows only mode=payment, not ${mode}.`)
    const successUrl = text(form, 'success_url')
    if (!successUrl) throw invalidParam('success_url', 'The Stripe stand-in needs a success_url.')
    const items = list(form, 'line_items')
    if (items.length === 0) throw invalidParam('line_items', 'line_items is required in payment mode.')

    let amountTotal = 0
    const currencies = new Set<string>()
    items.forEach((item, index) => {
      const param = `line_items[${index}]`
      const priceData = item.price_data
      if (typeof priceData !== 'object')
        throw invalidParam(`${param}[price_data]`, 'The Stripe stand-in knows only line items with price_data.')
      const unitAmount = integer(priceData, 'unit_amount', `${param}[price_data][unit_amount]`)
      const quantity = integer(item, 'quantity', `${param}[quantity]`) ?? 1
      if (unitAmount === undefined || unitAmount < 0) throw invalidParam(`${param}[price_data][unit_amount]`, 'Invalid unit_amount.')
      if (quantity < 1) throw invalidParam(`${param}[quantity]`, 'Invalid quantity: must be at least 1.')
      currencies.add(text(priceData, 'currency') ?? '')
      amountTotal += unitAmount * quantity
    })
    const currency = [...currencies][0]!
    if (currencies.size > 1 || !/^[a-z]{3}$/.test(currency))
      throw invalidParam('line_items', 'Every line item needs the same lowercase three-letter currency.')

    const created = now()
    const expiresAt = integer(form, 'expires_at', 'expires_at') ?? created + 24 * HOUR
    if (!this.relaxExpiry && expiresAt < created + 30 * MINUTE)
      throw invalidParam('expires_at', 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.')
    if (!this.relaxExpiry && expiresAt > created + 24 * HOUR)
      throw invalidParam('expires_at', 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.')

    const id = `cs_test_${randomBytes(16).toString('hex')}`
    const session: StandInSession = {
      id,
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      mode: 'payment',
      url: `${this.url}/pay/${id}`,
      amount_total: amountTotal,
      currency,
      client_reference_id: text(form, 'client_reference_id') ?? null,
      metadata: strings(form, 'metadata'),
      success_url: successUrl,
      cancel_url: text(form, 'cancel_url') ?? null,
      expires_at: expiresAt,
      payment_intent: null,
      created,
      livemode: false,
    }
    this.sessionsById.set(id, session)
    return session
  }

  private expireByApi(session: StandInSession): StandInSession {
    if (session.status !== 'open')
      throw new Refusal(400, { message: `This Checkout Session is ${session.status}; only an open one can be expired.` })
    session.status = 'expired'
    this.emitSoon('checkout.session.expired', session)
    return session
  }

  private refundByApi(form: FormTree): StandInRefund {
    const paymentIntent = text(form, 'payment_intent')
    if (!paymentIntent) throw invalidParam('payment_intent', 'Missing required param: payment_intent.')
    const payment = found(this.payments, paymentIntent, 'payment_intent', 'payment_intent')
    const amount = integer(form, 'amount', 'amount')
    if (amount !== undefined && amount < 1) throw invalidParam('amount', 'Invalid amount: must be at least 1.')
    const refund = this.refund(payment, amount, strings(form, 'metadata'))
    this.emitSoon('charge.refunded', this.charge(payment))
    return refund
  }

  /** Stripe's hosted page, reduced to two buttons: the path a browser (or a test's fetch) takes. */
  private async payPage(method: string, sessionId: string, body: string, response: ServerResponse): Promise<void> {
    const session = this.sessionsById.get(sessionId)
    if (!session) return sendHtml(response, 404, '<p>No such Checkout Session.</p>')
    if (session.status !== 'open' || session.expires_at <= now())
      return sendHtml(
        response,
        410,
        `<p>This Checkout Session is ${session.status === 'open' ? 'past its expiry time' : session.status}.</p>`,
      )
    if (method === 'GET') return sendHtml(response, 200, payForm(session))
    const action = new URLSearchParams(body).get('action')
    if (method === 'POST' && action === 'pay') {
      await this.pay(session.id)
      return redirect(response, session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id))
    }
    if (method === 'POST' && action === 'cancel' && session.cancel_url) return redirect(response, session.cancel_url)
    sendHtml(response, 400, '<p>Press Pay or Cancel.</p>')
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000)
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`
}

function refused(refusal: Refusal): Answer {
  return { status: refusal.status, json: JSON.stringify({ error: { type: 'invalid_request_error', ...refusal.error } }) }
}

function found<T>(objects: ReadonlyMap<string, T>, id: string, kind: string, param: string): T {
  const object = objects.get(id)
  if (object === undefined) throw new Refusal(404, { code: 'resource_missing', param, message: `No such ${kind}: '${id}'` })
  return object
}

function single(header: string | string[] | undefined): string | null {
  return (Array.isArray(header) ? header[0] : header) ?? null
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseForm(encoded: string): FormTree {
  const root: FormTree = {}
  for (const [key, value] of new URLSearchParams(encoded)) {
    const path = key.split(/[[\]]+/).filter(Boolean)
    let node = root
    for (const part of path.slice(0, -1)) {
      const next = node[part]
      node = typeof next === 'object' ? next : (node[part] = {})
    }
    node[path.at(-1) ?? key] = value
  }
  return root
}

function text(form: FormTree, name: string): string | undefined {
  const value = form[name]
  return typeof value === 'string' ? value : undefined
}

function integer(form: FormTree, name: string, param: string): number | undefined {
  const value = text(form, name)
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value)) throw invalidParam(param, `Invalid integer: ${value}`)
  return Number(value)
}

/** An indexed list (`line_items[0]`, `line_items[1]`…) in index order. */
function list(form: FormTree, name: string): FormTree[] {
  const value = form[name]
  if (typeof value !== 'object') return []
  return Object.entries(value)
    .sort(([a], [b]) => Number(a) - Number(b))
    .flatMap(([, item]) => (typeof item === 'object' ? [item] : []))
}

function strings(form: FormTree, name: string): Record<string, string> {
  const value = form[name]
  if (typeof value !== 'object') return {}
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}

function sendJson(response: ServerResponse, status: number, body: object | string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers })
  response.end(typeof body === 'string' ? body : JSON.stringify(body))
}

function sendHtml(response: ServerResponse, status: number, content: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
  response.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Stripe stand-in</title><body>${content}</body></html>`)
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location })
  response.end()
}

function payForm(session: StandInSession): string {
  const currency = session.currency.toUpperCase()
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  const amount = new Intl.NumberFormat('en', { style: 'currency', currency }).format(session.amount_total / 10 ** digits)
  const cancel = session.cancel_url ? '<button name="action" value="cancel">Cancel</button>' : ''
  return `<h1>Pay ${amount}</h1>
<form method="post" action="/pay/${session.id}"><button name="action" value="pay">Pay</button> ${cancel}</form>`
}
