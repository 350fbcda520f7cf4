import { expect, it, vi } from 'vitest'
import type { SignupPolicy } from '../../src/db/schema.js'
import { findUserByEmail } from '../../src/features/accounts/user.repository.js'
import { recordAudit } from '../../src/features/audit/audit.repository.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createUser } from '../helpers/personas.js'
import { changeSiteSettings } from '../helpers/settings.js'

const GOOD_PASSWORD = 'violet lantern orbit'

// The real audit log, which a test can make fail once.
vi.mock('../../src/features/audit/audit.repository.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/features/audit/audit.repository.js')>()
  return { ...original, recordAudit: vi.fn(original.recordAudit) }
})

describeEachDatabase('POST /register', (kind) => {
  const t = useTestApp(kind)

  async function setPolicy(signupPolicy: SignupPolicy) {
    await changeSiteSettings(t.db, { signupPolicy })
  }

  async function register(fields: Record<string, string>) {
    const browser = new TestBrowser(t.app)
    const response = await browser.submit('/register', '/register', fields)
    return { browser, response }
  }

  it('under the open policy makes an organiser of whoever asks, and logs them in', async () => {
    await setPolicy('open')
    const { browser, response } = await register({ name: 'Olga Open', email: 'olga@example.test', password: GOOD_PASSWORD, organiser: '1' })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/organiser')
    const user = await findUserByEmail(t.db, 'olga@example.test')
    expect(user).toMatchObject({ name: 'Olga Open', role: 'organiser', status: 'active', organiserRequestedAt: null })
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
    expect((await browser.get('/')).body).toContain('Log out')
    const audit = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'account.registered')
      .where('subjectId', '=', user!.id)
      .execute()
    expect(audit).toHaveLength(1)
  })

  it('under the open policy makes an attendee of whoever does not ask', async () => {
    await setPolicy('open')
    const { response } = await register({ name: 'Anna Attendee', email: 'anna@example.test', password: GOOD_PASSWORD })
    expect(response.headers.location).toBe('/')
    expect(await findUserByEmail(t.db, 'anna@example.test')).toMatchObject({ role: 'attendee', organiserRequestedAt: null })
  })

  it('under the open policy reads organiser=false from a hand-made form as not asking', async () => {
    await setPolicy('open')
    const { response } = await register({ name: 'Fay False', email: 'fay@example.test', password: GOOD_PASSWORD, organiser: 'false' })
    expect(response.headers.location).toBe('/')
    expect(await findUserByEmail(t.db, 'fay@example.test')).toMatchObject({ role: 'attendee' })
  })

  it('under the approval policy makes an attendee with a pending organiser request', async () => {
    await setPolicy('approval')
    const page = await new TestBrowser(t.app).get('/register')
    expect(page.body).toContain('an admin approves organiser accounts')
    const { browser, response } = await register({
      name: 'Pia Pending',
      email: 'pia@example.test',
      password: GOOD_PASSWORD,
      organiser: '1',
    })
    expect(response.headers.location).toBe('/')
    const user = await findUserByEmail(t.db, 'pia@example.test')
    expect(user!.role).toBe('attendee')
    expect(user!.organiserRequestedAt).toEqual(expect.any(Number))
    expect((await browser.get('/')).body).toContain('An admin will review your request')
  })

  it('under the approval policy mails every active admin about the request, and tells the asker on organiser pages that it waits', async () => {
    await setPolicy('approval')
    const admins = [await createUser(t.db, 'admin'), await createUser(t.db, 'admin')]
    const disabled = await createUser(t.db, 'admin')
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute()
    const requests = () =>
      t.db.selectFrom('outbox').select(['recipient', 'data']).where('kind', '=', 'organiser-requested').orderBy('recipient').execute()
    const before = await requests()

    const { browser } = await register({ name: 'Quinn Queue', email: 'quinn@example.test', password: GOOD_PASSWORD, organiser: '1' })
    const sent = (await requests()).filter((row) => !before.some((old) => old.recipient === row.recipient && old.data === row.data))
    expect(sent.map((row) => row.recipient)).toEqual(admins.map((admin) => admin.email).sort())
    for (const row of sent) {
      expect(JSON.parse(row.data)).toEqual({ name: 'Quinn Queue', email: 'quinn@example.test', siteUrl: 'http://localhost:80' })
    }

    const page = await browser.get('/organiser')
    expect(page.statusCode).toBe(403)
    expect(page.body).toContain('<h1>Waiting for approval</h1>')
    expect(page.body).toContain('an admin has yet to approve the request')
    expect(page.body).not.toContain('Not allowed')

    // Who asks for nothing waits for nothing: no mail, and the plain refusal.
    const plain = await register({ name: 'Nora None', email: 'nora@example.test', password: GOOD_PASSWORD })
    expect(await requests()).toHaveLength(before.length + sent.length)
    const refused = await plain.browser.get('/organiser')
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('<h1>Not allowed</h1>')
  })

  it('under the closed policy offers no organiser choice and ignores a forged one', async () => {
    await setPolicy('closed')
    const page = await new TestBrowser(t.app).get('/register')
    expect(page.body).not.toContain('name="organiser"')
    await register({ name: 'Carl Closed', email: 'carl@example.test', password: GOOD_PASSWORD, organiser: '1' })
    expect(await findUserByEmail(t.db, 'carl@example.test')).toMatchObject({ role: 'attendee', organiserRequestedAt: null })
  })

  it('stores the email trimmed and lower-cased, and refuses the same email in other letters', async () => {
    await setPolicy('open')
    await register({ name: 'Sam Case', email: '  Sam.Case@Example.TEST  ', password: GOOD_PASSWORD })
    expect(await findUserByEmail(t.db, 'sam.case@example.test')).toMatchObject({ email: 'sam.case@example.test' })

    const { response } = await register({ name: 'Sam Again', email: 'SAM.CASE@example.test ', password: GOOD_PASSWORD })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('An account with this email already exists')
    expect(response.body).toContain('value="Sam Again"')
    const rows = await t.db.selectFrom('users').select('id').where('email', '=', 'sam.case@example.test').execute()
    expect(rows).toHaveLength(1)
  })

  it('creates no account when its audit entry cannot be written, so the same email can register again', async () => {
    vi.mocked(recordAudit).mockRejectedValueOnce(new Error('audit log unavailable'))
    const { browser, response } = await register({ name: 'Tina Twice', email: 'tina@example.test', password: GOOD_PASSWORD })
    expect(response.statusCode).toBe(500)
    expect(await findUserByEmail(t.db, 'tina@example.test')).toBeUndefined()
    expect((await browser.get('/')).body).not.toContain('Log out')

    const again = await register({ name: 'Tina Twice', email: 'tina@example.test', password: GOOD_PASSWORD })
    expect(again.response.statusCode).toBe(303)
    const user = await findUserByEmail(t.db, 'tina@example.test')
    const audit = await t.db
      .selectFrom('auditLog')
      .select('id')
      .where('action', '=', 'account.registered')
      .where('subjectId', '=', user!.id)
      .execute()
    expect(audit).toHaveLength(1)
  })

  it.each([
    ['too short', 'nine char', 'Use at least 10 characters.'],
    ['one of the most common', 'Password123', 'one of the most common ones'],
    ['too long', 'x'.repeat(257), 'Use at most 256 characters.'],
  ])('refuses a password that is %s, keeping what was typed but the password', async (_label, password, message) => {
    const email = `weak-${password.length}@example.test`
    const { response } = await register({ name: 'Wendy Weak', email, password })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain(message)
    expect(response.body).toContain(`value="${email}"`)
    expect(response.body).not.toContain(`value="${password}"`)
    expect(await findUserByEmail(t.db, email)).toBeUndefined()
  })

  it('accepts a long passphrase of exactly 256 characters', async () => {
    const { response } = await register({ name: 'Lena Long', email: 'lena@example.test', password: 'y'.repeat(256) })
    expect(response.statusCode).toBe(303)
    expect(await findUserByEmail(t.db, 'lena@example.test')).toBeDefined()
  })

  it('refuses a missing name and a malformed email with a message for each', async () => {
    const { response } = await register({ name: '  ', email: 'not-an-email', password: GOOD_PASSWORD })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('Enter your name.')
    expect(response.body).toContain('Enter an email address like name@example.com.')
  })
})
