import { sql } from 'kysely'
import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { GUARDED as GUARDED_CONFIRM } from '../../src/features/payments/confirm.js'
import {
  type CardBuyer,
  WEBHOOK_SECRET,
  offerCard,
  orderByCard,
  payOnPage,
  paymentTraces,
  postWebhook,
  sessionCompleted,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'

/**
 * Stripe's webhook: one delivery sent again and again (Stripe retries until
 * it reads a 2xx, and may send an event more than once) changes the order
 * once; a delivery whose signature does not match is refused with 400; an
 * event the app has no use for is answered 2xx, so that Stripe stops sending it.
 */

const DELIVERIES = 20

function useCardSale(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async (instances: number, seams?: ServerOptions['seams']) => {
    const { urls, db } = await listen(instances, { ...stripeAt(standIn()), seams })
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ capacity: 10 }] })
    await offerCard(db, event.id)
    const buyer = await orderByCard(db, standIn(), { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: ticketTypes[0]!.id, quantity: 2 })
    // Paid, with no webhook yet: the stand-in delivers none until told where.
    await payOnPage(buyer)
    return { urls, db, standIn: standIn(), buyer }
  }
}

/** What must hold once one event was delivered many times, as broken rules (none when all hold). */
async function replayViolations(db: Db, buyer: CardBuyer, statuses: number[]): Promise<string[]> {
  const violations: string[] = []
  const traces = await paymentTraces(db, buyer.orderId)
  const notices = await db.selectFrom('paymentNotices').select('eventId').execute()
  if (traces.status !== 'paid') violations.push(`the order is ${traces.status}`)
  if (traces.payments.join() !== 'paid') violations.push(`payments: ${traces.payments.join()}`)
  if (traces.paidMails !== 1) violations.push(`${traces.paidMails} order-paid mails`)
  if (traces.paidAudits.join() !== 'order.paid') violations.push(`audited as ${traces.paidAudits.join() || 'nothing'}`)
  if (traces.refunds.length > 0) violations.push(`refunded ${traces.refunds.length} times though paid`)
  if (notices.length !== 1) violations.push(`${notices.length} notices recorded for one event`)
  const refused = statuses.filter((status) => status !== 200)
  if (refused.length > 0) violations.push(`${refused.length} deliveries answered ${[...new Set(refused)].join()}`)
  return violations
}

/**
 * The two guards of a replay, removed: the notices' unique key on Stripe's
 * event id (dropped from this test's own database) and, through the seam,
 * the conditional move of the payment to paid.
 */
async function withoutNoticeKey(db: Db, kind: DatabaseKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`alter table payment_notices drop constraint payment_notices_provider_event`.execute(db)
    return
  }
  // SQLite cannot drop a table's constraint: the (still empty) table is made again without it.
  await sql`drop table payment_notices`.execute(db)
  await sql`create table payment_notices (id integer primary key autoincrement, provider text not null, event_id text not null,
    type text not null, received_at bigint not null, outcome text not null)`.execute(db)
}

describeEachDatabase('one webhook delivered many times at once', (kind) => {
  const start = useCardSale(kind)

  for (const instances of [1, 2]) {
    const where = instances === 1 ? 'on one server' : 'across two instances'
    it.runIf(instances === 1 || kind === 'postgres')(`has one effect when delivered ${DELIVERIES} times, ${where}`, async () => {
      const { urls, db, standIn, buyer } = await start(instances)
      const delivery = sessionCompleted(standIn, buyer)
      const statuses = await Promise.all(Array.from({ length: DELIVERIES }, (_, i) => postWebhook(urls[i % urls.length]!, delivery)))

      expect(await replayViolations(db, buyer, statuses)).toEqual([])
      const [notice] = await db.selectFrom('paymentNotices').select(['type', 'outcome']).execute()
      expect(notice).toEqual({ type: 'checkout.session.completed', outcome: 'paid' })
      expect(standIn.refunds.size).toBe(0)
    })

    it.runIf(instances === 1 || kind === 'postgres')(
      `control: without the notices' unique key and the conditional move, the same test catches the replays' effects, ${where}`,
      async () => {
        const { urls, db, standIn, buyer } = await start(instances, { paymentGuard: { ...GUARDED_CONFIRM, conditional: false } })
        await withoutNoticeKey(db, kind)
        const delivery = sessionCompleted(standIn, buyer)
        const statuses = await Promise.all(Array.from({ length: DELIVERIES }, (_, i) => postWebhook(urls[i % urls.length]!, delivery)))

        const violations = await replayViolations(db, buyer, statuses)
        expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^refunded \d+ times though paid/))
        expect(violations).toContainEqual(expect.stringMatching(/^\d+ notices recorded for one event/))
      },
    )
  }

  it('refuses a delivery whose signature does not match with 400, and records nothing', async () => {
    const { urls, db, standIn, buyer } = await start(1)
    const event = standIn.webhookEvent('checkout.session.completed', standIn.sessions.get(buyer.sessionId)!)
    const signed = standIn.signedDelivery(event, WEBHOOK_SECRET)
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600
    const forged = [
      standIn.signedDelivery(event, 'whsec_someone_else'),
      // The body changed after it was signed.
      { ...signed, body: signed.body.replace('"paid"', '"paid" ') },
      // A delivery recorded long ago and sent again by someone else.
      standIn.signedDelivery(event, WEBHOOK_SECRET, tenMinutesAgo),
      { ...signed, headers: { ...signed.headers, 'stripe-signature': '' } },
    ]

    for (const delivery of forged) expect(await postWebhook(urls[0]!, delivery)).toBe(400)
    expect(await db.selectFrom('paymentNotices').selectAll().execute()).toEqual([])
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ status: 'pending', payments: ['started'], paidMails: 0 })
    // The same event, signed rightly, is then applied.
    expect(await postWebhook(urls[0]!, signed)).toBe(200)
    expect((await paymentTraces(db, buyer.orderId)).status).toBe('paid')
  })

  it('answers an event it has no use for 2xx, recorded and changing nothing', async () => {
    const { urls, db, standIn, buyer } = await start(1)
    const customer = { id: 'cus_stand_in', object: 'customer', email: 'someone@example.test' }
    const unknown = standIn.webhookEvent('customer.created', customer)

    const status = await postWebhook(urls[0]!, standIn.signedDelivery(unknown, WEBHOOK_SECRET))

    expect(status).toBeGreaterThanOrEqual(200)
    expect(status).toBeLessThan(300)
    const notices = await db.selectFrom('paymentNotices').select(['eventId', 'type', 'outcome']).execute()
    expect(notices).toEqual([{ eventId: unknown.id, type: 'customer.created', outcome: 'ignored' }])
    expect(await paymentTraces(db, buyer.orderId)).toMatchObject({ status: 'pending', payments: ['started'], paidMails: 0 })
  })
})
