import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'

const GENERIC = 'That email and password do not match an active account.'

/** The session id inside the signed cookie value ("<id>.<signature>"). */
function sessionId(cookie: string | undefined): string {
  return decodeURIComponent(cookie ?? '').split('.')[0]!
}

function failureBox(html: string): string | undefined {
  return /<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1]
}

describeEachDatabase('POST /login', (kind) => {
  const t = useTestApp(kind)

  it('logs in with a new session id, drops the old session row, and records it', async () => {
    const user = await createUser(t.db, 'attendee')
    const browser = new TestBrowser(t.app)
    // A visitor has a session before logging in once it holds something: here, the flash message of a cancelled order.
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const placed = await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const order = await t.db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', placed.id).executeTakeFirstOrThrow()
    await browser.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)
    await browser.post(`/orders/${order.code}/cancel`, { key: order.accessKey })
    await browser.get('/login')
    const before = sessionId(browser.sessionCookie)
    expect(before).not.toBe('')

    const response = await browser.post('/login', { email: user.email.toUpperCase(), password: user.password })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/')
    const after = sessionId(browser.sessionCookie)
    expect(after).not.toBe(before)

    const rows = await t.db.selectFrom('sessions').select(['sid', 'userId']).where('sid', 'in', [before, after]).execute()
    expect(rows).toEqual([{ sid: after, userId: user.id }])
    const audit = await t.db.selectFrom('auditLog').select(['actorId', 'ip']).where('action', '=', 'login.succeeded').execute()
    expect(audit).toContainEqual({ actorId: user.id, ip: '127.0.0.1' })
  })

  it('gives the CSRF secret a new value at login and at logout, so that one planted before login is worth nothing after', async () => {
    const victim = await createUser(t.db, 'attendee')
    const attackerAccount = await createUser(t.db, 'attendee')
    // The attacker's own visit: a secret, and a form token made for it.
    const attacker = new TestBrowser(t.app)
    await attacker.get('/login')
    const planted = attacker.cookies.get('admit_one_csrf')!
    const attackerToken = attacker.csrfToken!

    const browser = new TestBrowser(t.app)
    browser.cookies.set('admit_one_csrf', planted)
    await browser.submit('/login', '/login', { email: victim.email, password: victim.password })
    const loggedIn = browser.cookies.get('admit_one_csrf')
    expect(loggedIn).toBeDefined()
    expect(loggedIn).not.toBe(planted)
    await browser.submit('/', '/logout')
    expect(browser.cookies.get('admit_one_csrf')).toBeDefined()
    expect(browser.cookies.get('admit_one_csrf')).not.toBe(loggedIn)

    // A cross-site form that would log the victim's browser in to the attacker's account.
    const forged = await browser.post('/login', { _csrf: attackerToken, email: attackerAccount.email, password: attackerAccount.password })
    expect(forged.statusCode).toBe(403)
    expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', attackerAccount.id).execute()).toEqual([])
  })

  it('answers a wrong password and an unknown email with the same status and message', async () => {
    const user = await createUser(t.db, 'organiser')
    const wrongPassword = await new TestBrowser(t.app).submit('/login', '/login', { email: user.email, password: 'not the password' })
    const unknownEmail = await new TestBrowser(t.app).submit('/login', '/login', { email: 'nobody@example.test', password: user.password })

    expect(wrongPassword.statusCode).toBe(401)
    expect(unknownEmail.statusCode).toBe(401)
    expect(wrongPassword.body).toContain(GENERIC)
    expect(unknownEmail.body).toContain(GENERIC)
    expect(failureBox(wrongPassword.body)).toBe(failureBox(unknownEmail.body))
    const failures = await t.db.selectFrom('auditLog').select('actorLabel').where('action', '=', 'login.failed').execute()
    expect(failures.map((row) => row.actorLabel)).toEqual(expect.arrayContaining([user.email, 'nobody@example.test']))
  })

  it('refuses a disabled account with the same message', async () => {
    const user = await createUser(t.db, 'organiser')
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute()
    const browser = new TestBrowser(t.app)
    const response = await browser.submit('/login', '/login', { email: user.email, password: user.password })
    expect(response.statusCode).toBe(401)
    expect(response.body).toContain(GENERIC)
    expect((await browser.get('/')).body).not.toContain('Log out')
  })

  it('ends the existing session of an account disabled behind its back at the next request', async () => {
    const { user, browser } = await loginAs(t, 'attendee')
    expect((await browser.get('/')).body).toContain('Log out')

    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute()
    const home = await browser.get('/')
    expect(home.statusCode).toBe(200)
    expect(home.body).not.toContain('Log out')
    expect(home.body).toContain('Log in')
    const rows = await t.db.selectFrom('sessions').select('sid').where('userId', '=', user.id).execute()
    expect(rows).toEqual([])
  })

  it('returns to a same-site page after login', async () => {
    const user = await createUser(t.db, 'admin')
    const browser = new TestBrowser(t.app)
    const protectedPage = await browser.get('/site-settings')
    expect(protectedPage.statusCode).toBe(303)
    expect(protectedPage.headers.location).toBe('/login?next=%2Fsite-settings')
    const form = await browser.get(protectedPage.headers.location as string)
    expect(form.body).toContain('name="next" value="/site-settings"')
    const response = await browser.post('/login', { email: user.email, password: user.password, next: '/site-settings' })
    expect(response.headers.location).toBe('/site-settings')
  })

  it.each(['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'])(
    'goes home instead of to %s',
    async (next) => {
      const user = await createUser(t.db, 'attendee')
      const browser = new TestBrowser(t.app)
      const form = await browser.get(`/login?next=${encodeURIComponent(next)}`)
      expect(form.body).toContain('name="next" value="/"')
      const response = await browser.post('/login', { email: user.email, password: user.password, next })
      expect(response.headers.location).toBe('/')
    },
  )

  it('asks for both fields with a 422 when they are empty', async () => {
    const response = await new TestBrowser(t.app).submit('/login', '/login', { email: ' ', password: '' })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('Enter your email address.')
    expect(response.body).toContain('Enter your password.')
  })

  it('sends the old /auth-fail page on to the login form, where failures are shown now', async () => {
    const response = await t.app.inject('/auth-fail')
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/login')
  })
})
