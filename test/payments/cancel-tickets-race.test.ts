import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { Actor } from '../../src/features/audit/actor.js'
import { type TicketCancelGuard, cancelTickets } from '../../src/features/orders/ticket-cancellation.js'
import { refundOrder, refundableOf } from '../../src/features/payments/refunds.js'
import type { TestApp } from '../helpers/app.js'
import { ticking } from '../helpers/cancel-tickets.js'
import {
  type CardBuyer,
  capacityCounts,
  offerCard,
  orderByCard,
  payOnPage,
  paymentTraces,
  refundRequests,
  showsPaid,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { logInOverHttp } from '../helpers/login.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { useListeningServers } from '../helpers/servers.js'
import type { StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * Twenty requests to cancel the same ticket of a paid card order, at the same
 * moment: the ticket is cancelled once, its place given back once, and one
 * refund of its price reaches Stripe. Through the organiser's confirming
 * form against listening servers (across two instances on PostgreSQL), and
 * through the service, whose control decides on what it read before its
 * transaction and cancels without the guard (check-then-act): the same
 * checks then find the ticket cancelled, given back and refunded more than once.
 */

const REQUESTS = 20
const PRICE = 2500
const CAPACITY = 20

function actorOf(user: Persona): Actor {
  return { userId: user.id, label: user.email, isAdmin: false, ip: null }
}

function useCardOrder(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  /** A card order of three tickets, paid through the real pages, on `instances` app instances. */
  return async (instances: number) => {
    const { urls, apps, db } = await listen(instances, stripeAt(standIn()))
    const organiser = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, organiser.id, { ticketTypes: [{ capacity: CAPACITY, priceMinor: PRICE }] })
    await offerCard(db, event.id)
    const typeId = ticketTypes[0]!.id
    const buyer = await orderByCard(db, standIn(), { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: typeId, quantity: 3 })
    const page = await fetch(await payOnPage(buyer), { headers: { cookie: buyer.cookie } })
    expect(showsPaid(await page.text())).toBe(true)
    const [, ticketId] = (await db.selectFrom('tickets').select('id').where('orderId', '=', buyer.orderId).orderBy('id').execute()).map(
      (row) => row.id,
    )
    return { urls, apps, db, standIn: standIn(), organiser, eventId: event.id, typeId, buyer, ticketId: ticketId! }
  }
}

/** What must hold once the requests and the outbox have run, as broken rules (none when all hold). */
async function violations(
  db: Db,
  standIn: StripeStandIn,
  order: { eventId: number; typeId: number; buyer: CardBuyer; ticketId: number },
): Promise<string[]> {
  const found: string[] = []
  const cancelled = await db
    .selectFrom('tickets')
    .select('id')
    .where('orderId', '=', order.buyer.orderId)
    .where('cancelledAt', 'is not', null)
    .execute()
  if (cancelled.length !== 1 || cancelled[0]!.id !== order.ticketId)
    found.push(`tickets cancelled: ${cancelled.map((row) => row.id).join()}`)
  const audits = await db.selectFrom('auditLog').select('id').where('action', '=', 'order.tickets_cancelled').execute()
  if (audits.length !== 1) found.push(`${audits.length} cancellations audited`)
  const counts = await capacityCounts(db, order.eventId, order.typeId)
  if (counts.typeSold !== 2 || counts.eventSold !== 2 || counts.ticketsHeld !== 2)
    found.push(`capacity given back more than once: sold ${counts.eventSold}/${counts.typeSold} for ${counts.ticketsHeld} tickets`)
  const total = await db.selectFrom('orders').select('totalMinor').where('id', '=', order.buyer.orderId).executeTakeFirstOrThrow()
  if (total.totalMinor !== 2 * PRICE) found.push(`order total ${total.totalMinor}`)
  const traces = await paymentTraces(db, order.buyer.orderId)
  if (traces.refunds.length !== 1) found.push(`${traces.refunds.length} refund rows`)
  if (traces.refunds.some((refund) => refund.amountMinor !== PRICE))
    found.push(`refunded ${traces.refunds.map((refund) => refund.amountMinor).join()}`)
  const asked = [...refundRequests(standIn).values()].reduce((sum, count) => sum + count, 0)
  if (asked !== 1) found.push(`${asked} refunds asked of Stripe`)
  const mails = await db.selectFrom('outbox').select('id').where('kind', '=', 'tickets-cancelled').execute()
  if (mails.length !== 1) found.push(`${mails.length} mails to the buyer`)
  return found
}

/** The route's cancellation, called straight, each request on one instance's database: the refund of the tickets' price with it. */
function cancelThroughService(
  app: TestApp,
  order: { buyer: CardBuyer; eventId: number; ticketId: number },
  actor: Actor,
  guard?: TicketCancelGuard,
) {
  return cancelTickets(
    app.db,
    { id: order.buyer.orderId, code: order.buyer.code, eventId: order.eventId, buyerEmail: 'card@example.test', locale: 'en' },
    [order.ticketId],
    {
      actor,
      siteUrl: order.buyer.baseUrl,
      nameOf: String,
      moneyBack: async (trx, tickets) => {
        const price = tickets.reduce((sum, ticket) => sum + ticket.priceMinor, 0)
        const left = (await refundableOf(trx, order.buyer.orderId)).reduce((sum, entry) => sum + entry.leftMinor, 0)
        const amount = Math.min(price, left)
        if (amount > 0) await refundOrder(trx, order.buyer.orderId, amount, { reason: 'organiser', actor })
        return amount
      },
    },
    guard,
  )
}

describeEachDatabase('twenty requests to cancel the same ticket of a paid card order at once', (kind) => {
  const start = useCardOrder(kind)

  for (const instances of [1, 2]) {
    const where = instances === 1 ? 'on one server' : 'across two instances'
    it.runIf(instances === 1 || kind === 'postgres')(
      `through the organiser's confirming form: cancel it once, give its place back once, one refund to Stripe, ${where}`,
      async () => {
        const order = await start(instances)
        const formUrl = `/events/${order.eventId}/orders/${order.buyer.code}/cancel-tickets`
        const sessions = await Promise.all(order.urls.map((url) => logInOverHttp(url, order.organiser, formUrl)))
        const responses = await Promise.all(
          Array.from({ length: REQUESTS }, (_, i) => {
            const session = sessions[i % sessions.length]!
            return fetch(`${order.urls[i % order.urls.length]}${formUrl}`, {
              method: 'POST',
              headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ _csrf: session.csrf, ...ticking([order.ticketId], '25.00'), confirm: 'yes' }),
              redirect: 'manual',
            })
          }),
        )
        await Promise.all(order.apps.map((app) => app.mail.runRound()))

        // Each answered as done: by this request, or by another one just before.
        expect(responses.map((response) => `${response.status} ${response.headers.get('location')}`)).toEqual(
          Array(REQUESTS).fill(`303 /events/${order.eventId}/orders?q=${order.buyer.code}`),
        )
        expect(await violations(order.db, order.standIn, order)).toEqual([])
        expect([...order.standIn.refunds.values()]).toEqual([
          expect.objectContaining({ amount: PRICE, payment_intent: order.standIn.sessions.get(order.buyer.sessionId)!.payment_intent }),
        ])
      },
    )

    it.runIf(instances === 1 || kind === 'postgres')(`through the service: cancel it once, ${where}`, async () => {
      const order = await start(instances)
      const results = await Promise.allSettled(
        Array.from({ length: REQUESTS }, (_, i) =>
          cancelThroughService(order.apps[i % order.apps.length]!, order, actorOf(order.organiser)),
        ),
      )
      await Promise.all(order.apps.map((app) => app.mail.runRound()))

      expect(results.filter((result) => result.status === 'rejected')).toEqual([])
      const kinds = results.map((result) => (result.status === 'fulfilled' ? result.value.kind : 'failed'))
      expect(kinds.filter((k) => k === 'tickets')).toHaveLength(1)
      expect(kinds.filter((k) => k === 'already')).toHaveLength(REQUESTS - 1)
      expect(await violations(order.db, order.standIn, order)).toEqual([])
    })

    it.runIf(instances === 1 || kind === 'postgres')(
      `control: deciding on the tickets read before the transaction, without the guarded UPDATE, the same checks find the ticket cancelled more than once, ${where}`,
      async () => {
        const order = await start(instances)
        await Promise.allSettled(
          Array.from({ length: REQUESTS }, (_, i) =>
            cancelThroughService(order.apps[i % order.apps.length]!, order, actorOf(order.organiser), { decideUnderLock: false }),
          ),
        )
        await Promise.all(order.apps.map((app) => app.mail.runRound()))

        const found = await violations(order.db, order.standIn, order)
        expect(found, found.join('\n')).toContainEqual(expect.stringMatching(/^\d+ cancellations audited$/))
        expect(found).toContainEqual(expect.stringMatching(/^capacity given back more than once/))
        expect(found).toContainEqual(expect.stringMatching(/^\d+ refund rows$/))
      },
    )
  }
})
