import { beforeAll, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { translator } from '../../src/i18n/translate.js'
import { RESENDS_PER_ORDER_PER_HOUR } from '../../src/features/orders/resend.js'
import { formatDateTime } from '../../src/lib/format.js'
import { TestBrowser } from '../helpers/browser.js'
import { lapseDeadline } from '../helpers/card-payments.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { useMailApp } from '../helpers/smtp.js'
import { expectRedirect } from '../events/support.js'
import { BANK_DETAILS, orderWith } from '../payments/support.js'

/**
 * The organiser sends an order's mail again from the orders page, through
 * the real outbox and SMTP server of the tests: the confirmation of an order
 * to pay at the door, the payment instructions of one awaiting a transfer, to
 * a corrected address that the order then keeps (audited before and after),
 * at most RESENDS_PER_ORDER_PER_HOUR times an hour; nothing for a lapsed or
 * cancelled order; another organiser gets 404.
 */

const t = translator('en')

/** Audit entries of the order with this action, their details parsed. */
async function auditsOf(db: Db, orderId: number, action: string) {
  const rows = await db
    .selectFrom('auditLog')
    .select(['actorLabel', 'details'])
    .where('subjectType', '=', 'order')
    .where('subjectId', '=', orderId)
    .where('action', '=', action)
    .orderBy('id')
    .execute()
  return rows.map((row) => ({ actorLabel: row.actorLabel, details: JSON.parse(row.details) as Record<string, unknown> }))
}

async function outboxKinds(db: Db, orderId: number): Promise<string[]> {
  const rows = await db.selectFrom('outbox').select(['kind', 'data']).orderBy('id').execute()
  return rows.filter((row) => (JSON.parse(row.data) as { orderId?: number }).orderId === orderId).map((row) => row.kind)
}

describeEachDatabase("the organiser sending an order's mail again", (kind) => {
  const t_ = useMailApp(kind)
  let organiser: LoggedIn
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    organiser = await loginAs(t_, 'organiser')
    const { event, ticketTypes } = await createEvent(t_.db, organiser.user.id, {
      title: 'Harbour Lights',
      ticketTypes: [{ name: 'Hall', capacity: 50, priceMinor: 2500, maxPerOrder: 4 }],
    })
    eventId = event.id
    typeId = ticketTypes[0]!.id
    await t_.db
      .updateTable('events')
      .set({ paymentMethods: 'bank-transfer,at-door', bankDetails: BANK_DETAILS })
      .where('id', '=', eventId)
      .execute()
  })

  const resendUrl = (code: string) => `/events/${eventId}/orders/${code}/resend`
  const ordersUrl = (code: string) => `/events/${eventId}/orders?q=${code}`

  /** The orders page's own form for the order, sent with the address typed. */
  async function resendFromOrdersPage(browser: TestBrowser, code: string, email: string) {
    const page = await browser.get(ordersUrl(code))
    expect(page.body).toContain(`action="${resendUrl(code)}"`)
    return browser.post(resendUrl(code), { email })
  }

  it('sends the confirmation of an order to pay at the door again, through the outbox, and the buyer receives it twice', async () => {
    const order = await placeOrder(t_.db, eventId, typeId, { buyerEmail: 'dora@example.test', quantity: 2 })
    const subject = t('mail.orderConfirmation.subject', { eventTitle: 'Harbour Lights', code: order.code })
    const [first] = await t_.smtp.waitFor('dora@example.test', 1)
    expect(first!.parsed.subject).toBe(subject)

    const page = await organiser.browser.get(ordersUrl(order.code))
    expect(page.body).toContain(t('orderChanges.orders.resendConfirmation'))
    expect(page.body).toContain('value="dora@example.test"')
    const done = await resendFromOrdersPage(organiser.browser, order.code, 'dora@example.test')
    expectRedirect(done, ordersUrl(order.code))
    const after = await organiser.browser.get(ordersUrl(order.code))
    expect(after.body).toContain(
      t('flash.orderChanges.resent', { mail: 'confirmation', code: order.code, email: 'dora@example.test', changed: 'no' }),
    )

    const mails = await t_.smtp.waitFor('dora@example.test', 2)
    expect(mails.map((mail) => mail.parsed.subject)).toEqual([subject, subject])
    // The same order, composed again: its code and both tickets.
    expect(mails[1]!.parsed.text).toContain(order.code)
    expect(mails[1]!.parsed.attachments.filter((file) => file.contentType === 'image/png')).toHaveLength(2)
    expect(await auditsOf(t_.db, order.id, 'order.mail_resent')).toEqual([
      {
        actorLabel: organiser.user.email,
        details: { code: order.code, mail: 'order-confirmation', to: 'dora@example.test' },
      },
    ])
    expect(await auditsOf(t_.db, order.id, 'order.buyer_email_changed')).toEqual([])
  })

  it('sends the payment instructions of an order awaiting a transfer, to a corrected address that the order keeps, audited before and after', async () => {
    const order = await orderWith(t_.app, t_.db, { eventId, ticketTypeId: typeId, method: 'bank-transfer', email: 'mistyped@exmaple.test' })
    const subject = t('mail.orderAwaitingPayment.subject', { eventTitle: 'Harbour Lights', code: order.code })
    await t_.smtp.waitFor('mistyped@exmaple.test', 1)

    const page = await organiser.browser.get(ordersUrl(order.code))
    expect(page.body).toContain(t('orderChanges.orders.resendAwaitingPayment'))
    const done = await resendFromOrdersPage(organiser.browser, order.code, '  Fixed.Address@Example.test ')
    expectRedirect(done, ordersUrl(order.code))

    const [mail] = await t_.smtp.waitFor('fixed.address@example.test', 1)
    expect(mail!.parsed.subject).toBe(subject)
    expect(mail!.parsed.text).toContain(BANK_DETAILS.split(', ')[1])
    expect(t_.smtp.to('mistyped@exmaple.test')).toHaveLength(1)
    const row = await t_.db.selectFrom('orders').select(['buyerEmail', 'searchText']).where('id', '=', order.id).executeTakeFirstOrThrow()
    expect(row.buyerEmail).toBe('fixed.address@example.test')
    expect(row.searchText).toContain('fixed.address@example.test')
    expect(row.searchText).not.toContain('mistyped')
    expect(await auditsOf(t_.db, order.id, 'order.buyer_email_changed')).toEqual([
      {
        actorLabel: organiser.user.email,
        details: { code: order.code, before: { buyerEmail: 'mistyped@exmaple.test' }, after: { buyerEmail: 'fixed.address@example.test' } },
      },
    ])
    expect(await auditsOf(t_.db, order.id, 'order.mail_resent')).toEqual([
      {
        actorLabel: organiser.user.email,
        details: { code: order.code, mail: 'order-awaiting-payment', to: 'fixed.address@example.test' },
      },
    ])
    // The organiser's search finds the order by its new address, and the page shows it.
    const found = await organiser.browser.get(`/events/${eventId}/orders?q=fixed.address`)
    expect(found.body).toContain(`<code>${order.code}</code>`)
    expect(found.body).toContain('>fixed.address@example.test</bdi>')
    expect((await organiser.browser.get(`/events/${eventId}/orders?q=mistyped`)).body).not.toContain(`<code>${order.code}</code>`)
  })

  it(`sends it again at most ${RESENDS_PER_ORDER_PER_HOUR} times an hour: the next is refused with when it may go, nothing written, the address not changed`, async () => {
    const order = await placeOrder(t_.db, eventId, typeId, { buyerEmail: 'often@example.test' })
    for (let i = 0; i < RESENDS_PER_ORDER_PER_HOUR; i++) {
      expectRedirect(await resendFromOrdersPage(organiser.browser, order.code, 'often@example.test'), ordersUrl(order.code))
    }
    const refused = await resendFromOrdersPage(organiser.browser, order.code, 'other@example.test')
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toMatch(/^\d+$/)
    // When the first of the hour's resends drops out of the window, in the event's time zone.
    const [firstAt] = await t_.db
      .selectFrom('auditLog')
      .select('at')
      .where('action', '=', 'order.mail_resent')
      .where('subjectId', '=', order.id)
      .orderBy('id')
      .execute()
    const when = formatDateTime(firstAt!.at + 60 * 60 * 1000, 'Europe/Berlin')
    expect(refused.body).toContain(t('orderChanges.resend.limitReached', { limit: RESENDS_PER_ORDER_PER_HOUR, when }))
    // The form comes back as typed.
    expect(refused.body).toContain('value="other@example.test"')

    expect(await outboxKinds(t_.db, order.id)).toEqual(Array(RESENDS_PER_ORDER_PER_HOUR + 1).fill('order-confirmation'))
    expect(await auditsOf(t_.db, order.id, 'order.mail_resent')).toHaveLength(RESENDS_PER_ORDER_PER_HOUR)
    expect(await auditsOf(t_.db, order.id, 'order.buyer_email_changed')).toEqual([])
    expect((await t_.db.selectFrom('orders').select('buyerEmail').where('id', '=', order.id).executeTakeFirstOrThrow()).buyerEmail).toBe(
      'often@example.test',
    )
    await t_.smtp.waitFor('often@example.test', RESENDS_PER_ORDER_PER_HOUR + 1)
    expect(t_.smtp.to('other@example.test')).toEqual([])
  })

  it(`sends it ${RESENDS_PER_ORDER_PER_HOUR} times when twenty requests to send it again come at once`, async () => {
    const order = await placeOrder(t_.db, eventId, typeId, { buyerEmail: 'twenty@example.test' })
    await organiser.browser.get(ordersUrl(order.code))
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => organiser.browser.post(resendUrl(order.code), { email: 'twenty@example.test' })),
    )
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([
      ...Array(RESENDS_PER_ORDER_PER_HOUR).fill(303),
      ...Array(20 - RESENDS_PER_ORDER_PER_HOUR).fill(429),
    ])
    expect(await outboxKinds(t_.db, order.id)).toHaveLength(1 + RESENDS_PER_ORDER_PER_HOUR)
    expect(await auditsOf(t_.db, order.id, 'order.mail_resent')).toHaveLength(RESENDS_PER_ORDER_PER_HOUR)
  })

  it('sends nothing for an order that expired unpaid or was cancelled, and says so', async () => {
    const lapsed = await orderWith(t_.app, t_.db, { eventId, ticketTypeId: typeId, method: 'bank-transfer', email: 'late@example.test' })
    // Its deadline passed; the page settles the event before it acts, and the order lapses.
    await lapseDeadline(t_.db, lapsed.id)
    const cancelled = await placeOrder(t_.db, eventId, typeId, { buyerEmail: 'gone@example.test', status: 'cancelled' })

    for (const [order, status] of [
      [lapsed, 'expired'],
      [cancelled, 'cancelled'],
    ] as const) {
      const before = await outboxKinds(t_.db, order.id)
      await organiser.browser.get(ordersUrl(order.code))
      const refused = await organiser.browser.post(resendUrl(order.code), { email: 'someone@example.test' })
      expect(refused.statusCode, status).toBe(409)
      expect(refused.body).toContain(t('orderChanges.resend.nothingToSend', { status, code: order.code }))
      expect(await outboxKinds(t_.db, order.id)).toEqual(before)
      expect(await auditsOf(t_.db, order.id, 'order.mail_resent')).toEqual([])
      expect(await auditsOf(t_.db, order.id, 'order.buyer_email_changed')).toEqual([])
      // The orders page offers nothing to send.
      expect((await organiser.browser.get(ordersUrl(order.code))).body).not.toContain(`action="${resendUrl(order.code)}"`)
    }
    expect(await t_.db.selectFrom('orders').select('status').where('id', '=', lapsed.id).executeTakeFirstOrThrow()).toEqual({
      status: 'expired',
    })
  })

  it('comes back with the address as typed and why, for an address that is none; nothing is sent', async () => {
    const order = await placeOrder(t_.db, eventId, typeId, { buyerEmail: 'typed@example.test' })
    for (const email of ['not an address', '', 'a@b.example?bcc=c@d.example']) {
      const refused = await resendFromOrdersPage(organiser.browser, order.code, email)
      expect(refused.statusCode, email).toBe(422)
      expect(refused.body).toContain(t('orderChanges.resend.emailInvalid'))
      expect(refused.body).toContain(`value="${email.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    }
    expect(await outboxKinds(t_.db, order.id)).toEqual(['order-confirmation'])
    expect(await auditsOf(t_.db, order.id, 'order.mail_resent')).toEqual([])
  })

  it('answers 404 to another organiser and sends a logged-out visitor to log in; a forged form token is refused; nothing is sent', async () => {
    const order = await placeOrder(t_.db, eventId, typeId, { buyerEmail: 'private@example.test' })
    const other = await loginAs(t_, 'organiser')
    await other.browser.get('/organiser')
    const refused = await other.browser.post(resendUrl(order.code), { email: 'thief@example.test' })
    expect(refused.statusCode).toBe(404)
    expect((await other.browser.get(resendUrl(order.code))).statusCode).toBe(404)

    const anonymous = new TestBrowser(t_.app)
    await anonymous.get('/login')
    const loggedOut = await anonymous.post(resendUrl(order.code), { email: 'thief@example.test' })
    expect(loggedOut.statusCode).toBe(303)
    expect(loggedOut.headers.location).toMatch(/^\/login/)

    await organiser.browser.get(ordersUrl(order.code))
    const forged = await organiser.browser.post(resendUrl(order.code), { email: 'thief@example.test', _csrf: 'forged' })
    expect(forged.statusCode).toBe(403)

    expect(await outboxKinds(t_.db, order.id)).toEqual(['order-confirmation'])
    expect((await t_.db.selectFrom('orders').select('buyerEmail').where('id', '=', order.id).executeTakeFirstOrThrow()).buyerEmail).toBe(
      'private@example.test',
    )
    expect(t_.smtp.to('thief@example.test')).toEqual([])
  })
})
