import { afterEach, beforeEach } from 'vitest'
import type { Config } from '../../src/config.js'
import type { Db } from '../../src/db/database.js'
import type { OrderStatus, RefundReason, RefundState } from '../../src/db/schema.js'
import { statesWhere } from '../../src/features/orders/order.states.js'
import { translator } from '../../src/i18n/translate.js'
import { type SignedDelivery, StripeStandIn } from './stripe-stand-in.js'

/** The webhook secret the test apps are given, and the stand-in signs with. */
export const WEBHOOK_SECRET = 'whsec_test_secret'

const t = translator('en')

/** Whether an order page shows its order paid: it says when, in the catalogue's words. */
export function showsPaid(html: string): boolean {
  const [before] = t('payments.order.paidOn', { when: '\u0000' }).split('\u0000')
  return html.includes(before!)
}

/** Whether an order page tells its buyer that their payment came too late and goes back. */
export function showsRefundedLate(html: string): boolean {
  return html.includes(t('payments.order.refundedLate'))
}

/** A Stripe stand-in of its own for each test: started before it, closed after it. */
export function useStripeStandIn(): () => StripeStandIn {
  let standIn: StripeStandIn | undefined
  beforeEach(async () => {
    standIn = new StripeStandIn()
    await standIn.start()
  })
  afterEach(async () => {
    await standIn?.close()
    standIn = undefined
  })
  return () => {
    if (!standIn) throw new Error('the stand-in starts in beforeEach')
    return standIn
  }
}

/** The config that sends the app's `stripe` package to the stand-in, with the webhook's secret. */
export function stripeAt(standIn: StripeStandIn): Pick<Config, 'stripe'> {
  return { stripe: { secretKey: standIn.secretKey, webhookSecret: WEBHOOK_SECRET, apiUrl: standIn.url } }
}

/** Lets the event's buyers pay by card (the event form's setting, written straight). */
export async function offerCard(db: Db, eventId: number, methods = 'card'): Promise<void> {
  await db.updateTable('events').set({ paymentMethods: methods }).where('id', '=', eventId).execute()
}

/** A buyer who ordered by card through the buy form and was sent to the stand-in's payment page. */
export interface CardBuyer {
  /** The app instance they bought on. */
  baseUrl: string
  cookie: string
  orderId: number
  code: string
  /** The order page, as the buyer's kept link opens it. */
  orderPage: string
  sessionId: string
  payPage: string
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

/**
 * Opens the buy form and orders `quantity` tickets by card, as a browser with
 * JavaScript off does: the answer must be the 303 to the stand-in's page.
 */
export async function orderByCard(
  db: Db,
  standIn: StripeStandIn,
  buy: { baseUrl: string; eventId: number; ticketTypeId: number; quantity?: number; email?: string },
): Promise<CardBuyer> {
  const { baseUrl, eventId, ticketTypeId } = buy
  const page = await fetch(`${baseUrl}/buy-tickets/${eventId}`)
  const html = await page.text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  const key = /name="key" value="([^"]+)"/.exec(html)?.[1]
  if (page.status !== 200 || !csrf || !key) throw new Error(`the buy page answered ${page.status} without a form`)
  if (!/name="payment"[^>]*value="card"/.test(html)) throw new Error('the buy form offers no card payment')
  const shown = Object.fromEntries(
    [...html.matchAll(/name="(currency|price_\d+)" value="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
  )
  const cookie = cookiesOf(page)
  const email = buy.email ?? `card-${key.slice(0, 8)}@example.test`
  const bought = await fetch(`${baseUrl}/purchase/${eventId}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...shown,
      _csrf: csrf,
      key,
      [`qty_${ticketTypeId}`]: String(buy.quantity ?? 1),
      name: 'Card Buyer',
      email,
      payment: 'card',
    }),
    redirect: 'manual',
  })
  const payPage = bought.headers.get('location') ?? ''
  if (bought.status !== 303 || !payPage.startsWith(`${standIn.url}/pay/`))
    throw new Error(`the purchase answered ${bought.status} to ${payPage}, not the payment page`)
  const sessionId = payPage.slice(`${standIn.url}/pay/`.length)
  const session = standIn.sessions.get(sessionId)!
  const order = await db
    .selectFrom('orders')
    .select(['id', 'code', 'accessKey'])
    .where('code', '=', session.client_reference_id!)
    .executeTakeFirstOrThrow()
  return {
    baseUrl,
    cookie,
    orderId: order.id,
    code: order.code,
    orderPage: `${baseUrl}/orders/${order.code}?key=${order.accessKey}`,
    sessionId,
    payPage,
  }
}

/** The buyer presses Pay on the stand-in's page; returns where it sends them back (the return URL). */
export async function payOnPage(buyer: CardBuyer): Promise<string> {
  const paid = await fetch(buyer.payPage, { method: 'POST', body: new URLSearchParams({ action: 'pay' }), redirect: 'manual' })
  const back = paid.headers.get('location')
  if (paid.status !== 303 || !back) throw new Error(`the payment page answered ${paid.status}`)
  return back
}

/** A signed webhook, posted as Stripe posts it; the app's HTTP status. */
export async function postWebhook(baseUrl: string, delivery: SignedDelivery): Promise<number> {
  const response = await fetch(`${baseUrl}/payments/stripe/webhook`, {
    method: 'POST',
    body: delivery.body,
    headers: delivery.headers,
    redirect: 'manual',
  })
  await response.body?.cancel()
  return response.status
}

/** Stripe's checkout.session.completed of the buyer's session as it stands at the stand-in, signed. */
export function sessionCompleted(standIn: StripeStandIn, buyer: CardBuyer): SignedDelivery {
  const event = standIn.webhookEvent('checkout.session.completed', standIn.sessions.get(buyer.sessionId)!)
  return standIn.signedDelivery(event, WEBHOOK_SECRET)
}

/** The address of `url` on another app instance (the same path and query). */
export function onInstance(url: string, baseUrl: string): string {
  const { pathname, search } = new URL(url)
  return `${baseUrl}${pathname}${search}`
}

/** What became of an order's payment, read from the database: its state, and each trace a confirmation or a refund leaves. */
export interface PaymentTraces {
  status: OrderStatus
  tickets: number
  payments: string[]
  /** 'order-paid' mails queued for the order. */
  paidMails: number
  /** Audit entries of the order becoming paid (on time or late). */
  paidAudits: string[]
  refunds: { reason: RefundReason; state: RefundState; amountMinor: number; idempotencyKey: string }[]
  /** 'refund' tasks queued for the outbox's sender. */
  refundTasks: number
  refundedMails: number
}

export async function paymentTraces(db: Db, orderId: number): Promise<PaymentTraces> {
  const order = await db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()
  const tickets = await db.selectFrom('tickets').select('id').where('orderId', '=', orderId).execute()
  const payments = await db.selectFrom('payments').select('state').where('orderId', '=', orderId).orderBy('id').execute()
  const outbox = await db
    .selectFrom('outbox')
    .select(['kind', 'data'])
    .where('kind', 'in', ['order-paid', 'order-refunded', 'refund'])
    .execute()
  const refunds = await db
    .selectFrom('refunds')
    .select(['id', 'reason', 'state', 'amountMinor', 'idempotencyKey'])
    .where('orderId', '=', orderId)
    .orderBy('id')
    .execute()
  const audits = await db
    .selectFrom('auditLog')
    .select('action')
    .where('subjectType', '=', 'order')
    .where('subjectId', '=', orderId)
    .where('action', 'in', ['order.paid', 'order.paid_late'])
    .execute()
  const data = (kind: string) => outbox.filter((row) => row.kind === kind).map((row) => JSON.parse(row.data) as Record<string, number>)
  const refundIds = new Set(refunds.map((refund) => refund.id))
  return {
    status: order.status,
    tickets: tickets.length,
    payments: payments.map((payment) => payment.state),
    paidMails: data('order-paid').filter((mail) => mail.orderId === orderId).length,
    paidAudits: audits.map((audit) => audit.action),
    refunds: refunds.map(({ id: _id, ...refund }) => refund),
    refundTasks: data('refund').filter((task) => refundIds.has(task.refundId!)).length,
    refundedMails: data('order-refunded').filter((mail) => mail.orderId === orderId).length,
  }
}

/** The refunds the stand-in was asked for, by idempotency key: how many requests carried each. */
export function refundRequests(standIn: StripeStandIn): Map<string | null, number> {
  const counts = new Map<string | null, number>()
  for (const request of standIn.requests) {
    if (request.method === 'POST' && request.path === '/v1/refunds')
      counts.set(request.idempotencyKey, (counts.get(request.idempotencyKey) ?? 0) + 1)
  }
  return counts
}

/** Tickets sold by an event and by its ticket type, against the tickets that stand in its orders that hold capacity. */
export async function capacityCounts(db: Db, eventId: number, ticketTypeId: number) {
  const event = await db.selectFrom('events').select('sold').where('id', '=', eventId).executeTakeFirstOrThrow()
  const type = await db.selectFrom('ticketTypes').select(['sold', 'capacity']).where('id', '=', ticketTypeId).executeTakeFirstOrThrow()
  const held = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('orders.eventId', '=', eventId)
    .where('orders.status', 'in', statesWhere('holdsCapacity'))
    .where('tickets.cancelledAt', 'is', null)
    .executeTakeFirstOrThrow()
  return { capacity: type.capacity, eventSold: event.sold, typeSold: type.sold, ticketsHeld: Number(held.count) }
}

/** The order's deadline, and its event's next expiry, moved into the past: the next settle lapses it. */
export async function lapseDeadline(db: Db, orderId: number): Promise<void> {
  const past = Date.now() - 1000
  const order = await db
    .updateTable('orders')
    .set({ paymentDeadline: past })
    .where('id', '=', orderId)
    .returning('eventId')
    .executeTakeFirstOrThrow()
  await db.updateTable('events').set({ nextExpiryAt: past }).where('id', '=', order.eventId).execute()
}
