import { afterEach, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createFirstAdmin } from '../../src/features/setup/setup.service.js'
import { type TestApp, testConfig } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase, type DatabaseKind, type TestDatabase } from '../helpers/database.js'
import { createUser } from '../helpers/personas.js'

const ADMIN = { name: 'Sally Setup', email: 'sally@example.test', password: 'first admin of the site' }

/** Apps started on one database, as a server would be (restarts, second instances), closed after each test. */
function useStarts(kind: DatabaseKind) {
  const opened: TestApp[] = []
  let database: TestDatabase | undefined
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((app) => app.close()))
    await database?.drop()
    database = undefined
  })
  /** Starts an app and returns it with the setup path it printed to the log, if any. */
  return async () => {
    database ??= await createTestDatabase(kind)
    const app = await buildApp(testConfig(database))
    opened.push(app)
    const warn = vi.spyOn(app.log, 'warn')
    await app.ready()
    const printed = warn.mock.calls.map((call) => String(call[0])).find((message) => message.includes('/setup?token='))
    const link = printed && /http:\/\/[^/\s]+(\/setup\?token=[\w-]+)/.exec(printed)?.[1]
    return { app, link: link ?? null }
  }
}

async function adminCount(app: TestApp) {
  const rows = await app.db.selectFrom('users').select('id').where('role', '=', 'admin').execute()
  return rows.length
}

describeEachDatabase('first-run setup', (kind) => {
  const start = useStarts(kind)

  it('prints a one-time link at each start while no admin exists; a restart voids the old one', async () => {
    const first = await start()
    expect(first.link).toMatch(/^\/setup\?token=[\w-]{32}$/)
    await first.app.close()

    const second = await start()
    expect(second.link).not.toBeNull()
    expect(second.link).not.toBe(first.link)
    expect((await second.app.inject(first.link!)).statusCode).toBe(403)
    const page = await second.app.inject(second.link!)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Create the first admin account.')
  })

  it('refuses /setup without the token or with a wrong one, and creates nothing', async () => {
    const { app, link } = await start()
    for (const url of ['/setup', '/setup?token=', '/setup?token=guess', `${link}x`]) {
      const response = await app.inject(url)
      expect(response.statusCode).toBe(403)
      expect(response.body).toContain('This setup link is not valid.')
    }
    const browser = new TestBrowser(app)
    await browser.get(link!)
    const forged = await browser.post('/setup?token=guess', ADMIN)
    expect(forged.statusCode).toBe(403)
    expect(await adminCount(app)).toBe(0)
  })

  it('creates the first admin, logs them in and audits it; then /setup is gone, even after a restart', async () => {
    const { app, link } = await start()
    const browser = new TestBrowser(app)
    await browser.get(link!)
    const invalid = await browser.post(link!, { name: '', email: 'nope', password: 'short' })
    expect(invalid.statusCode).toBe(422)
    expect(invalid.body).toContain('Enter your name.')
    expect(invalid.body).toContain('Use at least 10 characters.')
    expect(invalid.body).toContain('value="nope"')

    const response = await browser.post(link!, ADMIN)
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/site-settings')
    const admin = await app.db.selectFrom('users').selectAll().where('email', '=', ADMIN.email).executeTakeFirstOrThrow()
    expect(admin).toMatchObject({ name: ADMIN.name, role: 'admin', status: 'active' })
    const settings = await browser.get('/site-settings')
    expect(settings.statusCode).toBe(200)
    expect(settings.body).toContain('You are the site admin.')
    const audit = await app.db.selectFrom('auditLog').selectAll().where('action', '=', 'account.admin_created').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: admin.id, subjectId: admin.id, ip: '127.0.0.1' })
    expect(JSON.parse(audit[0]!.details)).toEqual({ via: 'first-run setup' })

    expect((await app.inject(link!)).statusCode).toBe(404)
    const again = await new TestBrowser(app).submit('/login', link!, { ...ADMIN, email: 'second@example.test' })
    expect(again.statusCode).toBe(404)
    expect(await adminCount(app)).toBe(1)

    await app.close()
    const restarted = await start()
    expect(restarted.link).toBeNull()
    expect((await restarted.app.inject('/setup')).statusCode).toBe(404)
  })

  it('prints no link when an admin exists from the start', async () => {
    const first = await start()
    await createUser(first.app.db, 'admin')
    await first.app.close()
    const second = await start()
    expect(second.link).toBeNull()
  })

  it('refuses an email that already has an account', async () => {
    const { app, link } = await start()
    const attendee = await createUser(app.db, 'attendee', { email: 'taken@example.test' })
    const response = await new TestBrowser(app).submit(link!, link!, { ...ADMIN, email: 'Taken@Example.test' })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('An account with this email already exists.')
    expect((await app.db.selectFrom('users').select('role').where('id', '=', attendee.id).executeTakeFirstOrThrow()).role).toBe('attendee')
  })

  it('makes one admin when the form is sent twice at once', async () => {
    const { app, link } = await start()
    const tabs = [new TestBrowser(app), new TestBrowser(app)]
    for (const tab of tabs) await tab.get(link!)
    const responses = await Promise.all(tabs.map((tab, i) => tab.post(link!, { ...ADMIN, email: `tab${i}@example.test` })))
    expect(responses.map((response) => response.statusCode).sort()).toEqual([303, 404])
    expect(await adminCount(app)).toBe(1)
  })

  it('makes one admin from many setups racing inside the database', async () => {
    const { app } = await start()
    const attempts = Array.from({ length: 10 }, (_, i) =>
      createFirstAdmin(app.db, { name: `Racer ${i}`, email: `racer${i}@example.test`, passwordHash: 'not checked here' }, '127.0.0.1'),
    )
    const created = (await Promise.all(attempts)).filter((admin) => admin !== null)
    expect(created).toHaveLength(1)
    expect(await adminCount(app)).toBe(1)
  })

  // Two instances in one test process on one SQLite file would block each other on its write lock.
  it.runIf(kind === 'postgres')('makes one admin when two app instances each take their own link at once', async () => {
    const one = await start()
    const two = await start()
    expect(one.link).not.toBe(two.link)
    const browsers = [new TestBrowser(one.app), new TestBrowser(two.app)]
    await browsers[0]!.get(one.link!)
    await browsers[1]!.get(two.link!)
    const responses = await Promise.all([
      browsers[0]!.post(one.link!, { ...ADMIN, email: 'one@example.test' }),
      browsers[1]!.post(two.link!, { ...ADMIN, email: 'two@example.test' }),
    ])
    expect(responses.map((response) => response.statusCode).sort()).toEqual([303, 404])
    expect(await adminCount(one.app)).toBe(1)
  })
})
