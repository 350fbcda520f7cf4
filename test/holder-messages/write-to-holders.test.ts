import { expect, it } from 'vitest'
import { MailComposer, Uncomposable } from '../../src/features/mail/mail.messages.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { useMailApp } from '../helpers/smtp.js'
import { countOf, holderMails, messageFields, messagesOf, holderOutboxCount, preview, previewAndSend } from './support.js'

describeEachDatabase('writing to ticket holders', (kind) => {
  const t = useMailApp(kind)
  const HOUR = 60 * 60 * 1000

  /**
   * An event of a new organiser's, logged in, with two ticket types and
   * orders in every state: Standing (free, so paid at once) and Seated (paid
   * at the door, so pending). Ann (two orders) and Bo hold Standing, Ann's
   * first order let in at the door; Cy holds Seated, to pay at the door; Di's
   * Seated order was cancelled, and Ed's transfer lapsed unpaid (its deadline
   * passed; nothing has settled it yet).
   */
  async function eventWithHolders(title = 'Harbour Jazz') {
    const { user: organiser, browser } = await loginAs(t, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title,
      ticketTypes: [
        { name: 'Standing', priceMinor: 0 },
        { name: 'Seated', priceMinor: 2500 },
      ],
    })
    const [standing, seated] = [ticketTypes[0]!.id, ticketTypes[1]!.id]
    const mail = (name: string) => `${name}.${event.id}@example.test`
    const orders = {
      annIn: await placeOrder(t.db, event.id, standing, { buyerName: 'Ann', buyerEmail: mail('ann'), quantity: 2 }),
      annAgain: await placeOrder(t.db, event.id, standing, { buyerName: 'Ann', buyerEmail: mail('ann') }),
      bo: await placeOrder(t.db, event.id, standing, { buyerName: 'Bo', buyerEmail: mail('bo') }),
      cy: await placeOrder(t.db, event.id, seated, { buyerName: 'Cy', buyerEmail: mail('cy') }),
      di: await placeOrder(t.db, event.id, seated, { buyerName: 'Di', buyerEmail: mail('di'), status: 'cancelled' }),
      ed: await placeOrder(t.db, event.id, seated, {
        buyerName: 'Ed',
        buyerEmail: mail('ed'),
        payment: { method: 'bank-transfer', deadline: Date.now() - 1000 },
      }),
    }
    // One of Ann's two tickets is let in, through the door's own page.
    const [annTicket] = await doorCodesOfOrder(t.db, orders.annIn.id)
    const scanned = await browser.submit(`/events/${event.id}/check-in`, `/events/${event.id}/check-in`, { code: annTicket!, gate: 'Main' })
    expect(scanned.body).toContain('data-scan-answer="admitted"')
    return { organiser, browser, event, types: { standing, seated }, orders, mail }
  }

  it('sends to the holders of paid and to-be-paid orders, one mail per order, never to a cancelled or lapsed one', async () => {
    const { browser, event, orders, mail } = await eventWithHolders()
    const before = await holderOutboxCount(t.db)
    const page = await preview(browser, event.id, messageFields())
    expect(countOf(page)).toBe(4)
    expect(await holderOutboxCount(t.db), 'a preview sends nothing').toBe(before)
    expect(await messagesOf(t.db, event.id)).toEqual([])
    // Ed's transfer ran out before the preview looked: lapsed, and no holder.
    const ed = await t.db.selectFrom('orders').select('status').where('id', '=', orders.ed.id).executeTakeFirstOrThrow()
    expect(ed.status).toBe('expired')

    const sent = await browser.post(`/events/${event.id}/messages`)
    expect(sent.statusCode, sent.body.slice(0, 500)).toBe(303)
    expect(sent.headers.location).toBe(`/events/${event.id}/messages`)
    const mails = await holderMails(t.db, event.id)
    expect(mails.map((row) => [row.recipient, row.orderId])).toEqual([
      [mail('ann'), orders.annIn.id],
      [mail('ann'), orders.annAgain.id],
      [mail('bo'), orders.bo.id],
      [mail('cy'), orders.cy.id],
    ])
    for (const name of ['ann', 'bo', 'cy']) await mailWithSubject(mail(name), 'Doors open early')
    await t.app.mail.runRound()
    for (const name of ['di', 'ed']) {
      expect(t.smtp.to(mail(name)).filter((received) => received.parsed.subject === 'Doors open early')).toEqual([])
    }
    const annMails = t.smtp.to(mail('ann')).filter((received) => received.parsed.subject === 'Doors open early')
    expect(annMails.map((received) => /orders\/(\w+)\?key=/.exec(received.parsed.text!)![1]).sort()).toEqual(
      [orders.annIn.code, orders.annAgain.code].sort(),
    )
  })

  it('narrows the audience to ticket types, and to those let in at the door or not yet', async () => {
    const { browser, event, types } = await eventWithHolders('Narrowed')
    const count = async (fields: Record<string, string>) => countOf(await preview(browser, event.id, messageFields(fields)))
    expect(await count({ audience: 'types', [`type_${types.seated}`]: '1' })).toBe(1)
    expect(await count({ audience: 'types', [`type_${types.standing}`]: '1' })).toBe(3)
    expect(await count({ audience: 'types', [`type_${types.standing}`]: '1', [`type_${types.seated}`]: '1' })).toBe(4)
    expect(await count({ checkIn: 'in' })).toBe(1)
    // Ann's first order has a ticket not yet let in, as all of Ann's second, Bo's and Cy's.
    expect(await count({ checkIn: 'out' })).toBe(4)
    const nobody = await preview(browser, event.id, messageFields({ audience: 'types', [`type_${types.seated}`]: '1', checkIn: 'in' }))
    expect(nobody.statusCode).toBe(422)
    expect(nobody.body).toContain('Nobody holds a ticket that matches')
    expect(nobody.body).toContain('value="Doors open early"')
  })

  it('makes one message of a Send pressed twice (the same form twice, at once and again later)', async () => {
    const { browser, event } = await eventWithHolders('Double Click')
    await preview(browser, event.id, messageFields({ subject: 'Once only' }))
    const [first, second] = await Promise.all([browser.post(`/events/${event.id}/messages`), browser.post(`/events/${event.id}/messages`)])
    const again = await browser.post(`/events/${event.id}/messages`)
    for (const response of [first, second, again]) {
      expect(response.statusCode, response.body.slice(0, 500)).toBe(303)
      expect(response.headers.location).toBe(`/events/${event.id}/messages`)
    }
    expect(await messagesOf(t.db, event.id)).toHaveLength(1)
    expect(await holderMails(t.db, event.id)).toHaveLength(4)
    const list = await browser.get(`/events/${event.id}/messages`)
    expect(list.body).toContain('This message was sent already')
    expect(list.body).toContain('It was not sent again.')
    const audits = await t.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'holder_message.sent')
      .where('subjectId', '=', event.id)
      .execute()
    expect(audits).toHaveLength(1)
  })

  it('audits who sent what to how many, and lists each message with how far it has gone', async () => {
    const { organiser, browser, event, types } = await eventWithHolders('Audited')
    const sent = await previewAndSend(
      browser,
      event.id,
      messageFields({ subject: 'Seats moved', audience: 'types', [`type_${types.seated}`]: '1', checkIn: 'out' }),
    )
    expect(sent.statusCode).toBe(303)
    const [message] = await messagesOf(t.db, event.id)
    const audit = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'holder_message.sent')
      .where('subjectId', '=', event.id)
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actorId: organiser.id, actorLabel: organiser.email, subjectType: 'event' })
    expect(JSON.parse(audit.details)).toEqual({
      messageId: message!.id,
      subject: 'Seats moved',
      recipients: 1,
      ticketTypeIds: [types.seated],
      checkIn: 'out',
    })
    await mailWithSubject(`cy.${event.id}@example.test`, 'Seats moved')
    await t.app.mail.runRound()
    const list = await browser.get(`/events/${event.id}/messages`)
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('Your message is on its way to 1 ticket holder.')
    expect(list.body).toContain('Seats moved')
    expect(list.body).toContain(organiser.email)
    expect(list.body).toContain('Ticket types: Seated · Only those not let in yet')
    expect(list.body).toContain('1 of 1')
  })

  it('refuses a fourth message within the hour, with the form kept, and sends it once the hour has passed', async () => {
    const { browser, event } = await eventWithHolders('Limited')
    for (const n of [1, 2, 3])
      expect((await previewAndSend(browser, event.id, messageFields({ subject: `Update ${n}` }))).statusCode).toBe(303)
    const mailsOf = async () => (await holderMails(t.db, event.id)).map((row) => [row.messageId, row.orderId])
    const mailsBefore = await mailsOf()
    const refused = await previewAndSend(browser, event.id, messageFields({ subject: 'Update 4', body: 'One more thing.' }))
    expect(refused.statusCode).toBe(429)
    expect(refused.body).toContain('3 messages have gone to this event’s ticket holders in the last hour')
    expect(refused.body).toContain('value="Update 4"')
    expect(refused.body).toContain('>One more thing.</textarea>')
    expect(await messagesOf(t.db, event.id)).toHaveLength(3)
    expect(await mailsOf()).toEqual(mailsBefore)

    // An hour after the first: it has left the window, and the fourth may go.
    const [first] = await messagesOf(t.db, event.id)
    await t.db
      .updateTable('holderMessages')
      .set({ createdAt: Date.now() - HOUR - 1000 })
      .where('id', '=', first!.id)
      .execute()
    expect((await previewAndSend(browser, event.id, messageFields({ subject: 'Update 4' }))).statusCode).toBe(303)
    expect((await messagesOf(t.db, event.id)).map((message) => message.subject)).toEqual(['Update 1', 'Update 2', 'Update 3', 'Update 4'])
    // Another event's messages count for that event alone.
    const other = await eventWithHolders('Not Limited')
    expect((await previewAndSend(other.browser, other.event.id, messageFields())).statusCode).toBe(303)
  })

  it('lets only the event’s organiser (and admins) write, preview or send', async () => {
    const { browser, event } = await eventWithHolders('Private Night')
    await preview(browser, event.id, messageFields())
    const { browser: otherOrganiser } = await loginAs(t, 'organiser')
    await otherOrganiser.get('/organiser')
    for (const url of [`/events/${event.id}/messages`, `/events/${event.id}/messages/new`]) {
      expect((await otherOrganiser.get(url)).statusCode, url).toBe(404)
    }
    const stolen = { ...messageFields(), key: 'a-key-the-organiser-never-made-1' }
    for (const url of [`/events/${event.id}/messages/preview`, `/events/${event.id}/messages`]) {
      const response = await otherOrganiser.post(url, stolen)
      expect(response.statusCode, url).toBe(404)
      expect(response.body).not.toContain('Private Night')
    }
    const { browser: attendee } = await loginAs(t, 'attendee')
    await attendee.get('/my-tickets')
    expect((await attendee.post(`/events/${event.id}/messages`, stolen)).statusCode).toBe(403)
    const anonymous = new TestBrowser(t.app)
    await anonymous.get('/login')
    const loggedOut = await anonymous.post(`/events/${event.id}/messages`, stolen)
    expect(loggedOut.statusCode).toBe(303)
    expect(String(loggedOut.headers.location)).toMatch(/^\/login/)
    expect(await messagesOf(t.db, event.id)).toEqual([])

    const { browser: admin } = await loginAs(t, 'admin')
    expect((await previewAndSend(admin, event.id, messageFields())).statusCode).toBe(303)
    expect(await messagesOf(t.db, event.id)).toHaveLength(1)
  })

  it('asks again for what is missing, with the form as typed, and sends nothing without the preview’s key', async () => {
    const { browser, event, types } = await eventWithHolders('Careful')
    const empty = await preview(browser, event.id, messageFields({ subject: '  ', body: '' }))
    expect(empty.statusCode).toBe(422)
    expect(empty.body).toContain('Enter a subject.')
    expect(empty.body).toContain('Write the message.')
    const noTypes = await preview(browser, event.id, messageFields({ audience: 'types', body: 'Kept as typed' }))
    expect(noTypes.statusCode).toBe(422)
    expect(noTypes.body).toContain('Tick at least one ticket type')
    expect(noTypes.body).toContain('>Kept as typed</textarea>')
    expect(noTypes.body).toMatch(/id="f-audience-types" name="audience" value="types" checked/)
    const unknownType = await preview(browser, event.id, messageFields({ audience: 'types', type_999999: '1' }))
    expect(unknownType.statusCode).toBe(422)
    const made = await browser.submit(`/events/${event.id}/messages/new`, `/events/${event.id}/messages`, messageFields())
    expect(made.statusCode).toBe(422)
    expect(made.body).toContain('Preview the message first')
    expect(await messagesOf(t.db, event.id)).toEqual([])
    expect(types.standing).toBeGreaterThan(0)
  })

  it('mails the words as written: escaped in the HTML part with its line breaks, as typed in the plain text, with the order link', async () => {
    const { browser, event, orders, mail } = await eventWithHolders('Escaped')
    const body = 'Doors at <b>7</b> & bring "tickets"\nSecond line <script>alert(1)</script>\n\nNew paragraph'
    const sent = await previewAndSend(
      browser,
      event.id,
      messageFields({ subject: 'Read <this> & that', body, audience: 'types', [`type_${await typeIdOf('Seated', event.id)}`]: '1' }),
    )
    expect(sent.statusCode).toBe(303)
    const { parsed } = await mailWithSubject(mail('cy'), 'Read <this> & that')
    const html = parsed.html as string
    expect(html).toContain(
      '<p>Doors at &lt;b&gt;7&lt;/b&gt; &amp; bring &quot;tickets&quot;<br>Second line &lt;script&gt;alert(1)&lt;/script&gt;</p>',
    )
    expect(html).toContain('<p>New paragraph</p>')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<b>7')
    expect(parsed.text).toContain('Doors at <b>7</b> & bring "tickets"\nSecond line <script>alert(1)</script>\n\nNew paragraph')
    const order = await t.db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', orders.cy.id).executeTakeFirstOrThrow()
    const link = `http://localhost:80/orders/${order.code}?key=${order.accessKey}`
    expect(parsed.text).toContain(link)
    expect(html).toContain(`href="${link}"`)
    expect(parsed.text).toContain('A message from the organiser of Escaped:')
  })

  it('does not write to an order cancelled after the message was sent: its mail is not composed', async () => {
    const { browser, event, orders, types, mail } = await eventWithHolders('Cancelled Since')
    const fields = messageFields({ subject: 'Parking', audience: 'types', [`type_${types.seated}`]: '1' })
    expect((await previewAndSend(browser, event.id, fields)).statusCode).toBe(303)
    await mailWithSubject(mail('cy'), 'Parking')
    const [row] = await t.db
      .selectFrom('outbox')
      .innerJoin('holderMessageRecipients as recipient', 'recipient.outboxId', 'outbox.id')
      .selectAll('outbox')
      .where('recipient.orderId', '=', orders.cy.id)
      .execute()
    const composer = new MailComposer(t.db, false, 'tickets@admit-one.test')
    const settings = await getSiteSettings(t.db)
    expect((await composer.compose(row!, settings)).subject).toBe('Parking')
    const audit = {
      actorId: null,
      actorLabel: mail('cy'),
      action: 'order.cancelled_by_buyer',
      subjectType: 'order',
      subjectId: orders.cy.id,
    }
    await cancelOrder(t.db, { id: orders.cy.id, eventId: event.id, buyerEmail: mail('cy'), locale: 'en' }, audit, 'http://admit-one.test')
    await expect(composer.compose(row!, settings)).rejects.toBeInstanceOf(Uncomposable)
  })

  /** The mail to `address` with this subject, once it has arrived (their order's own mails come too). */
  async function mailWithSubject(address: string, subject: string) {
    const until = Date.now() + 10_000
    for (;;) {
      const found = t.smtp.to(address).find((received) => received.parsed.subject === subject)
      if (found) return found
      if (Date.now() > until) throw new Error(`no mail "${subject}" to ${address}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async function typeIdOf(name: string, eventId: number): Promise<number> {
    const type = await t.db
      .selectFrom('ticketTypes')
      .select('id')
      .where('eventId', '=', eventId)
      .where('name', '=', name)
      .executeTakeFirstOrThrow()
    return type.id
  }
})
