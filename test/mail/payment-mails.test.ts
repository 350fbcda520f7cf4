import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { formatDateTime } from '../../src/lib/format.js'
import { enqueueMail } from '../../src/features/outbox/outbox.repository.js'
import { settle } from '../../src/features/upkeep/settle.js'
import { type TestApp, testConfig } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { type TestDatabase, createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { type EventFixture, createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { type ReceivedMail, TestSmtpServer, fastMail } from '../helpers/smtp.js'
import { StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * The buyer's mails of an order that is paid after it is placed: awaiting
 * payment (by card, by transfer), paid, expired, refunded, and the
 * confirmation of one paid at the door. Card payments go through the real
 * stripe package to the Stripe stand-in, and are confirmed as a buyer's
 * return to the order page confirms them (no webhook reaches this app).
 */
describeEachDatabase('the mails of an order paid after it is placed', (kind) => {
  const smtp = new TestSmtpServer()
  const standIn = new StripeStandIn()
  let database: TestDatabase
  let app: TestApp
  beforeAll(async () => {
    await smtp.start()
    await standIn.start()
    database = await createTestDatabase(kind)
    const stripe = { secretKey: standIn.secretKey, webhookSecret: 'whsec_test_secret', apiUrl: standIn.url }
    app = await buildApp(testConfig(database, { mail: fastMail(smtp.url), stripe }))
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await database?.drop()
    await standIn.close()
    await smtp.close()
  })

  const BANK_DETAILS = 'Harbour & Sons Events\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX'

  /** A published event that offers `methods`, its one ticket type at €25.00 unless told. */
  async function eventOffering(methods: string, fixture: EventFixture = {}) {
    const organiser = await createUser(app.db, 'organiser')
    const { event, ticketTypes } = await createEvent(app.db, organiser.id, { timeZone: 'Europe/Berlin', ...fixture })
    await app.db
      .updateTable('events')
      .set({ paymentMethods: methods, bankDetails: methods.includes('bank-transfer') ? BANK_DETAILS : '' })
      .where('id', '=', event.id)
      .execute()
    return { event, typeId: ticketTypes[0]!.id, organiser }
  }

  /** Buys through the buy form as a browser with JavaScript off does; for a card, the browser is sent to the stand-in's page. */
  async function buy(eventId: number, typeId: number, email: string, fields: { quantity?: number; payment?: string } = {}) {
    const browser = new TestBrowser(app)
    const response = await browser.submit(`/buy-tickets/${eventId}`, `/purchase/${eventId}`, {
      [`qty_${typeId}`]: String(fields.quantity ?? 1),
      name: 'Robin Buyer',
      email,
      ...(fields.payment && { payment: fields.payment }),
    })
    expect(response.statusCode).toBe(303)
    const location = String(response.headers.location)
    const order = await app.db.selectFrom('orders').selectAll().where('buyerEmail', '=', email).executeTakeFirstOrThrow()
    // app.inject's Host header is localhost:80.
    const link = `http://localhost:80/orders/${order.code}?key=${order.accessKey}`
    const sessionId = location.startsWith(standIn.url) ? location.slice(`${standIn.url}/pay/`.length) : null
    return { browser, order, link, sessionId }
  }

  /** Pays on the stand-in's page and comes back to the order page, which confirms the payment. */
  async function payByCard(bought: Awaited<ReturnType<typeof buy>>) {
    await standIn.pay(bought.sessionId!)
    const page = await bought.browser.get(`/orders/${bought.order.code}?key=${bought.order.accessKey}&session_id=${bought.sessionId}`)
    expect(page.statusCode).toBe(200)
    return page
  }

  const subjects = (mails: ReceivedMail[]) => mails.map((mail) => mail.parsed.subject)
  const html = (mail: ReceivedMail) => mail.parsed.html as string
  const escaped = (text: string) => text.replaceAll('&', '&amp;')

  it('by card: how much, by when and the link to pay; once paid, the tickets with the calendar file', async () => {
    const { event, typeId } = await eventOffering('card', { title: 'Harbour Lights' })
    const bought = await buy(event.id, typeId, 'card@example.test', { quantity: 2, payment: 'card' })
    expect(bought.sessionId).toMatch(/^cs_test_/)
    const { code, paymentDeadline } = bought.order

    const [awaiting] = await smtp.waitFor('card@example.test')
    expect(awaiting!.parsed.subject).toBe(`Order ${code} for Harbour Lights: awaiting your payment`)
    const deadline = formatDateTime(paymentDeadline!, 'Europe/Berlin')
    const text = awaiting!.parsed.text!
    expect(text).toContain(`Order ${code} is placed, and its 2 tickets are held for you until ${deadline}.`)
    expect(text).toContain(`To pay:  €50.00\nPayment: Card\nPay by:  ${deadline}\n`)
    expect(text).toContain(`Pay by card on your order's page:\n\n${bought.link}\n`)
    expect(html(awaiting!)).toMatch(new RegExp(`<a href="${escaped(bought.link).replace(/[?]/g, '\\?')}"[^>]*>Pay now</a>`))
    expect(html(awaiting!)).toContain('<strong>€50.00</strong>')
    for (const part of [text, html(awaiting!)]) expect(part).not.toContain('IBAN')
    // No tickets until the money has come: neither their codes nor a calendar entry.
    expect(awaiting!.parsed.attachments).toEqual([])

    const page = await payByCard(bought)
    expect(page.body).toContain('Paid')
    const mails = await smtp.waitFor('card@example.test', 2)
    const paid = mails[1]!
    expect(paid.parsed.subject).toBe(`Payment received: your tickets for Harbour Lights (order ${code})`)
    expect(paid.parsed.text).toContain(`Thank you, Robin Buyer. Your payment for order ${code} has arrived: here are your tickets.`)
    const doorCodes = await doorCodesOfOrder(app.db, bought.order.id)
    expect(doorCodes).toHaveLength(2)
    for (const part of [paid.parsed.text!, html(paid)]) {
      for (const doorCode of doorCodes) expect(part).toContain(doorCode)
      expect(part).toContain('€50.00')
    }
    expect(paid.parsed.text).toContain(bought.link)
    expect(html(paid)).toContain(`href="${escaped(bought.link)}"`)
    // The calendar file, and each ticket's QR code shown inline (test/tickets/ticket-mail.test.ts).
    expect(paid.parsed.attachments.filter((attachment) => !attachment.related).map((attachment) => attachment.filename)).toEqual([
      'event.ics',
    ])
    expect(paid.parsed.attachments.filter((attachment) => attachment.related)).toHaveLength(2)

    await app.mail.runRound()
    expect(subjects(smtp.to('card@example.test'))).toHaveLength(2)
  })

  it('by bank transfer: the organiser’s bank details and the order code as the reference, as typed in text and escaped in HTML', async () => {
    const { event, typeId, organiser } = await eventOffering('bank-transfer', { title: 'Quay Choir' })
    const bought = await buy(event.id, typeId, 'transfer@example.test', { payment: 'bank-transfer' })
    expect(bought.sessionId).toBeNull()
    const { code } = bought.order

    const [awaiting] = await smtp.waitFor('transfer@example.test')
    expect(awaiting!.parsed.subject).toBe(`Order ${code} for Quay Choir: awaiting your payment`)
    const text = awaiting!.parsed.text!
    expect(text).toContain(`Bank details:\n${BANK_DETAILS}\n\nAmount:    €25.00\nReference: ${code}\n`)
    expect(text).toContain('Put the order code as the reference')
    expect(text).toContain('Payment: Bank transfer')
    expect(text).toContain(`See the order: ${bought.link}`)
    expect(text).not.toContain('Pay by card')
    expect(html(awaiting!)).toContain(
      'white-space:pre-line">Harbour &amp; Sons Events\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX</p>',
    )
    expect(html(awaiting!)).toMatch(new RegExp(`Reference</td><td><code[^>]*>${code}</code>`))
    expect(html(awaiting!)).not.toContain('Pay now')

    // The transfer arrives and the organiser marks the order paid: the tickets follow.
    const organiserBrowser = new TestBrowser(app)
    await organiserBrowser.login(organiser.email, organiser.password)
    const marked = await organiserBrowser.submit('/organiser', `/events/${event.id}/orders/${code}/mark-paid`)
    expect(marked.statusCode).toBe(303)
    const mails = await smtp.waitFor('transfer@example.test', 2)
    expect(mails[1]!.parsed.subject).toBe(`Payment received: your tickets for Quay Choir (order ${code})`)
    const [doorCode] = await doorCodesOfOrder(app.db, bought.order.id)
    expect(mails[1]!.parsed.text).toContain(doorCode)
  })

  it('at the door: the confirmation says what to pay there; a free order’s does not', async () => {
    const { event, typeId } = await eventOffering('at-door', { title: 'Pier Dance' })
    const bought = await buy(event.id, typeId, 'door@example.test', { quantity: 2 })
    expect(bought.order).toMatchObject({ status: 'pending', paymentMethod: 'at-door', paymentDeadline: null })
    const [confirmation] = await smtp.waitFor('door@example.test')
    expect(confirmation!.parsed.subject).toBe(`Your tickets for Pier Dance (order ${bought.order.code})`)
    expect(confirmation!.parsed.text).toContain('Pay €50.00 at the door when you arrive. Your tickets are reserved for you until then.')
    expect(html(confirmation!)).toContain('<p>Pay <strong>€50.00</strong> at the door when you arrive.')

    const free = await eventOffering('at-door', { title: 'Open Rehearsal', ticketTypes: [{ name: 'Free', priceMinor: 0 }] })
    await buy(free.event.id, free.typeId, 'free@example.test')
    const [freeConfirmation] = await smtp.waitFor('free@example.test')
    expect(freeConfirmation!.parsed.subject).toMatch(/^Your tickets for Open Rehearsal/)
    for (const part of [freeConfirmation!.parsed.text!, html(freeConfirmation!)]) expect(part).not.toContain('at the door when you arrive')
  })

  it('not paid in time: the order expired, its tickets went back, and the event’s page to order again', async () => {
    const { event, typeId } = await eventOffering('card', { title: 'Lantern Walk' })
    const bought = await buy(event.id, typeId, 'late@example.test', { quantity: 3, payment: 'card' })
    await smtp.waitFor('late@example.test')
    await lapse(event.id, bought.order.id)

    const mails = await smtp.waitFor('late@example.test', 2)
    const expired = mails[1]!
    expect(expired.parsed.subject).toBe(`Order ${bought.order.code} has expired`)
    const eventLink = `http://localhost:80/event/${event.id}`
    expect(expired.parsed.text).toContain(
      `Robin Buyer, your order ${bought.order.code} for Lantern Walk (${formatDateTime(event.startsAt, 'Europe/Berlin')}) was not paid in time. It has expired, and its 3 tickets went back on sale.`,
    )
    expect(expired.parsed.text).toContain(`The event: ${eventLink}`)
    expect(html(expired)).toContain(`<a href="${eventLink}">See the event</a>`)
  })

  it('a refund by card: the amount, the order’s total and its link', async () => {
    const { event, typeId, organiser } = await eventOffering('card', { title: 'Tidal Strings' })
    const bought = await buy(event.id, typeId, 'refund@example.test', { quantity: 2, payment: 'card' })
    await payByCard(bought)
    await smtp.waitFor('refund@example.test', 2)

    const organiserBrowser = new TestBrowser(app)
    await organiserBrowser.login(organiser.email, organiser.password)
    const refunded = await organiserBrowser.submit('/organiser', `/events/${event.id}/orders/${bought.order.code}/refund`, {
      amount: '10.00',
    })
    expect(refunded.statusCode).toBe(303)

    const mails = await smtp.waitFor('refund@example.test', 3)
    const refund = mails[2]!
    expect([...standIn.refunds.values()].map((sent) => sent.amount)).toContain(1000)
    expect(refund.parsed.subject).toBe(`A refund for order ${bought.order.code}`)
    const text = refund.parsed.text!
    expect(text).toContain(`Robin Buyer, €10.00 of your order ${bought.order.code} for Tidal Strings has been refunded.`)
    expect(text).toMatch(/Refunded: {4}€10\.00 on \w/)
    expect(text).toContain('Order total: €50.00')
    expect(text).toContain('The money goes back to the card you paid with.')
    expect(text).toContain(`See the order: ${bought.link}`)
    expect(text).not.toContain('too late')
    expect(html(refund)).toContain(`href="${escaped(bought.link)}"`)
  })

  it('a payment that came after the order expired and its tickets were sold: it came too late, and all of it goes back', async () => {
    const { event, typeId } = await eventOffering('card', { title: 'Last Ferry', ticketTypes: [{ capacity: 1 }] })
    const slow = await buy(event.id, typeId, 'too-late@example.test', { payment: 'card' })
    await lapse(event.id, slow.order.id)
    await smtp.waitFor('too-late@example.test', 2)
    // The ticket that went back is bought by someone else.
    await buy(event.id, typeId, 'quicker@example.test', { payment: 'card' })

    // The slow buyer pays on the page they left open, and comes back.
    const page = await payByCard(slow)
    expect(page.body).toContain('Your payment arrived after the order had expired and its tickets were gone')
    const mails = await smtp.waitFor('too-late@example.test', 3)
    const refund = mails[2]!
    expect(refund.parsed.subject).toBe(`A refund for order ${slow.order.code}`)
    expect(refund.parsed.text).toContain(`Your payment for order ${slow.order.code} came too late`)
    expect(refund.parsed.text).toContain(
      `Robin Buyer, your payment of €25.00 for order ${slow.order.code} arrived after the order had expired, and its tickets had gone to other buyers by then.`,
    )
    expect(refund.parsed.text).toContain('so it has been returned to you in full.')
    expect(html(refund)).toContain(`for order <strong>${slow.order.code}</strong> arrived after the order had expired`)
    expect([...standIn.refunds.values()].filter((sent) => sent.metadata.refund_id !== undefined).map((sent) => sent.amount)).toContain(2500)
  })

  it('sends no "awaiting payment" for an order that was paid before its message went out: the paid one tells the buyer', async () => {
    const { event, typeId } = await eventOffering('at-door', { ticketTypes: [{ priceMinor: 0 }] })
    const bought = await buy(event.id, typeId, 'already-paid@example.test')
    await smtp.waitFor('already-paid@example.test')
    await app.db.transaction().execute((trx) =>
      enqueueMail(trx, {
        kind: 'order-awaiting-payment',
        to: 'stale@example.test',
        data: { orderId: bought.order.id, siteUrl: 'http://localhost:80' },
      }),
    )
    await app.mail.runRound()
    const [row] = await app.db.selectFrom('outbox').selectAll().where('recipient', '=', 'stale@example.test').execute()
    expect(row).toMatchObject({ state: 'failed', lastError: `order ${bought.order.id} is paid, no longer awaiting payment` })
    expect(smtp.to('stale@example.test')).toEqual([])
  })

  /** The order's deadline passes, and the next look at the event lapses it. */
  async function lapse(eventId: number, orderId: number) {
    const past = Date.now() - 1000
    await app.db.updateTable('orders').set({ paymentDeadline: past }).where('id', '=', orderId).execute()
    await app.db.updateTable('events').set({ nextExpiryAt: past }).where('id', '=', eventId).execute()
    expect(await settle(app.db, { id: eventId, held: 0, nextExpiryAt: past })).toBe(true)
    app.mail.wake()
  }
})
