import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import {
  capacityCounts,
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
import { TestBrowser } from '../helpers/browser.js'
import { loginAs } from '../helpers/login.js'
import { useListeningServers } from '../helpers/servers.js'
import { expectRedirect } from '../events/support.js'
import { cancelAsBuyer } from '../waiting-list/support.js'
import { BANK_DETAILS, orderWith, returnPaid, statusesOf } from './support.js'

/**
 * Cancellations that meet money. An organiser who cancels an event gives
 * back what each order paid, the way it was paid: a card payment through
 * Stripe, sent once by the outbox's sender; a transfer marked paid by hand,
 * recorded as given back by hand; an order not paid yet (a payment page left
 * open, a reservation at the door) is cancelled with nothing to give back.
 * A buyer who cancels their own paid card order gets all of it back through
 * Stripe; one who cancels before paying has the payment page closed first.
 */

const PRICE = 2500

function useCardEvent(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async (fixture: { allowBuyerCancellation?: boolean } = {}) => {
    const { urls, apps, db } = await listen(1, stripeAt(standIn()))
    const app = apps[0]!
    const organiser = await loginAs({ app, db }, 'organiser')
    const { event, ticketTypes } = await createEvent(db, organiser.user.id, {
      ticketTypes: [{ capacity: 20, priceMinor: PRICE }],
      ...fixture,
    })
    await offerCard(db, event.id, 'card,bank-transfer,at-door')
    await db.updateTable('events').set({ bankDetails: BANK_DETAILS }).where('id', '=', event.id).execute()
    const buy = { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: ticketTypes[0]!.id }
    return { app, db, standIn: standIn(), organiser, buy }
  }
}

async function refundRows(db: Db, orderId: number) {
  return db
    .selectFrom('refunds')
    .select(['reason', 'state', 'amountMinor', 'recordedBy', 'providerRef'])
    .where('orderId', '=', orderId)
    .orderBy('id')
    .execute()
}

describeEachDatabase('an organiser cancelling an event with orders paid and unpaid, by card, transfer and at the door', (kind) => {
  const start = useCardEvent(kind)

  it('refunds the card payment through Stripe once, records the transfer given back by hand, and nothing for the unpaid; every order cancelled', async () => {
    const { app, db, standIn, organiser, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 2 })
    await returnPaid(card, await payOnPage(card))
    const transfer = await orderWith(app, db, { ...buy, method: 'bank-transfer' })
    expectRedirect(
      await organiser.browser.submit('/organiser', `/events/${buy.eventId}/orders/${transfer.code}/mark-paid`),
      `/events/${buy.eventId}/orders`,
    )
    const unpaidCard = await orderByCard(db, standIn, buy)
    const atDoor = await orderWith(app, db, { ...buy, method: 'at-door' })
    const orders = [card.orderId, transfer.id, unpaidCard.orderId, atDoor.id]
    expect(await statusesOf(db, orders)).toEqual(['paid', 'paid', 'pending', 'pending'])

    expectRedirect(
      await organiser.browser.submit(`/events/${buy.eventId}/cancel`, `/cancel-event/${buy.eventId}`),
      `/edit-event/${buy.eventId}`,
    )

    expect(await statusesOf(db, orders)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled'])
    expect(await capacityCounts(db, buy.eventId, buy.ticketTypeId)).toMatchObject({ eventSold: 0, typeSold: 0, ticketsHeld: 0 })
    // The card's refund is a task for the outbox's sender, with its own key: queued in the cancellation's transaction.
    const queued = await paymentTraces(db, card.orderId)
    expect(queued.refunds).toEqual([
      { reason: 'organiser', state: expect.stringMatching(/^(queued|done)$/), amountMinor: 2 * PRICE, idempotencyKey: expect.any(String) },
    ])
    expect(queued.refundTasks).toBe(1)

    await app.mail.runRound()
    await app.mail.runRound()

    const [cardRefund] = await refundRows(db, card.orderId)
    expect(cardRefund).toMatchObject({ reason: 'organiser', state: 'done', amountMinor: 2 * PRICE, recordedBy: organiser.user.email })
    expect([...refundRequests(standIn)]).toEqual([[queued.refunds[0]!.idempotencyKey, 1]])
    expect([...standIn.refunds.values()]).toEqual([
      expect.objectContaining({
        id: cardRefund!.providerRef,
        amount: 2 * PRICE,
        payment_intent: standIn.sessions.get(card.sessionId)!.payment_intent,
      }),
    ])
    expect((await paymentTraces(db, card.orderId)).refundedMails).toBe(1)

    // The transfer came through no provider: its refund is the organiser's to make, and recorded as made, by hand.
    expect(await refundRows(db, transfer.id)).toEqual([
      { reason: 'organiser', state: 'done', amountMinor: PRICE, recordedBy: organiser.user.email, providerRef: null },
    ])
    expect(await paymentTraces(db, transfer.id)).toMatchObject({ refundTasks: 0, refundedMails: 1 })

    for (const unpaid of [unpaidCard.orderId, atDoor.id]) {
      expect(await paymentTraces(db, unpaid), String(unpaid)).toMatchObject({ refunds: [], refundTasks: 0, refundedMails: 0 })
    }
  })

  it("closes an unpaid card order's open payment page, and refunds one paid there that no webhook or return has told of yet", async () => {
    const { app, db, standIn, organiser, buy } = await start()
    const open = await orderByCard(db, standIn, buy)
    // Paid on Stripe's page, and the buyer never came back; no webhook reaches this server.
    const unheard = await orderByCard(db, standIn, { ...buy, quantity: 2 })
    await standIn.pay(unheard.sessionId)

    expectRedirect(
      await organiser.browser.submit(`/events/${buy.eventId}/cancel`, `/cancel-event/${buy.eventId}`),
      `/edit-event/${buy.eventId}`,
    )
    await app.mail.runRound()

    expect(standIn.sessions.get(open.sessionId)!.status).toBe('expired')
    expect((await fetch(open.payPage)).status).toBe(410)
    expect(await paymentTraces(db, open.orderId)).toMatchObject({ status: 'cancelled', payments: ['cancelled'], refunds: [] })
    // Never money kept for a ticket there is not: all of it goes back, once, as money that came for an order no longer there.
    const traces = await paymentTraces(db, unheard.orderId)
    expect(traces).toMatchObject({ status: 'cancelled', payments: ['paid'], refundTasks: 1 })
    expect(traces.refunds).toEqual([{ reason: 'late-payment', state: 'done', amountMinor: 2 * PRICE, idempotencyKey: expect.any(String) }])
    expect([...refundRequests(standIn)]).toEqual([[traces.refunds[0]!.idempotencyKey, 1]])
  })
})

describeEachDatabase('a buyer cancelling their own card order', (kind) => {
  const start = useCardEvent(kind)

  it('refunds a paid one in full through Stripe, once', async () => {
    const { app, db, standIn, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 2 })
    await returnPaid(card, await payOnPage(card))

    expect((await cancelAsBuyer(app, db, card.orderId)).statusCode).toBe(303)
    await app.mail.runRound()
    await app.mail.runRound()

    const traces = await paymentTraces(db, card.orderId)
    expect(traces).toMatchObject({ status: 'cancelled', payments: ['paid'], refundTasks: 1, refundedMails: 1 })
    expect(traces.refunds).toEqual([{ reason: 'buyer', state: 'done', amountMinor: 2 * PRICE, idempotencyKey: expect.any(String) }])
    expect([...refundRequests(standIn)]).toEqual([[traces.refunds[0]!.idempotencyKey, 1]])
    expect([...standIn.refunds.values()]).toEqual([
      expect.objectContaining({ amount: 2 * PRICE, payment_intent: standIn.sessions.get(card.sessionId)!.payment_intent }),
    ])
    expect(await capacityCounts(db, buy.eventId, buy.ticketTypeId)).toMatchObject({ eventSold: 0, typeSold: 0, ticketsHeld: 0 })
  })

  it('closes the open payment page of an unpaid one first, and refunds nothing', async () => {
    const { app, db, standIn, buy } = await start()
    const card = await orderByCard(db, standIn, buy)

    expect((await cancelAsBuyer(app, db, card.orderId)).statusCode).toBe(303)

    expect(standIn.sessions.get(card.sessionId)!.status).toBe('expired')
    expect(standIn.requests).toContainEqual(
      expect.objectContaining({ method: 'POST', path: `/v1/checkout/sessions/${card.sessionId}/expire` }),
    )
    expect(await paymentTraces(db, card.orderId)).toMatchObject({
      status: 'cancelled',
      payments: ['cancelled'],
      refunds: [],
      refundTasks: 0,
    })
    // The page cannot be paid any more.
    expect((await fetch(card.payPage)).status).toBe(410)
    await app.mail.runRound()
    expect(refundRequests(standIn).size).toBe(0)
  })

  it("refunds in full an unpaid one that was paid on Stripe's page meanwhile, though no webhook or return told of it", async () => {
    const { app, db, standIn, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 2 })
    // Paid in one tab; in another, the order page still says unpaid, and the buyer cancels. No webhook reaches this server.
    await standIn.pay(card.sessionId)

    expect((await cancelAsBuyer(app, db, card.orderId)).statusCode).toBe(303)
    await app.mail.runRound()

    const traces = await paymentTraces(db, card.orderId)
    expect(traces).toMatchObject({ status: 'cancelled', payments: ['paid'], refundTasks: 1, refundedMails: 1 })
    expect(traces.refunds).toEqual([{ reason: 'buyer', state: 'done', amountMinor: 2 * PRICE, idempotencyKey: expect.any(String) }])
    expect([...refundRequests(standIn)]).toEqual([[traces.refunds[0]!.idempotencyKey, 1]])
  })

  it('refuses, refunding nothing, when the event does not allow buyers to cancel', async () => {
    const { app, db, standIn, buy } = await start({ allowBuyerCancellation: false })
    const card = await orderByCard(db, standIn, buy)
    await returnPaid(card, await payOnPage(card))

    // The order page offers no cancel form: the buyer posts one anyway, with a token from a page that has a form.
    const { code, accessKey } = await db
      .selectFrom('orders')
      .select(['code', 'accessKey'])
      .where('id', '=', card.orderId)
      .executeTakeFirstOrThrow()
    const visitor = new TestBrowser(app)
    await visitor.get(`/buy-tickets/${buy.eventId}`)
    expectRedirect(await visitor.post(`/orders/${code}/cancel`, { key: accessKey }), `/orders/${code}?key=${accessKey}`)
    await app.mail.runRound()

    expect(await paymentTraces(db, card.orderId)).toMatchObject({ status: 'paid', refunds: [], refundTasks: 0 })
    expect(standIn.refunds.size).toBe(0)
  })
})
