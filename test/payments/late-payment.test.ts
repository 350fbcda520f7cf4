import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { TestApp } from '../helpers/app.js'
import {
  type CardBuyer,
  capacityCounts,
  lapseDeadline,
  offerCard,
  onInstance,
  orderByCard,
  payOnPage,
  paymentTraces,
  postWebhook,
  refundRequests,
  sessionCompleted,
  showsRefundedLate,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { LATE_PAYMENT_UNCHECKED } from '../helpers/check-then-act.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { buyAllAtOnce, prepareBuyers, succeeded } from '../helpers/flash-sale.js'
import { createUser } from '../helpers/personas.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'
import type { StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * Payments that arrive just as their orders lapse. A Checkout Session closes
 * before its order's hold does, but a return or a webhook may still come
 * after the deadline, when settle has given the tickets back and someone may
 * have bought them. Each such order ends either paid with its tickets
 * (taken again under the guard when they are still free) or refunded in full,
 * once, through Stripe; never both, and never more tickets than the capacity.
 */

const PRICE = 2500

function useCardSale(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async (capacity: number, instances = 1, seams?: ServerOptions['seams']) => {
    const { urls, apps, db } = await listen(instances, { ...stripeAt(standIn()), seams })
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ capacity, priceMinor: PRICE }] })
    // Card for the buyers who pay late; at the door for the rivals who buy what they gave back.
    await offerCard(db, event.id, 'card,at-door')
    return { urls, apps, db, standIn: standIn(), eventId: event.id, ticketTypeId: ticketTypes[0]!.id }
  }
}

type Sale = Awaited<ReturnType<ReturnType<typeof useCardSale>>>

/** Rivals on the buy form, each to buy `quantity` at the door. */
async function prepareRivals(sale: Sale, count: number, quantity: number) {
  const buyers = await prepareBuyers(sale.urls, sale.eventId, count, { quantity: () => quantity })
  return buyers.map((buyer) => ({ ...buyer, shown: { ...buyer.shown, payment: 'at-door' } }))
}

/** The two ways a payment is learnt of without a person: Stripe's webhook, and the buyer's return to the order page. */
const PATHS = {
  webhook: (standIn: StripeStandIn, buyer: CardBuyer, baseUrl: string) => postWebhook(baseUrl, sessionCompleted(standIn, buyer)),
  'return URL': async (_standIn: StripeStandIn, buyer: CardBuyer, baseUrl: string, returnUrl: string) => {
    const response = await fetch(onInstance(returnUrl, baseUrl), { headers: { cookie: buyer.cookie } })
    await response.body?.cancel()
    return response.status
  },
}

/** Runs every instance's outbox sender once more, so that each refund queued is sent (or found sent). */
async function sendQueuedRefunds(apps: TestApp[]): Promise<void> {
  await Promise.all(apps.map((app) => app.mail.runRound()))
}

describeEachDatabase('a card payment that arrives after its order lapsed', (kind) => {
  const start = useCardSale(kind)

  for (const [path, confirm] of Object.entries(PATHS)) {
    it(`takes its tickets again when they are still free, through the ${path}: paid, late`, async () => {
      const sale = await start(10)
      const { urls, db, standIn } = sale
      const buyer = await orderByCard(db, standIn, {
        baseUrl: urls[0]!,
        eventId: sale.eventId,
        ticketTypeId: sale.ticketTypeId,
        quantity: 2,
      })
      const returnUrl = await payOnPage(buyer)
      await lapseDeadline(db, buyer.orderId)
      // Someone opens the buy form: settle lapses the order and its two tickets go back.
      expect((await fetch(`${urls[0]}/buy-tickets/${sale.eventId}`)).status).toBe(200)
      expect((await paymentTraces(db, buyer.orderId)).status).toBe('expired')
      expect(await capacityCounts(db, sale.eventId, sale.ticketTypeId)).toMatchObject({ eventSold: 0, typeSold: 0 })

      expect(await confirm(standIn, buyer, urls[0]!, returnUrl)).toBe(200)

      expect(await paymentTraces(db, buyer.orderId)).toMatchObject({
        status: 'paid',
        payments: ['paid'],
        paidMails: 1,
        paidAudits: ['order.paid_late'],
        refunds: [],
      })
      expect(await capacityCounts(db, sale.eventId, sale.ticketTypeId)).toEqual({ capacity: 10, eventSold: 2, typeSold: 2, ticketsHeld: 2 })
      await sendQueuedRefunds(sale.apps)
      expect(refundRequests(standIn).size).toBe(0)
    })

    it(`refunds it once when someone else bought the tickets, through the ${path}`, async () => {
      const sale = await start(2)
      const { urls, db, standIn } = sale
      const buyer = await orderByCard(db, standIn, {
        baseUrl: urls[0]!,
        eventId: sale.eventId,
        ticketTypeId: sale.ticketTypeId,
        quantity: 2,
      })
      const returnUrl = await payOnPage(buyer)
      await lapseDeadline(db, buyer.orderId)
      // A rival's purchase lapses the order first, then takes both tickets.
      const [rival] = await buyAllAtOnce(await prepareRivals(sale, 1, 2), sale.eventId, sale.ticketTypeId)
      expect(succeeded(rival!)).toBe(true)

      expect(await confirm(standIn, buyer, urls[0]!, returnUrl)).toBe(200)
      await sendQueuedRefunds(sale.apps)

      const traces = await paymentTraces(db, buyer.orderId)
      expect(traces).toMatchObject({
        status: 'expired',
        payments: ['paid'],
        paidMails: 0,
        paidAudits: [],
        refundTasks: 1,
        refundedMails: 1,
      })
      expect(traces.refunds).toEqual([
        { reason: 'late-payment', state: 'done', amountMinor: 2 * PRICE, idempotencyKey: expect.any(String) },
      ])
      expect(await capacityCounts(db, sale.eventId, sale.ticketTypeId)).toEqual({ capacity: 2, eventSold: 2, typeSold: 2, ticketsHeld: 2 })
      // Sent once, with the refund's own key, for the whole payment.
      expect([...refundRequests(standIn)]).toEqual([[traces.refunds[0]!.idempotencyKey, 1]])
      const [refund] = standIn.refunds.values()
      expect(refund).toMatchObject({ amount: 2 * PRICE, payment_intent: standIn.sessions.get(buyer.sessionId)!.payment_intent })
      // The buyer's page says so.
      expect(showsRefundedLate(await (await fetch(buyer.orderPage)).text())).toBe(true)

      // The same payment learnt of again, both ways: nothing more.
      expect(await PATHS.webhook(standIn, buyer, urls[0]!)).toBe(200)
      expect(await PATHS['return URL'](standIn, buyer, urls[0]!, returnUrl)).toBe(200)
      await sendQueuedRefunds(sale.apps)
      expect((await paymentTraces(db, buyer.orderId)).refunds).toHaveLength(1)
      expect(standIn.refunds.size).toBe(1)
    })
  }
})

/** Card orders of one ticket each, then rivals at the door for every ticket, when the card orders lapse as they are paid. */
const CARD_ORDERS = 10
const FREE = 2
const RIVALS = CARD_ORDERS + FREE

interface RaceOutcome {
  confirmations: number[]
  rivals: Awaited<ReturnType<typeof buyAllAtOnce>>
}

/**
 * The card buyers have paid; their deadlines pass; then their confirmations
 * (half by webhook, half by their return) and the rivals' purchases, whose
 * settle lapses the orders and whose orders take what was given back, all go at once.
 */
async function payAsOrdersLapse(sale: Sale): Promise<{ buyers: CardBuyer[]; outcome: RaceOutcome }> {
  const { urls, db, standIn } = sale
  const buyers: CardBuyer[] = []
  const returns: string[] = []
  for (let i = 0; i < CARD_ORDERS; i++) {
    const buyer = await orderByCard(db, standIn, {
      baseUrl: urls[i % urls.length]!,
      eventId: sale.eventId,
      ticketTypeId: sale.ticketTypeId,
    })
    buyers.push(buyer)
    returns.push(await payOnPage(buyer))
    await lapseDeadline(db, buyer.orderId)
  }
  const rivals = await prepareRivals(sale, RIVALS, 1)
  const [sold, ...confirmations] = await Promise.all([
    buyAllAtOnce(rivals, sale.eventId, sale.ticketTypeId),
    ...buyers.map((buyer, i) =>
      (i % 2 === 0 ? PATHS.webhook : PATHS['return URL'])(standIn, buyer, urls[(i + 1) % urls.length]!, returns[i]!),
    ),
  ])
  await sendQueuedRefunds(sale.apps)
  return { buyers, outcome: { confirmations: confirmations as number[], rivals: sold as RaceOutcome['rivals'] } }
}

/** What must hold once the race is over, as broken rules (none when all hold). */
async function lateViolations(sale: Sale, buyers: CardBuyer[], outcome: RaceOutcome): Promise<string[]> {
  const { db, standIn } = sale
  const violations: string[] = []
  const counts = await capacityCounts(db, sale.eventId, sale.ticketTypeId)
  if (counts.ticketsHeld > counts.capacity) violations.push(`oversold: ${counts.ticketsHeld} tickets for a capacity of ${counts.capacity}`)
  if (counts.eventSold !== counts.ticketsHeld || counts.typeSold !== counts.ticketsHeld)
    violations.push(`sold counters ${counts.eventSold}/${counts.typeSold} differ from the ${counts.ticketsHeld} tickets held`)
  let refundRows = 0
  for (const buyer of buyers) {
    const traces = await paymentTraces(db, buyer.orderId)
    refundRows += traces.refunds.length
    const refunded = traces.refunds.filter((refund) => refund.reason === 'late-payment' && refund.amountMinor === PRICE)
    if (traces.status === 'paid' && traces.refunds.length > 0) violations.push(`order ${buyer.code} is paid and refunded`)
    else if (traces.status === 'paid' && traces.paidMails !== 1)
      violations.push(`order ${buyer.code} is paid with ${traces.paidMails} mails`)
    else if (traces.status === 'expired' && (refunded.length !== 1 || traces.refunds.length !== 1))
      violations.push(`order ${buyer.code} lapsed with ${traces.refunds.length} refunds`)
    else if (traces.status !== 'paid' && traces.status !== 'expired') violations.push(`order ${buyer.code} is ${traces.status}`)
    for (const refund of traces.refunds) {
      if (refund.state !== 'done') violations.push(`a refund of order ${buyer.code} is ${refund.state}`)
      const sent = refundRequests(standIn).get(refund.idempotencyKey) ?? 0
      if (sent !== 1) violations.push(`a refund of order ${buyer.code} was sent ${sent} times`)
    }
  }
  if (standIn.refunds.size !== refundRows) violations.push(`${standIn.refunds.size} refunds at Stripe for ${refundRows} refund rows`)
  const failed = outcome.confirmations.filter((status) => status !== 200)
  if (failed.length > 0) violations.push(`${failed.length} confirmations answered ${failed.join()}`)
  const rivalsFailed = outcome.rivals.filter((rival) => !succeeded(rival) && rival.location !== '/purchase/fail')
  if (rivalsFailed.length > 0) violations.push(`${rivalsFailed.length} rivals answered ${rivalsFailed.map((rival) => rival.status).join()}`)
  return violations
}

/** How the card orders ended: on time, late with their tickets, or refunded. */
async function endings(db: Db, buyers: CardBuyer[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const buyer of buyers) {
    const traces = await paymentTraces(db, buyer.orderId)
    const ending = traces.refunds.length > 0 ? `${traces.status}, refunded` : (traces.paidAudits[0] ?? traces.status)
    counts[ending] = (counts[ending] ?? 0) + 1
  }
  return counts
}

describeEachDatabase('card payments racing their orders lapsing and rivals buying the tickets back', (kind) => {
  const start = useCardSale(kind)

  for (const instances of [1, 2]) {
    const where = instances === 1 ? 'on one server' : 'across two instances'
    it.runIf(instances === 1 || kind === 'postgres')(
      `each order ends paid with its tickets or refunded once, never both, never oversold, ${where}`,
      async () => {
        const sale = await start(CARD_ORDERS + FREE, instances)
        const { buyers, outcome } = await payAsOrdersLapse(sale)

        const violations = await lateViolations(sale, buyers, outcome)
        expect(violations, JSON.stringify(await endings(sale.db, buyers))).toEqual([])
      },
    )

    it.runIf(instances === 1 || kind === 'postgres')(
      `control: a late payment taking its tickets back unchecked, the same test catches the oversell, ${where}`,
      async () => {
        const sale = await start(CARD_ORDERS + FREE, instances, { paymentGuard: LATE_PAYMENT_UNCHECKED })
        const { buyers, outcome } = await payAsOrdersLapse(sale)

        const violations = await lateViolations(sale, buyers, outcome)
        expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^oversold/))
      },
    )
  }
})
