import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { FastifyInstance } from 'fastify'
import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { type Db, createDatabase } from '../../src/db/database.js'
import { testConfig } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { type TestSmtpServer, TestSmtpServer as SmtpServer, fastMail, useMailApp } from '../helpers/smtp.js'
import { messageFields, previewAndSend } from './support.js'

const HOLDERS = 500
const SUBJECT = 'The doors open at 18:00'

describeEachDatabase('a message to 500 ticket holders', (kind) => {
  const t = useMailApp(kind)

  it('sends 500 mails through the SMTP server, one to each holder, once', { timeout: 180_000 }, async () => {
    const { browser, eventId, addresses } = await fiveHundredHolders(t.app, t.db, 'Full House')
    const sent = await previewAndSend(browser, eventId, messageFields({ subject: SUBJECT }))
    expect(sent.statusCode, sent.body.slice(0, 500)).toBe(303)
    await waitUntil(
      () => holderMailsIn(t.smtp).length >= HOLDERS,
      120_000,
      () => `${holderMailsIn(t.smtp).length} of ${HOLDERS} received`,
    )
    // Nothing more comes of more rounds.
    await t.app.mail.runRound()
    expectOnceEach(t.smtp, addresses)
    const rows = await t.db.selectFrom('outbox').select(['state', 'attempts']).where('kind', '=', 'holder-message').execute()
    expect(rows).toHaveLength(HOLDERS)
    expect(rows.every((row) => row.state === 'sent' && row.attempts === 1)).toBe(true)
    const list = await browser.get(`/events/${eventId}/messages`)
    expect(list.body).toContain(`${HOLDERS} of ${HOLDERS}`)
  })

  it(
    'sends each of the 500 once across a crash of the sender in the middle: a new sender finishes without sending any twice',
    { timeout: 240_000 },
    async () => {
      const smtp = new SmtpServer()
      await smtp.start()
      const database = await createTestDatabase(kind)
      const watcher = createDatabase(database.url).db
      let child: ChildProcess | undefined
      let second: Awaited<ReturnType<typeof buildApp>> | undefined
      try {
        // The message is sent from an instance without a sender of its own (stopped as in test/mail/outbox.test.ts's crash), which then closes.
        const first = await buildApp(testConfig(database, { mail: fastMail(smtp.url, { pollMs: 3_600_000 }) }))
        await first.ready()
        await first.mail.stop()
        const { browser, eventId, addresses } = await fiveHundredHolders(first, first.db, 'Crash Course')
        expect((await previewAndSend(browser, eventId, messageFields({ subject: SUBJECT }))).statusCode).toBe(303)
        await first.close()

        // The sender, in a process of its own, sends a part of them.
        child = spawn(process.execPath, ['--import', 'tsx', 'test/holder-messages/sender-process.ts'], {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            DATABASE_URL: database.url,
            DATA_DIR: database.dir,
            SESSION_SECRET: testConfig(database).sessionSecret,
            SMTP_URL: smtp.url,
            MAIL_FROM: 'tickets@admit-one.test',
            LOG_LEVEL: 'silent',
            TEST_LEASE_MS: '3000',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        await waitUntil(
          () => holderMailsIn(smtp).length >= 150,
          120_000,
          () => `${holderMailsIn(smtp).length} received before the crash`,
        )
        // Then the server stops answering, so that the messages on their way are the
        // sender's alone: a message the server has taken but its sender has not yet
        // marked sent would go again after a crash, as an outbox sends at least once
        // (the same Message-ID, which mail systems recognise). The crash comes once
        // every message the server took is marked sent.
        smtp.hold()
        await waitUntil(
          async () => (await sentCount(watcher)) === holderMailsIn(smtp).length,
          30_000,
          () => `${holderMailsIn(smtp).length} received, not all marked sent`,
        )
        child.kill('SIGKILL')
        await once(child, 'exit')
        child = undefined

        const beforeCrash = holderMailsIn(smtp).length
        expect(beforeCrash).toBeLessThan(HOLDERS)
        // What the dead sender held: claimed, on its way to the server, never marked.
        const held = await watcher
          .selectFrom('outbox')
          .select('id')
          .where('kind', '=', 'holder-message')
          .where('state', '=', 'pending')
          .where('leaseUntil', 'is not', null)
          .execute()
        expect(held.length, 'the crash came while messages were on their way').toBeGreaterThan(0)

        smtp.release()
        second = await buildApp(testConfig(database, { mail: fastMail(smtp.url) }))
        await second.ready()
        await waitUntil(
          () => holderMailsIn(smtp).length >= HOLDERS,
          120_000,
          () => `${holderMailsIn(smtp).length} of ${HOLDERS} received`,
        )
        await second.mail.runRound()
        expectOnceEach(smtp, addresses)
        const rows = await second.db.selectFrom('outbox').select(['id', 'state', 'attempts']).where('kind', '=', 'holder-message').execute()
        expect(rows.every((row) => row.state === 'sent')).toBe(true)
        const heldIds = new Set(held.map((row) => row.id))
        // Each held message was taken again once its lease ran out: a second try; every other message, one.
        expect(rows.filter((row) => row.attempts !== (heldIds.has(row.id) ? 2 : 1))).toEqual([])
      } finally {
        child?.kill('SIGKILL')
        await second?.close()
        await watcher.destroy()
        await database.drop()
        await smtp.close()
      }
    },
  )
})

/** An event with 500 orders of one ticket each, every one to another address, and its organiser logged in. */
async function fiveHundredHolders(app: FastifyInstance, db: Db, title: string) {
  const organiser = await createUser(db, 'organiser')
  const browser = new TestBrowser(app)
  await browser.login(organiser.email, organiser.password)
  const { event, ticketTypes } = await createEvent(db, organiser.id, {
    title,
    ticketTypes: [{ name: 'Free', priceMinor: 0, capacity: HOLDERS }],
  })
  const addresses: string[] = []
  for (let i = 0; i < HOLDERS; i++) {
    const address = `holder-${i}.${event.id}@example.test`
    addresses.push(address)
    await placeOrder(db, event.id, ticketTypes[0]!.id, { buyerEmail: address })
  }
  // Their confirmations went out long ago: what is left to send is the message alone.
  await db.updateTable('outbox').set({ state: 'sent', sentAt: Date.now() }).where('state', '=', 'pending').execute()
  return { browser, eventId: event.id, addresses }
}

function holderMailsIn(smtp: TestSmtpServer) {
  return smtp.received.filter((mail) => mail.parsed.subject === SUBJECT)
}

/** Every address received the message exactly once, and no one else did. */
function expectOnceEach(smtp: TestSmtpServer, addresses: string[]) {
  const counts = new Map<string, number>()
  for (const mail of holderMailsIn(smtp)) for (const to of mail.envelopeTo) counts.set(to, (counts.get(to) ?? 0) + 1)
  expect([...counts.keys()].sort()).toEqual([...addresses].sort())
  expect([...counts].filter(([, count]) => count !== 1)).toEqual([])
}

async function sentCount(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'holder-message')
    .where('state', '=', 'sent')
    .executeTakeFirstOrThrow()
  return Number(n)
}

async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, progress: () => string): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms: ${progress()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
