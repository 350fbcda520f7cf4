import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { translator } from '../../src/i18n/translate.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { cancelTicketsAsOrganiser, cancelledTicketsOf, ticketIdsOf } from '../helpers/cancel-tickets.js'
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
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { addSeatBlock } from '../helpers/seats.js'
import { useListeningServers } from '../helpers/servers.js'
import { type ReceivedMail, TestSmtpServer, fastMail } from '../helpers/smtp.js'
import { expectRedirect } from '../events/support.js'
import { capacityViolations, join } from '../waiting-list/support.js'
import { orderWith, returnPaid } from './support.js'

/**
 * The organiser cancels some tickets of an order and keeps the rest, through
 * the real pages with JavaScript off: a paid card order (the refund of the
 * tickets' price reaches Stripe once, their place and seat go back, to the
 * waiting list first), an unpaid card order (no refund; the amount due falls
 * and the payment page for the old amount is closed first), an order paid at
 * the door (the door collects less) and one marked paid there (the refund
 * is recorded as given back by hand). Everywhere the order shows, the
 * cancelled ticket shows as cancelled, and the door turns it away.
 */

const PRICE = 2500
const t = translator('en')

function useCardEvent(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  const smtp = new TestSmtpServer()
  beforeAll(() => smtp.start())
  afterAll(() => smtp.close())
  /** An event sold by card, transfer and at the door; seated in one row of `seats` with its waiting list on when told. */
  return async (options: { seats?: number } = {}) => {
    const { urls, apps, db } = await listen(1, { ...stripeAt(standIn()), mail: fastMail(smtp.url) })
    const app = apps[0]!
    const organiser = await loginAs({ app, db }, 'organiser')
    const { event, ticketTypes } = await createEvent(db, organiser.user.id, {
      title: 'Harbour Lights',
      ticketTypes: [{ name: 'Hall', capacity: options.seats ? 1 : 20, priceMinor: PRICE, maxPerOrder: 4 }],
    })
    const typeId = ticketTypes[0]!.id
    await offerCard(db, event.id, 'card,bank-transfer,at-door')
    await db.updateTable('events').set({ bankDetails: 'IBAN DE89 3704 0044 0532 0130 00' }).where('id', '=', event.id).execute()
    if (options.seats) {
      await addSeatBlock(db, organiser.user, event.id, { section: 'Stalls', rows: ['A'], seatsPerRow: options.seats, ticketTypeId: typeId })
      await db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    }
    const buy = { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: typeId }
    return { app, db, standIn: standIn(), smtp, organiser, buy }
  }
}

/** The ticket's seat booking, if it has one. */
async function seatOf(db: Db, ticketId: number): Promise<number | undefined> {
  return (await db.selectFrom('seatBookings').select('seatId').where('ticketId', '=', ticketId).executeTakeFirst())?.seatId
}

/** Waits for the mail to `address` with this subject (others may come, or not, before it: an awaiting-payment mail is not sent once its order is paid). */
async function mailTitled(smtp: TestSmtpServer, address: string, subject: string): Promise<ReceivedMail> {
  const until = Date.now() + 10_000
  for (;;) {
    const found = smtp.to(address).find((mail) => mail.parsed.subject === subject)
    if (found) return found
    if (Date.now() > until)
      throw new Error(
        `no "${subject}" to ${address}, only: ${smtp
          .to(address)
          .map((mail) => mail.parsed.subject)
          .join(' | ')}`,
      )
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function answerOf(html: string): string | undefined {
  return /data-scan-answer="([a-z-]+)"/.exec(html)?.[1]
}

describeEachDatabase('the organiser cancelling some tickets of an order', (kind) => {
  const start = useCardEvent(kind)

  it('of a paid card order: refunds the price of one of three through Stripe once, gives its place and seat back to the waiting list first, and tells the buyer', async () => {
    const { app, db, standIn, smtp, organiser, buy } = await start({ seats: 4 })
    const card = await orderByCard(db, standIn, { ...buy, quantity: 3, email: 'three@example.test' })
    await returnPaid(card, await payOnPage(card))
    await placeOrder(db, buy.eventId, buy.ticketTypeId, { buyerEmail: 'fourth@example.test' })
    // Sold out: someone waits for a ticket.
    const waiting = await join(app, buy.eventId, buy.ticketTypeId, { email: 'wendy@example.test' })
    expect(waiting.response.statusCode).toBe(303)
    const [first, second, third] = await ticketIdsOf(db, card.orderId)
    const seat = await seatOf(db, second!)
    expect(seat).toBeDefined()
    const [, secondCode] = await doorCodesOfOrder(db, card.orderId)

    const { review, done } = await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, card.code, [second!])
    expect(review.body).toContain(t('payments.cancelTickets.reviewRefund', { amount: '€25.00' }))
    expect(review.body).toContain(t('payments.cancelTickets.reviewRest', { total: '€50.00' }))
    expectRedirect(done, `/events/${buy.eventId}/orders?q=${card.code}`)
    await app.mail.runRound()
    await app.mail.runRound()

    expect(await cancelledTicketsOf(db, card.orderId)).toEqual([second])
    const order = await db.selectFrom('orders').select(['status', 'totalMinor']).where('id', '=', card.orderId).executeTakeFirstOrThrow()
    expect(order).toEqual({ status: 'paid', totalMinor: 2 * PRICE })
    // The refund: the ticket's price, once, to the PaymentIntent that paid.
    const traces = await paymentTraces(db, card.orderId)
    expect(traces.refunds).toEqual([{ reason: 'organiser', state: 'done', amountMinor: PRICE, idempotencyKey: expect.any(String) }])
    expect([...refundRequests(standIn)]).toEqual([[traces.refunds[0]!.idempotencyKey, 1]])
    expect([...standIn.refunds.values()]).toEqual([
      expect.objectContaining({ amount: PRICE, payment_intent: standIn.sessions.get(card.sessionId)!.payment_intent }),
    ])
    // Its place back, taken at once by the offer to the person waiting; its seat free; the other two keep theirs.
    expect(await capacityCounts(db, buy.eventId, buy.ticketTypeId)).toEqual({ capacity: 4, eventSold: 3, typeSold: 3, ticketsHeld: 3 })
    expect(await capacityViolations(db, buy.eventId)).toEqual([])
    expect(await seatOf(db, second!)).toBeUndefined()
    expect(await db.selectFrom('seatBookings').select('seatId').where('seatId', '=', seat!).execute()).toEqual([])
    expect(await seatOf(db, first!)).toBeDefined()
    expect(await seatOf(db, third!)).toBeDefined()
    const entry = await db.selectFrom('waitingListEntries').select(['state', 'offeredQuantity']).executeTakeFirstOrThrow()
    expect(entry).toEqual({ state: 'offered', offeredQuantity: 1 })
    expect((await db.selectFrom('ticketTypes').select('held').where('id', '=', buy.ticketTypeId).executeTakeFirstOrThrow()).held).toBe(1)

    // The buyer's mail: which ticket, and what goes back, in the catalogue's words.
    const text = (await mailTitled(smtp, 'three@example.test', t('mail.ticketsCancelled.subject', { code: card.code, count: 1 }))).parsed
      .text!
    expect(text).toContain(secondCode)
    expect(text).toMatch(/^Hello [^.]+\. The organiser of Harbour Lights \(/m)
    expect(text).toContain(t('mail.ticketsCancelled.refundToCard', { amount: '€25.00' }))
    expect(text).toContain(t('mail.ticketsCancelled.restValid', { count: 2 }))
    await mailTitled(smtp, 'three@example.test', t('mail.orderRefunded.subject', { code: card.code }))
    await mailTitled(smtp, 'wendy@example.test', t('mail.waitingListOffer.subject', { eventTitle: 'Harbour Lights' }))

    // Audited with the tickets and the total before and after.
    const audit = await db
      .selectFrom('auditLog')
      .select(['actorLabel', 'details'])
      .where('action', '=', 'order.tickets_cancelled')
      .where('subjectId', '=', card.orderId)
      .executeTakeFirstOrThrow()
    expect(audit.actorLabel).toBe(organiser.user.email)
    const codes = await doorCodesOfOrder(db, card.orderId)
    expect(JSON.parse(audit.details)).toEqual({
      code: card.code,
      cancelled: secondCode,
      before: { tickets: codes.join(', '), totalMinor: 3 * PRICE },
      after: { tickets: [codes[0], codes[2]].join(', '), totalMinor: 2 * PRICE },
      refundMinor: PRICE,
    })
  })

  it('shows the cancelled ticket as cancelled on the order page, My tickets, the orders page, the door list and the CSV; the door turns it away; revenue is what was paid less the refund', async () => {
    const { app, db, standIn, organiser, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 3 })
    await returnPaid(card, await payOnPage(card))
    const [, second] = await ticketIdsOf(db, card.orderId)
    const codes = await doorCodesOfOrder(db, card.orderId)
    expectRedirect(
      (await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, card.code, [second!])).done,
      `/events/${buy.eventId}/orders?q=${card.code}`,
    )
    await app.mail.runRound()

    const orderPage = await (await fetch(card.orderPage, { headers: { cookie: card.cookie } })).text()
    expect(orderPage.match(/status-badge--cancelled/g)).toHaveLength(1)
    expect(orderPage).toContain(t('purchase.order.ticketCancelled'))
    // No QR code for the cancelled ticket: two for the others.
    expect(orderPage.match(/class="ticket__qr"><img/g)).toHaveLength(2)

    // The buyer's account lists it with two tickets, and one cancelled.
    const buyer = await loginAs({ app, db }, 'attendee')
    await db.updateTable('orders').set({ userId: buyer.user.id }).where('id', '=', card.orderId).execute()
    const mine = await buyer.browser.get('/my-tickets')
    expect(mine.body).toMatch(
      new RegExp(`>2<br><span class="muted my-tickets__note">${t('purchase.myTickets.cancelledTickets', { count: 1 })}</span>`),
    )

    const orders = await organiser.browser.get(`/events/${buy.eventId}/orders?q=${card.code}`)
    expect(orders.body).toMatch(new RegExp(`class="ticket-line--cancelled"><bdi>Hall</bdi> · <code>${codes[1]}</code>`))
    expect(orders.body).toContain(t('organiser.orders.refunded', { amount: '€25.00' }))

    const doorList = await organiser.browser.get(`/events/${buy.eventId}/door-list`)
    expect(doorList.body).toContain(t('checkIn.doorList.tickets', { count: 2 }))
    expect(doorList.body).toMatch(new RegExp(`<code>${codes[1]}</code>.*${t('checkIn.doorList.cancelled')}`))

    const csv = (await organiser.browser.get(`/events/${buy.eventId}/attendees.csv`)).body.slice(1).split('\r\n').slice(1, -1)
    expect(csv.map((row) => [row.split(',')[1], row.split(',')[7]])).toEqual([
      ['paid', codes[0]],
      ['cancelled', codes[1]],
      ['paid', codes[2]],
    ])

    await organiser.browser.get(`/events/${buy.eventId}/check-in`)
    const scanned = await organiser.browser.post(`/events/${buy.eventId}/check-in`, { code: codes[1]!, gate: 'North' })
    expect(answerOf(scanned.body)).toBe('cancelled')
    expect(scanned.body).toContain(t('checkIn.answer.ticketCancelled'))
    expect(await db.selectFrom('checkIns').select('id').execute()).toEqual([])
    const other = await organiser.browser.post(`/events/${buy.eventId}/check-in`, { code: codes[0]!, gate: 'North' })
    expect(answerOf(other.body)).toBe('admitted')

    const dashboard = await organiser.browser.get('/organiser')
    expect(dashboard.body).toContain('€50.00')
    expect(dashboard.body).not.toContain('€75.00')
  })

  it('of a pending card order: closes the payment page for the old amount first, refunds nothing, and the buyer pays the new amount', async () => {
    const { app, db, standIn, smtp, organiser, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 3, email: 'later@example.test' })
    const [first] = await ticketIdsOf(db, card.orderId)

    const { review, done } = await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, card.code, [first!])
    expect(review.body).toContain(t('payments.cancelTickets.reviewPending', { total: '€50.00' }))
    expect(review.body).not.toContain('name="amount" type="text"')
    expectRedirect(done, `/events/${buy.eventId}/orders?q=${card.code}`)
    await app.mail.runRound()

    // The old Session expired at Stripe before the order changed: nobody can pay €75.00 for it any more.
    expect(standIn.requests).toContainEqual(
      expect.objectContaining({ method: 'POST', path: `/v1/checkout/sessions/${card.sessionId}/expire` }),
    )
    expect(standIn.sessions.get(card.sessionId)!.status).toBe('expired')
    expect((await fetch(card.payPage)).status).toBe(410)
    expect(await paymentTraces(db, card.orderId)).toMatchObject({ status: 'pending', payments: ['cancelled'], refunds: [], refundTasks: 0 })
    expect(await db.selectFrom('orders').select('totalMinor').where('id', '=', card.orderId).executeTakeFirstOrThrow()).toEqual({
      totalMinor: 2 * PRICE,
    })
    expect(await capacityCounts(db, buy.eventId, buy.ticketTypeId)).toMatchObject({ eventSold: 2, typeSold: 2, ticketsHeld: 2 })
    const mail = await mailTitled(smtp, 'later@example.test', t('mail.ticketsCancelled.subject', { code: card.code, count: 1 }))
    expect(mail.parsed.text).toContain(t('mail.ticketsCancelled.nowDue', { amount: '€50.00' }))

    // Paying again from the order page opens a new Session, for the new amount.
    const page = await fetch(card.orderPage, { headers: { cookie: card.cookie } })
    const html = await page.text()
    expect(html).toContain(`${t('payments.order.payNow')} (€50.00)`)
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!
    const key = new URL(card.orderPage).searchParams.get('key')!
    const pay = await fetch(`${buy.baseUrl}/orders/${card.code}/pay`, {
      method: 'POST',
      headers: { cookie: card.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, key }),
      redirect: 'manual',
    })
    expect(pay.status).toBe(303)
    const sessionId = pay.headers.get('location')!.slice(`${standIn.url}/pay/`.length)
    expect(sessionId).not.toBe(card.sessionId)
    expect(standIn.sessions.get(sessionId)!.amount_total).toBe(2 * PRICE)
  })

  it('of a pending card order: closes a payment page the buyer opened for the old amount while the cancellation ran', async () => {
    const { db, standIn, organiser, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 3 })
    const [first] = await ticketIdsOf(db, card.orderId)
    const html = await (await fetch(card.orderPage, { headers: { cookie: card.cookie } })).text()
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!
    let opened = ''
    // While the cancellation waits for Stripe to close the first page, the buyer presses "Pay now" on a page read before it.
    standIn.holdNext(`/v1/checkout/sessions/${card.sessionId}/expire`, async () => {
      const pay = await fetch(`${buy.baseUrl}/orders/${card.code}/pay`, {
        method: 'POST',
        headers: { cookie: card.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, key: new URL(card.orderPage).searchParams.get('key')! }),
        redirect: 'manual',
      })
      opened = pay.headers.get('location')!.slice(`${standIn.url}/pay/`.length)
    })

    const { done } = await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, card.code, [first!])
    expectRedirect(done, `/events/${buy.eventId}/orders?q=${card.code}`)

    expect(standIn.sessions.get(opened)).toMatchObject({ amount_total: 3 * PRICE, status: 'expired' })
    expect(standIn.sessions.get(card.sessionId)!.status).toBe('expired')
    expect(await paymentTraces(db, card.orderId)).toMatchObject({ status: 'pending', payments: ['cancelled', 'cancelled'], refunds: [] })
  })

  it('of an order to pay at the door: no refund, and the door collects the new total', async () => {
    const { app, db, organiser, buy } = await start()
    const atDoor = await orderWith(app, db, { ...buy, method: 'at-door', quantity: 2 })
    const [first, second] = await ticketIdsOf(db, atDoor.id)
    const codes = await doorCodesOfOrder(db, atDoor.id)

    const { review, done } = await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, atDoor.code, [first!])
    expect(review.body).toContain(t('payments.cancelTickets.reviewPending', { total: '€25.00' }))
    expectRedirect(done, `/events/${buy.eventId}/orders?q=${atDoor.code}`)

    expect(await paymentTraces(db, atDoor.id)).toMatchObject({ status: 'pending', refunds: [] })
    expect(await cancelledTicketsOf(db, atDoor.id)).toEqual([first])
    await organiser.browser.get(`/events/${buy.eventId}/check-in`)
    const scanned = await organiser.browser.post(`/events/${buy.eventId}/check-in`, { code: codes[1]!, gate: 'North' })
    expect(answerOf(scanned.body)).toBe('collect')
    expect(scanned.body).toContain(t('checkIn.answer.collect', { amount: '€25.00' }))
    // The door takes the money: the new total, once.
    const collected = await organiser.browser.post(`/events/${buy.eventId}/check-in/collect`, { code: codes[1]!, gate: 'North' })
    expect(collected.statusCode).toBeLessThan(400)
    const payments = await db.selectFrom('payments').select(['state', 'amountMinor']).where('orderId', '=', atDoor.id).execute()
    expect(payments).toEqual([{ state: 'paid', amountMinor: PRICE }])
    expect(
      await db.selectFrom('tickets').select('id').where('orderId', '=', atDoor.id).where('checkedInAt', 'is not', null).execute(),
    ).toEqual([{ id: second }])
  })

  it('of an order marked paid at the door: records the refund as given back by hand', async () => {
    const { app, db, organiser, buy } = await start()
    const atDoor = await orderWith(app, db, { ...buy, method: 'at-door', quantity: 2 })
    await recordPaymentByHand(db, atDoor.id, 'at-door', {
      userId: organiser.user.id,
      label: organiser.user.email,
      isAdmin: false,
      ip: null,
    })
    const [first] = await ticketIdsOf(db, atDoor.id)

    const { review, done } = await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, atDoor.code, [first!], '20.00')
    expect(review.body).toContain(t('payments.cancelTickets.reviewRefundByHand', { amount: '€20.00' }))
    expectRedirect(done, `/events/${buy.eventId}/orders?q=${atDoor.code}`)

    const refunds = await db
      .selectFrom('refunds')
      .select(['state', 'amountMinor', 'recordedBy', 'providerRef'])
      .where('orderId', '=', atDoor.id)
      .execute()
    expect(refunds).toEqual([{ state: 'done', amountMinor: 2000, recordedBy: organiser.user.email, providerRef: null }])
    expect(await db.selectFrom('outbox').select('kind').where('kind', '=', 'refund').execute()).toEqual([])
  })

  it('of the last tickets standing: cancels the whole order, as its cancellation does, and refunds what is left', async () => {
    const { app, db, standIn, organiser, buy } = await start()
    const card = await orderByCard(db, standIn, { ...buy, quantity: 2 })
    await returnPaid(card, await payOnPage(card))
    const [first, second] = await ticketIdsOf(db, card.orderId)
    await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, card.code, [first!])

    const { review, done } = await cancelTicketsAsOrganiser(organiser.browser, buy.eventId, card.code, [second!])
    expect(review.body).toContain(t('payments.cancelTickets.reviewWhole'))
    expectRedirect(done, `/events/${buy.eventId}/orders?q=${card.code}`)
    await app.mail.runRound()
    await app.mail.runRound()

    const traces = await paymentTraces(db, card.orderId)
    expect(traces.status).toBe('cancelled')
    expect(traces.refunds.map((refund) => [refund.state, refund.amountMinor])).toEqual([
      ['done', PRICE],
      ['done', PRICE],
    ])
    expect(standIn.refunds.size).toBe(2)
    expect(await capacityCounts(db, buy.eventId, buy.ticketTypeId)).toMatchObject({ eventSold: 0, typeSold: 0, ticketsHeld: 0 })
    const mails = await db
      .selectFrom('outbox')
      .select('kind')
      .where('kind', 'in', ['order-cancelled', 'tickets-cancelled'])
      .orderBy('id')
      .execute()
    expect(mails.map((mail) => mail.kind)).toEqual(['tickets-cancelled', 'order-cancelled'])
    expect(
      await db
        .selectFrom('auditLog')
        .select('action')
        .where('subjectId', '=', card.orderId)
        .where('action', 'like', 'order.%cancel%')
        .orderBy('id')
        .execute(),
    ).toEqual([{ action: 'order.tickets_cancelled' }, { action: 'order.cancelled_by_organiser' }])
  })
})
