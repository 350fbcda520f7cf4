import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import type { Db } from '../../src/db/database.js'
import type { Actor } from '../../src/features/audit/actor.js'
import { type RefundGuard, RefundRefused, refundOrder } from '../../src/features/payments/refunds.js'
import { type TestApp, testConfig } from '../helpers/app.js'
import {
  type CardBuyer,
  WEBHOOK_SECRET,
  offerCard,
  orderByCard,
  payOnPage,
  paymentTraces,
  refundRequests,
  showsPaid,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { type DatabaseKind, createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { logInOverHttp } from '../helpers/login.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { useListeningServers } from '../helpers/servers.js'
import type { StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * Refunds of a card order. Twenty requests to refund what is left, at the
 * same moment, make one refund, and Stripe is asked once; a refund decided
 * and then cut off by a crash before it was sent is sent once, by the next
 * process's outbox sender, and a refund whose answer was lost is asked for
 * again with the same key, which Stripe answers with the first refund.
 */

const REQUESTS = 20
const TOTAL = 2 * 2500

/** An organiser's event sold by card, and one order of two tickets paid through the real pages. */
async function paidCardOrder(
  db: Db,
  standIn: StripeStandIn,
  baseUrl: string,
): Promise<{ organiser: Persona; eventId: number; buyer: CardBuyer }> {
  const organiser = await createUser(db, 'organiser')
  const { event, ticketTypes } = await createEvent(db, organiser.id, { ticketTypes: [{ capacity: 20 }] })
  await offerCard(db, event.id)
  const buyer = await orderByCard(db, standIn, { baseUrl, eventId: event.id, ticketTypeId: ticketTypes[0]!.id, quantity: 2 })
  // Back from paying, to the order page, which confirms the payment.
  const page = await fetch(await payOnPage(buyer), { headers: { cookie: buyer.cookie } })
  expect(showsPaid(await page.text())).toBe(true)
  return { organiser, eventId: event.id, buyer }
}

function actorOf(user: Persona): Actor {
  return { userId: user.id, label: user.email, isAdmin: false, ip: null }
}

function useRefunds(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async (instances: number) => {
    const { urls, apps, db } = await listen(instances, stripeAt(standIn()))
    return { urls, apps, db, standIn: standIn(), ...(await paidCardOrder(db, standIn(), urls[0]!)) }
  }
}

/** What must hold once many asked to refund the order at once and the outbox has run, as broken rules (none when all hold). */
async function refundViolations(db: Db, standIn: StripeStandIn, buyer: CardBuyer, failures: unknown[] = []): Promise<string[]> {
  const violations: string[] = []
  const traces = await paymentTraces(db, buyer.orderId)
  const posts = [...refundRequests(standIn).values()].reduce((sum, count) => sum + count, 0)
  if (traces.refunds.length !== 1) violations.push(`${traces.refunds.length} refund rows for one order`)
  if (posts !== 1) violations.push(`${posts} refunds asked of Stripe`)
  if (standIn.refunds.size !== 1) violations.push(`${standIn.refunds.size} refunds made at Stripe`)
  const notDone = traces.refunds.filter((refund) => refund.state !== 'done')
  if (notDone.length > 0) violations.push(`${notDone.length} refunds ${[...new Set(notDone.map((refund) => refund.state))].join()}`)
  if (traces.refunds[0] && traces.refunds[0].amountMinor !== TOTAL) violations.push(`refunded ${traces.refunds[0].amountMinor} of ${TOTAL}`)
  if (traces.refundedMails !== traces.refunds.filter((refund) => refund.state === 'done').length)
    violations.push(`${traces.refundedMails} order-refunded mails`)
  const unexpected = failures.filter((error) => !(error instanceof RefundRefused && error.reason.code === 'nothing-to-refund'))
  if (unexpected.length > 0) violations.push(`${unexpected.length} requests failed: ${String(unexpected[0])}`)
  return violations
}

/** Every request at once, spread over the instances' databases; then each instance's outbox round, which sends what was queued. */
async function refundAllAtOnce(apps: TestApp[], buyer: CardBuyer, organiser: Persona, guard?: RefundGuard): Promise<unknown[]> {
  const results = await Promise.allSettled(
    Array.from({ length: REQUESTS }, (_, i) =>
      refundOrder(apps[i % apps.length]!.db, buyer.orderId, 'rest', { reason: 'organiser', actor: actorOf(organiser) }, guard),
    ),
  )
  await Promise.all(apps.map((app) => app.mail.runRound()))
  return results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))
}

describeEachDatabase('twenty requests to refund one paid card order at once', (kind) => {
  const start = useRefunds(kind)

  for (const instances of [1, 2]) {
    const where = instances === 1 ? 'on one server' : 'across two instances'
    it.runIf(instances === 1 || kind === 'postgres')(`make one refund, and Stripe is asked once, ${where}`, async () => {
      const { apps, db, standIn, buyer, organiser } = await start(instances)
      const failures = await refundAllAtOnce(apps, buyer, organiser)

      expect(await refundViolations(db, standIn, buyer, failures)).toEqual([])
      expect(failures).toHaveLength(REQUESTS - 1)
      const [refund] = standIn.refunds.values()
      expect(refund).toMatchObject({ amount: TOTAL, payment_intent: standIn.sessions.get(buyer.sessionId)!.payment_intent })
    })

    it.runIf(instances === 1 || kind === 'postgres')(
      `control: deciding on what was left before the transaction, the same test catches the refund made more than once, ${where}`,
      async () => {
        const { apps, db, standIn, buyer, organiser } = await start(instances)
        const failures = await refundAllAtOnce(apps, buyer, organiser, { readUnderOrderLock: false })

        const violations = await refundViolations(db, standIn, buyer, failures)
        expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^\d+ refund rows for one order/))
        expect(violations).toContainEqual(expect.stringMatching(/^\d+ refunds asked of Stripe/))
      },
    )

    it.runIf(instances === 1 || kind === 'postgres')(`through the organiser's refund form, make one refund, ${where}`, async () => {
      const { urls, apps, db, standIn, buyer, organiser, eventId } = await start(instances)
      // Stripe's charge.refunded comes back too, and marks the refund done at the moment the sender does: one mail all the same.
      standIn.deliverTo(`${urls.at(-1)}/payments/stripe/webhook`, WEBHOOK_SECRET)
      const sessions = await Promise.all(urls.map((url) => logInOverHttp(url, organiser)))
      const responses = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          fetch(`${urls[i % urls.length]}/events/${eventId}/orders/${buyer.code}/refund`, {
            method: 'POST',
            headers: { cookie: sessions[i % urls.length]!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ _csrf: sessions[i % urls.length]!.csrf, amount: '' }),
            redirect: 'manual',
          }),
        ),
      )
      await Promise.all(apps.map((app) => app.mail.runRound()))
      await standIn.webhooksSettled()

      expect(standIn.deliveries.map((delivery) => `${delivery.event.type} ${delivery.status}`)).toEqual(['charge.refunded 200'])
      expect(await db.selectFrom('paymentNotices').select('outcome').execute()).toEqual([{ outcome: 'ours' }])
      expect(responses.map((response) => `${response.status} ${response.headers.get('location')}`)).toEqual(
        Array(REQUESTS).fill(`303 /events/${eventId}/orders`),
      )
      expect(await refundViolations(db, standIn, buyer)).toEqual([])
      const audits = await db.selectFrom('auditLog').select('id').where('action', '=', 'order.refunded').execute()
      expect(audits).toHaveLength(1)
    })
  }
})

describeEachDatabase('a refund cut off by a crash', (kind) => {
  const standIn = useStripeStandIn()

  /** An app on its own listening port, on `database`, torn down by the caller. */
  async function startApp(url: string, dir: string): Promise<{ app: TestApp; baseUrl: string }> {
    const app = await buildApp(testConfig({ kind, url, dir, drop: async () => {} }, stripeAt(standIn())))
    return { app, baseUrl: await app.listen({ host: '127.0.0.1', port: 0 }) }
  }

  it('is sent once by the next process, when the crash came between its row and the call', async () => {
    const database = await createTestDatabase(kind)
    const apps: TestApp[] = []
    try {
      const first = await startApp(database.url, database.dir)
      apps.push(first.app)
      // The sender of the process that will die never runs: what a kill -9 right after the commit leaves.
      await first.app.mail.stop()
      const { organiser, buyer } = await paidCardOrder(first.app.db, standIn(), first.baseUrl)
      const [refundId] = await refundOrder(first.app.db, buyer.orderId, 'rest', { reason: 'organiser', actor: actorOf(organiser) })
      await first.app.close()
      expect(refundRequests(standIn()).size).toBe(0)

      const second = await startApp(database.url, database.dir)
      apps.push(second.app)
      await second.app.mail.runRound()

      const db = second.app.db
      expect(await refundViolations(db, standIn(), buyer)).toEqual([])
      const row = await db.selectFrom('refunds').selectAll().where('id', '=', refundId!).executeTakeFirstOrThrow()
      expect([...refundRequests(standIn())]).toEqual([[row.idempotencyKey, 1]])
      expect(row).toMatchObject({ state: 'done', providerRef: [...standIn().refunds.keys()][0] })
      const task = await db.selectFrom('outbox').select(['state', 'attempts']).where('kind', '=', 'refund').execute()
      expect(task).toEqual([{ state: 'sent', attempts: 1 }])
    } finally {
      await Promise.all(apps.map((app) => app.close()))
      await database.drop()
    }
  })

  it('is asked for again with the same key when the answer was lost, and made once', async () => {
    const database = await createTestDatabase(kind)
    const apps: TestApp[] = []
    try {
      const first = await startApp(database.url, database.dir)
      apps.push(first.app)
      const { organiser, buyer } = await paidCardOrder(first.app.db, standIn(), first.baseUrl)
      // Stripe makes the refund, and the answer never arrives: neither to the call nor to the package's own retry.
      standIn().failNext(2, 'response-lost')
      await refundOrder(first.app.db, buyer.orderId, 'rest', { reason: 'organiser', actor: actorOf(organiser) })
      await first.app.mail.runRound()
      expect(standIn().refunds.size).toBe(1)
      expect((await paymentTraces(first.app.db, buyer.orderId)).refunds).toMatchObject([{ state: 'queued' }])
      await first.app.close()

      const second = await startApp(database.url, database.dir)
      apps.push(second.app)
      // The task's next try falls due (the sender waits before trying again).
      await second.app.db.updateTable('outbox').set({ nextAttemptAt: Date.now() }).where('kind', '=', 'refund').execute()
      await second.app.mail.runRound()

      const db = second.app.db
      const [row] = await db.selectFrom('refunds').selectAll().execute()
      // Three calls, all with the refund's own key: Stripe answered the last with the refund it made at the first.
      expect([...refundRequests(standIn())]).toEqual([[row!.idempotencyKey, 3]])
      expect(standIn().refunds.size).toBe(1)
      expect(row).toMatchObject({ state: 'done', providerRef: [...standIn().refunds.keys()][0], amountMinor: TOTAL })
      expect((await paymentTraces(db, buyer.orderId)).refundedMails).toBe(1)
    } finally {
      await Promise.all(apps.map((app) => app.close()))
      await database.drop()
    }
  })
})

const PAIRS = 8

describeEachDatabase("the organiser's refund and the buyer's cancellation of one paid order at once", (kind) => {
  const start = useRefunds(kind)

  it('cancel it and refund it once, each order, never a server error', async () => {
    const { urls, apps, db, standIn, buyer: first, organiser, eventId } = await start(1)
    const buyers = [first]
    const ticketTypeId = (
      await db.selectFrom('tickets').select('ticketTypeId').where('orderId', '=', first.orderId).executeTakeFirstOrThrow()
    ).ticketTypeId
    while (buyers.length < PAIRS) {
      const buyer = await orderByCard(db, standIn, { baseUrl: urls[0]!, eventId, ticketTypeId, quantity: 2 })
      await (await fetch(await payOnPage(buyer), { headers: { cookie: buyer.cookie } })).body?.cancel()
      buyers.push(buyer)
    }
    const organiserSession = await logInOverHttp(urls[0]!, organiser)
    const cancelForms = await Promise.all(
      buyers.map(async (buyer) => {
        const page = await fetch(`${buyer.orderPage.replace('?key=', '/cancel?key=')}`, { headers: { cookie: buyer.cookie } })
        const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1]
        if (page.status !== 200 || !csrf) throw new Error(`the cancel page answered ${page.status} without a form`)
        return { csrf, key: new URL(buyer.orderPage).searchParams.get('key')! }
      }),
    )
    const post = (url: string, cookie: string, fields: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
        redirect: 'manual',
      })

    const responses = await Promise.all(
      buyers.flatMap((buyer, i) => [
        post(`${urls[0]}/events/${eventId}/orders/${buyer.code}/refund`, organiserSession.cookie, {
          _csrf: organiserSession.csrf,
          amount: '',
        }),
        post(`${urls[0]}/orders/${buyer.code}/cancel`, buyer.cookie, { _csrf: cancelForms[i]!.csrf, key: cancelForms[i]!.key }),
      ]),
    )
    await Promise.all(apps.map((app) => app.mail.runRound()))

    expect(responses.map((response) => response.status)).toEqual(Array(2 * PAIRS).fill(303))
    for (const buyer of buyers) {
      const traces = await paymentTraces(db, buyer.orderId)
      expect(traces).toMatchObject({ status: 'cancelled', refundedMails: 1 })
      expect(traces.refunds).toMatchObject([{ state: 'done', amountMinor: TOTAL }])
    }
    expect(standIn.refunds.size).toBe(PAIRS)
  })
})
