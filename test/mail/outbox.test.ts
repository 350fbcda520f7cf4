import { doorCodesOfOrder } from '../helpers/door.js'
import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { claimDueMessages, enqueueMail } from '../../src/features/outbox/outbox.repository.js'
import { type TestApp, testConfig } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { changeSiteSettings } from '../helpers/settings.js'
import { TestSmtpServer, fastMail, useMailApp } from '../helpers/smtp.js'

describeEachDatabase('the outbox', (kind) => {
  const t = useMailApp(kind)

  /** Buys through the forms, as a browser with JavaScript off does; returns the redirect's status and target. */
  async function buy(eventId: number, ticketTypeId: number, quantity: number, email: string) {
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${eventId}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    const response = await browser.post(`/purchase/${eventId}`, {
      key,
      [`qty_${ticketTypeId}`]: String(quantity),
      name: 'Robin Buyer',
      email,
    })
    return response.headers.location
  }

  const outboxOf = (recipient: string) => t.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).execute()

  it('sends one confirmation per purchase: the order code and link, each ticket, both parts, the calendar file, the site as sender', async () => {
    await changeSiteSettings(t.db, { siteName: 'Riverside Tickets' })
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Jazz, Blues & <Soul>',
      venue: 'The Old Mill; Riverside',
      timeZone: 'Europe/Berlin',
      startsAt: Date.UTC(2027, 5, 12, 18, 30),
      endsAt: Date.UTC(2027, 5, 12, 21, 0),
    })
    expect(await buy(event.id, ticketTypes[0]!.id, 2, 'robin@example.test')).toMatch(/^\/purchase\/success/)

    const [mail] = await t.smtp.waitFor('robin@example.test')
    const order = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', 'robin@example.test').executeTakeFirstOrThrow()
    const doorCodes = await doorCodesOfOrder(t.db, order.id)
    expect(doorCodes).toHaveLength(2)
    const { parsed } = mail!
    expect(parsed.from?.value[0]).toEqual({ name: 'Riverside Tickets', address: 'tickets@admit-one.test' })
    expect(parsed.subject).toBe(`Your tickets for Jazz, Blues & <Soul> (order ${order.code})`)
    // app.inject's Host header is localhost:80.
    const link = `http://localhost:80/orders/${order.code}?key=${order.accessKey}`
    for (const part of [parsed.text!, parsed.html as string]) {
      expect(part).toContain(order.code)
      // Each ticket by its signed door code, which the door can check.
      for (const doorCode of doorCodes) expect(part).toContain(doorCode)
    }
    expect(parsed.text).toContain(link)
    expect(parsed.html).toContain(`href="${link.replace('&', '&amp;')}"`)
    // The event's zone, as the event page shows it: 20:30 in Berlin in summer.
    expect(parsed.text).toMatch(/20:30/)
    // Escaped in HTML like the pages; as typed in plain text.
    expect(parsed.html).toContain('Jazz, Blues &amp; &lt;Soul&gt;')
    expect(parsed.html).not.toContain('<Soul>')
    expect(parsed.text).toContain('Jazz, Blues & <Soul>')

    const ics = parsed.attachments.find((attachment) => attachment.filename === 'event.ics')!
    expect(ics.contentType).toBe('text/calendar')
    const calendar = ics.content.toString('utf8')
    expect(calendar).toContain('BEGIN:VEVENT')
    expect(calendar).toContain('DTSTART:20270612T183000Z')
    expect(calendar).toContain('DTEND:20270612T210000Z')
    expect(calendar).toContain('SUMMARY:Jazz\\, Blues & <Soul>')
    expect(calendar).toContain('LOCATION:The Old Mill\\; Riverside')
    expect(calendar).toContain(`UID:order-${order.code}@localhost`)

    // Exactly one: more rounds send nothing more.
    await t.app.mail.runRound()
    expect(t.smtp.to('robin@example.test')).toHaveLength(1)
    expect(await outboxOf('robin@example.test')).toMatchObject([
      { kind: 'order-confirmation', state: 'sent', attempts: 1, lastError: null },
    ])
  })

  it('names the site’s contact address as Reply-To and as the calendar entry’s organiser, and its sending address without one', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const organiserLine = (mail: { parsed: { attachments: { filename?: string; content: Buffer }[] } }) =>
      mail.parsed.attachments
        .find((attachment) => attachment.filename === 'event.ics')!
        .content.toString('utf8')
        .replace(/\r\n /g, '')
        .split('\r\n')
        .find((line) => line.startsWith('ORGANIZER'))

    await changeSiteSettings(t.db, { siteName: 'Riverside Tickets', contactEmail: 'box-office@riverside.example' })
    await buy(event.id, ticketTypes[0]!.id, 1, 'with-contact@example.test')
    const [withContact] = await t.smtp.waitFor('with-contact@example.test')
    expect(withContact!.parsed.replyTo?.value).toEqual([{ name: '', address: 'box-office@riverside.example' }])
    expect(organiserLine(withContact!)).toBe('ORGANIZER;CN="Riverside Tickets":mailto:box-office@riverside.example')

    await changeSiteSettings(t.db, { contactEmail: '' })
    await buy(event.id, ticketTypes[0]!.id, 1, 'without-contact@example.test')
    const [withoutContact] = await t.smtp.waitFor('without-contact@example.test')
    expect(withoutContact!.parsed.replyTo).toBeUndefined()
    expect(organiserLine(withoutContact!)).toBe('ORGANIZER;CN="Riverside Tickets":mailto:tickets@admit-one.test')
  })

  it('sends nothing for a purchase that was refused', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 1 }] })
    expect(await buy(event.id, ticketTypes[0]!.id, 2, 'too-many@example.test')).toBe('/purchase/fail')
    await t.app.mail.runRound()
    expect(await outboxOf('too-many@example.test')).toEqual([])
    expect(t.smtp.to('too-many@example.test')).toEqual([])
  })

  it('tries again when the server refuses at first, and the message arrives once', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    t.smtp.refuseNext(2)
    await buy(event.id, ticketTypes[0]!.id, 1, 'patient@example.test')
    await t.smtp.waitFor('patient@example.test')
    await t.app.mail.runRound()
    expect(t.smtp.to('patient@example.test')).toHaveLength(1)
    expect(await outboxOf('patient@example.test')).toMatchObject([{ state: 'sent', attempts: 3, lastError: null }])
  })

  it('marks a message failed for good after its last try, with the error, and sends it no more', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    t.smtp.refuseNext(100)
    try {
      await buy(event.id, ticketTypes[0]!.id, 1, 'unlucky@example.test')
      const until = Date.now() + 10_000
      while ((await outboxOf('unlucky@example.test'))[0]?.state !== 'failed') {
        if (Date.now() > until) throw new Error('the message was never marked failed')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    } finally {
      t.smtp.refuseNext(0)
    }
    const [row] = await outboxOf('unlucky@example.test')
    expect(row).toMatchObject({ state: 'failed', attempts: 3 })
    expect(row!.lastError).toContain('Try again later')
    await t.app.mail.runRound()
    expect(t.smtp.to('unlucky@example.test')).toEqual([])
  })

  it('tells the buyer who cancels, and every buyer of an event its organiser cancels', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Rained Off', allowBuyerCancellation: true })
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    await browser.post(`/purchase/${event.id}`, { key, [`qty_${ticketTypes[0]!.id}`]: '1', name: 'Ann', email: 'ann@example.test' })
    const ann = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', 'ann@example.test').executeTakeFirstOrThrow()
    const cancelled = await browser.submit(`/orders/${ann.code}/cancel?key=${ann.accessKey}`, `/orders/${ann.code}/cancel`, {
      key: ann.accessKey,
    })
    expect(cancelled.statusCode).toBe(303)
    const annMail = await t.smtp.waitFor('ann@example.test', 2)
    expect(annMail.map((mail) => mail.parsed.subject)).toEqual([
      `Your tickets for Rained Off (order ${ann.code})`,
      `Order ${ann.code} is cancelled`,
    ])

    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerEmail: 'bo@example.test' })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerEmail: 'cy@example.test' })
    const organiserBrowser = new TestBrowser(t.app)
    await organiserBrowser.login(organiser.email, organiser.password)
    const response = await organiserBrowser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`)
    expect(response.statusCode).toBe(303)
    for (const buyer of ['bo@example.test', 'cy@example.test']) {
      // Their confirmation and the cancellation, sent in one round, in either order.
      const mails = await t.smtp.waitFor(buyer, 2)
      const cancellation = mails.find((mail) => mail.parsed.subject === 'Cancelled: Rained Off')
      expect(cancellation?.parsed.text).toContain('the organiser cancelled Rained Off')
    }
    // Ann's order was cancelled before the event: she is not told twice.
    await t.app.mail.runRound()
    expect(t.smtp.to('ann@example.test')).toHaveLength(2)
  })

  it('tells an organiser whose request an admin approved', async () => {
    await changeSiteSettings(t.db, { signupPolicy: 'approval' })
    const asker = await createUser(t.db, 'attendee', { email: 'asker@example.test', name: 'Asha' })
    await t.db.updateTable('users').set({ organiserRequestedAt: Date.now() }).where('id', '=', asker.id).execute()
    const admin = await createUser(t.db, 'admin')
    const browser = new TestBrowser(t.app)
    await browser.login(admin.email, admin.password)
    const response = await browser.submit('/users/list-users', `/users/${asker.id}/approve-organiser`)
    expect(response.statusCode).toBe(303)
    const [mail] = await t.smtp.waitFor('asker@example.test')
    expect(mail!.parsed.text).toContain('Asha, an admin of')
    expect(mail!.parsed.text).toContain('http://localhost:80/organiser')
  })

  it('tells the admins when someone asks to organise events, with a link to the pending requests', async () => {
    await changeSiteSettings(t.db, { signupPolicy: 'approval', siteName: 'Riverside Tickets' })
    const admin = await createUser(t.db, 'admin', { email: 'gatekeeper@example.test' })
    const asking = await new TestBrowser(t.app).submit('/register', '/register', {
      name: 'Rita Request',
      email: 'rita@example.test',
      password: 'violet lantern orbit',
      organiser: '1',
    })
    expect(asking.statusCode).toBe(303)
    const [mail] = await t.smtp.waitFor(admin.email)
    expect(mail!.parsed.subject).toBe('Rita Request asks to organise events on Riverside Tickets')
    expect(mail!.parsed.text).toContain('Rita Request (rita@example.test) signed up on Riverside Tickets and asks to organise events.')
    expect(mail!.parsed.text).toContain('http://localhost:80/users/list-users?pending=1')
    expect(mail!.parsed.html).toContain('href="http://localhost:80/users/list-users?pending=1"')
  })

  it('lets an admin see the outbox and send a test message; nobody else', async () => {
    const admin = await createUser(t.db, 'admin', { email: 'root@example.test' })
    const browser = new TestBrowser(t.app)
    await browser.login(admin.email, admin.password)
    const settings = await browser.get('/site-settings')
    expect(settings.body).toContain(`sending through smtp://127.0.0.1:`)
    expect(settings.body).toContain('Send a test message to root@example.test')
    const sent = await browser.post('/admin/outbox/test-message')
    expect(sent.statusCode).toBe(303)
    expect(sent.headers.location).toBe('/admin/outbox')
    const [mail] = await t.smtp.waitFor('root@example.test')
    expect(mail!.parsed.subject).toMatch(/^Test message from /)
    const page = await browser.get('/admin/outbox')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('root@example.test')
    expect(page.body).toMatch(/<code>test<\/code>/)
    expect(page.body).toContain('Sent')

    const attendee = await createUser(t.db, 'attendee')
    const other = new TestBrowser(t.app)
    await other.login(attendee.email, attendee.password)
    expect((await other.get('/admin/outbox')).statusCode).toBe(403)
    expect((await new TestBrowser(t.app).get('/admin/outbox')).statusCode).toBe(303)
  })
})

describeEachDatabase('the outbox across a crash', (kind) => {
  it('sends what was committed while no sender ran, and what a dead sender held once its lease ran out, once each', async () => {
    const smtp = new TestSmtpServer()
    await smtp.start()
    const database = await createTestDatabase(kind)
    // The first instance commits orders and stops before its sender sends
    // them: what a kill -9 between the commit and the send leaves behind is
    // the same rows, pending and unsent. (The poll is an hour away, and
    // placeOrder wakes nobody.)
    const first = await buildApp(testConfig(database, { mail: fastMail(smtp.url, { pollMs: 3_600_000 }) }))
    await first.ready()
    // Its sender's first round, set off by the start, would otherwise race the
    // orders below (and on a busy machine send one): stopped, as by the crash.
    await first.mail.stop()
    const organiser = await createUser(first.db, 'organiser')
    const { event, ticketTypes } = await createEvent(first.db, organiser.id)
    await placeOrder(first.db, event.id, ticketTypes[0]!.id, { buyerEmail: 'before-crash@example.test' })
    await placeOrder(first.db, event.id, ticketTypes[0]!.id, { buyerEmail: 'mid-send@example.test' })
    // A sender that claimed the second message and died while sending it.
    const held = await claimDueMessages(first.db, 1, 1_500)
    await first.close()
    expect(smtp.received).toEqual([])

    const second = await buildApp(testConfig(database, { mail: fastMail(smtp.url) }))
    await second.ready()
    try {
      const heldTo = held[0]!.recipient
      const freeTo = heldTo === 'mid-send@example.test' ? 'before-crash@example.test' : 'mid-send@example.test'
      await smtp.waitFor(freeTo)
      // The held one waits for its lease: its sender might still be sending.
      expect(smtp.to(heldTo)).toEqual([])
      await smtp.waitFor(heldTo)
      await second.mail.runRound()
      expect(smtp.to(freeTo)).toHaveLength(1)
      expect(smtp.to(heldTo)).toHaveLength(1)
      const rows = await second.db.selectFrom('outbox').select(['recipient', 'state', 'attempts']).orderBy('recipient').execute()
      expect(rows).toEqual(
        [
          { recipient: freeTo, state: 'sent', attempts: 1 },
          { recipient: heldTo, state: 'sent', attempts: 2 },
        ].sort((a, b) => a.recipient.localeCompare(b.recipient)),
      )
    } finally {
      await second.close()
      await database.drop()
      await smtp.close()
    }
  })

  it('never lets two senders take the same message, whatever their timing', async () => {
    const database = await createTestDatabase(kind)
    const a = createDatabase(database.url)
    const b = createDatabase(database.url)
    try {
      await migrateToLatest(a.db)
      await a.db.transaction().execute((trx) =>
        enqueueMail(
          trx,
          Array.from({ length: 200 }, (_, i) => ({
            kind: 'test' as const,
            to: `n${i}@example.test`,
            data: { requestedBy: 'x', siteUrl: 'http://x' },
          })),
        ),
      )
      const takenBy = async (db: typeof a.db) => {
        const ids: number[] = []
        for (;;) {
          const claimed = await claimDueMessages(db, 7, 60_000)
          if (claimed.length === 0) return ids
          ids.push(...claimed.map((row) => row.id))
        }
      }
      // Two instances with two senders' worth of connections each, all at once.
      const all = (await Promise.all([takenBy(a.db), takenBy(b.db), takenBy(a.db), takenBy(b.db)])).flat()
      expect(all).toHaveLength(200)
      expect(new Set(all).size).toBe(200)
    } finally {
      await a.db.destroy()
      await b.db.destroy()
      await database.drop()
    }
  })
})

describeEachDatabase('Message-IDs', (kind) => {
  /** An installation of its own: a database and an app, sending to `smtp`. */
  async function install(smtp: TestSmtpServer, site: { publicUrl?: string; from?: string } = {}) {
    const database = await createTestDatabase(kind)
    const mail = fastMail(smtp.url, { pollMs: 3_600_000, ...(site.from && { from: site.from }) })
    const app = await buildApp(testConfig(database, { publicUrl: site.publicUrl ?? null, mail }))
    await app.ready()
    return { app, close: async () => (await app.close(), await database.drop()) }
  }

  async function sendTest(app: TestApp, to: string, siteUrl: string) {
    await app.db.transaction().execute((trx) => enqueueMail(trx, { kind: 'test', to, data: { requestedBy: 'x', siteUrl } }))
    await app.mail.runRound()
  }

  const messageIdOf = (mail: { parsed: { messageId?: string } }) => mail.parsed.messageId

  it('differ between two installations for their first message, each a random part at its site’s host', async () => {
    const smtp = new TestSmtpServer()
    await smtp.start()
    const here = await install(smtp, { publicUrl: 'https://tickets.example.org' })
    const there = await install(smtp, { from: 'box-office@other.example.net' })
    try {
      // Through a purchase: the site's address it stores is PUBLIC_URL.
      const organiser = await createUser(here.app.db, 'organiser')
      const { event, ticketTypes } = await createEvent(here.app.db, organiser.id)
      const browser = new TestBrowser(here.app)
      await browser.submit(`/buy-tickets/${event.id}`, `/purchase/${event.id}`, {
        [`qty_${ticketTypes[0]!.id}`]: '1',
        name: 'Robin Buyer',
        email: 'robin@example.test',
      })
      await here.app.mail.runRound()
      // A message whose row keeps no usable site address is named at MAIL_FROM's domain.
      await sendTest(there.app, 'sam@example.test', '')

      const [ours] = await smtp.waitFor('robin@example.test')
      const [theirs] = await smtp.waitFor('sam@example.test')
      const rows = [here.app.db, there.app.db].map((db) => db.selectFrom('outbox').select(['id', 'messageKey']).executeTakeFirstOrThrow())
      const [ourRow, theirRow] = await Promise.all(rows)
      expect(ourRow!.id).toBe(theirRow!.id)
      expect(messageIdOf(ours!)).toBe(`<${ourRow!.messageKey}@tickets.example.org>`)
      expect(messageIdOf(theirs!)).toBe(`<${theirRow!.messageKey}@other.example.net>`)
      expect(ourRow!.messageKey).toMatch(/^[\w-]{22,}$/)
      expect(ourRow!.messageKey).not.toBe(theirRow!.messageKey)
    } finally {
      await here.close()
      await there.close()
      await smtp.close()
    }
  })

  it('stay the same when a message is sent again', async () => {
    const smtp = new TestSmtpServer()
    await smtp.start()
    const site = await install(smtp)
    try {
      await sendTest(site.app, 'twice@example.test', 'http://localhost:3000')
      // What a sender that sent the message and died before marking it leaves, once its lease has run out.
      await site.app.db.updateTable('outbox').set({ state: 'pending', sentAt: null, leaseUntil: null }).execute()
      await site.app.mail.runRound()

      const mails = await smtp.waitFor('twice@example.test', 2)
      const { messageKey } = await site.app.db.selectFrom('outbox').select('messageKey').executeTakeFirstOrThrow()
      expect(mails.map(messageIdOf)).toEqual([`<${messageKey}@localhost>`, `<${messageKey}@localhost>`])
    } finally {
      await site.close()
      await smtp.close()
    }
  })
})
