import { beforeEach, describe, expect, it } from 'vitest'
import { COOL_DOWN_STEP_MS } from '../../src/features/accounts/login-throttle.js'
import { recordAudit } from '../../src/features/audit/audit.repository.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase, type DatabaseKind } from '../helpers/database.js'
import { createUser } from '../helpers/personas.js'

const LIMIT = 3

/** An app of its own for each limit, so that one test's attempts do not count against another's. */
function useLimitedApp(kind: DatabaseKind) {
  return useTestApp(kind, { rateLimits: { globalPerMinute: 100_000, authPer15Minutes: LIMIT, purchasePerMinute: 100_000 } })
}

function expectTooMany(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(response.statusCode).toBe(429)
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(14 * 60)
  expect(response.body).toContain('Too many attempts')
  expect(response.body).toContain('Please wait 15 minutes and try again.')
}

describeEachDatabase('login and registration rate limits', (kind) => {
  describe('per IP, on login', () => {
    const t = useLimitedApp(kind)

    it('answers the attempt over the limit with a 429 page that says when to retry', async () => {
      const browser = new TestBrowser(t.app)
      await browser.get('/login')
      for (let i = 0; i < LIMIT; i++) {
        const response = await browser.post('/login', { email: `stranger-${i}@example.test`, password: 'not a password' })
        expect(response.statusCode).toBe(401)
      }
      expectTooMany(await browser.post('/login', { email: 'stranger-last@example.test', password: 'not a password' }))
    })
  })

  describe('per IP, on registration', () => {
    const t = useLimitedApp(kind)

    it('answers the attempt over the limit with a 429 page and creates no account', async () => {
      const browser = new TestBrowser(t.app)
      await browser.get('/register')
      for (let i = 0; i < LIMIT; i++) {
        const response = await browser.post('/register', { name: 'Ray Limit', email: `ray-${i}@example.test`, password: 'short' })
        expect(response.statusCode).toBe(422)
      }
      const refused = await browser.post('/register', {
        name: 'Ray Limit',
        email: 'ray-last@example.test',
        password: 'violet lantern orbit',
      })
      expectTooMany(refused)
      expect(await t.db.selectFrom('users').select('id').where('email', '=', 'ray-last@example.test').execute()).toEqual([])
    })
  })

  describe('per account, on login', () => {
    const t = useLimitedApp(kind)
    // The per-IP limit of the route counts every attempt from an address, so each test attacks from addresses of its own.
    let hosts = 0
    const nextAddress = () => `203.0.113.${++hosts}`
    let ATTACKER = ''
    let OWNER = ''
    beforeEach(() => {
      ATTACKER = nextAddress()
      OWNER = nextAddress()
    })

    /** A browser whose requests come from `ip`, as app.inject lets a test say. */
    function browserAt(ip: string) {
      return new TestBrowser(t.app, { remoteAddress: ip })
    }

    async function failFrom(ip: string, email: string, times: number) {
      const browser = browserAt(ip)
      await browser.get('/login')
      const statuses: number[] = []
      for (let i = 0; i < times; i++) statuses.push((await browser.post('/login', { email, password: 'wrong guess' })).statusCode)
      return statuses
    }

    it('refuses the address that failed too often for an account, even with the right password', async () => {
      const user = await createUser(t.db, 'organiser')
      // Failures seen by other app instances: they count here from the audit log, not from this instance's memory.
      for (let i = 0; i < LIMIT; i++)
        await recordAudit(t.db, { actorId: user.id, actorLabel: user.email, action: 'login.failed', ip: ATTACKER })
      const browser = browserAt(ATTACKER)
      await browser.get('/login')
      expectTooMany(await browser.post('/login', { email: user.email, password: user.password }))
      expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', user.id).execute()).toEqual([])
    })

    it('never keeps out the owner who types the right password from another address, not even the only admin', async () => {
      const admin = await createUser(t.db, 'admin')
      expect(await failFrom(ATTACKER, admin.email, LIMIT)).toEqual([401, 401, 401])
      const owner = browserAt(OWNER)
      await owner.get('/login')
      const response = await owner.post('/login', { email: admin.email, password: admin.password })
      expect(response.statusCode).toBe(303)
      expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', admin.id).execute()).toHaveLength(1)
    })

    it('while the account is under attack, checks a new address at once and makes one that failed wait, longer each time', async () => {
      const user = await createUser(t.db, 'attendee')
      await failFrom(ATTACKER, user.email, LIMIT)
      const other = browserAt(nextAddress())
      await other.get('/login')
      expect((await other.post('/login', { email: user.email, password: 'another guess' })).statusCode).toBe(401)
      const waiting = await other.post('/login', { email: user.email, password: user.password })
      expect(waiting.statusCode).toBe(429)
      expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(25)
      expect(Number(waiting.headers['retry-after'])).toBeLessThanOrEqual(30)
      expect(waiting.body).toContain('Please wait 30 seconds and try again.')
    })

    it('lets the owner who mistyped during an attack in with the right password once the short wait is over', async () => {
      const user = await createUser(t.db, 'attendee')
      await failFrom(ATTACKER, user.email, LIMIT)
      const ownerAddress = OWNER
      expect(await failFrom(ownerAddress, user.email, 1)).toEqual([401])
      // The wait passes: the typo is now 31 s old.
      await t.db
        .updateTable('auditLog')
        .set((eb) => ({ at: eb('at', '-', COOL_DOWN_STEP_MS + 1000) }))
        .where('ip', '=', ownerAddress)
        .execute()
      const owner = browserAt(ownerAddress)
      await owner.get('/login')
      expect((await owner.post('/login', { email: user.email, password: user.password })).statusCode).toBe(303)
    })

    it('keeps the attempts, refused ones included, in the audit log', async () => {
      const user = await createUser(t.db, 'attendee')
      await failFrom(ATTACKER, user.email, LIMIT)
      const second = nextAddress()
      expect(await failFrom(second, user.email, 2)).toEqual([401, 429])
      const entries = await t.db
        .selectFrom('auditLog')
        .select(['action', 'ip'])
        .where('actorLabel', '=', user.email)
        .orderBy('id')
        .execute()
      expect(entries).toEqual([
        ...Array.from({ length: LIMIT }, () => ({ action: 'login.failed', ip: ATTACKER })),
        { action: 'login.failed', ip: second },
        { action: 'login.throttled', ip: second },
      ])
    })

    it('does not slow down another account', async () => {
      const user = await createUser(t.db, 'attendee')
      await failFrom(ATTACKER, user.email, LIMIT)
      const other = await createUser(t.db, 'attendee')
      const browser = browserAt(OWNER)
      await browser.get('/login')
      expect((await browser.post('/login', { email: other.email, password: other.password })).statusCode).toBe(303)
    })
  })

  describe('per account, on registration', () => {
    const t = useLimitedApp(kind)

    it('records a registration with an existing account’s email, and never counts it against the account', async () => {
      const user = await createUser(t.db, 'organiser')
      for (let i = 0; i < LIMIT; i++) {
        const browser = new TestBrowser(t.app, { remoteAddress: `192.0.2.${10 + i}` })
        await browser.get('/register')
        const taken = await browser.post('/register', {
          name: 'Mallory',
          email: user.email.toUpperCase(),
          password: 'violet lantern orbit',
        })
        expect(taken.statusCode).toBe(422)
        expect(taken.body).toContain('An account with this email already exists')
      }
      const attempts = await t.db.selectFrom('auditLog').select(['actorId', 'actorLabel']).where('action', '=', 'register.failed').execute()
      expect(attempts).toHaveLength(LIMIT)
      expect(attempts[0]).toEqual({ actorId: null, actorLabel: user.email })

      const owner = new TestBrowser(t.app, { remoteAddress: '192.0.2.10' })
      await owner.get('/login')
      expect((await owner.post('/login', { email: user.email, password: user.password })).statusCode).toBe(303)
    })

    it('does not refuse registering because someone is guessing at the address', async () => {
      await recordFailures('nora@example.test', LIMIT)
      const browser = new TestBrowser(t.app, { remoteAddress: '198.51.100.77' })
      await browser.get('/register')
      const fresh = await browser.post('/register', { name: 'Nora New', email: 'nora@example.test', password: 'violet lantern orbit' })
      expect(fresh.statusCode).toBe(303)
    })

    async function recordFailures(email: string, times: number) {
      for (let i = 0; i < times; i++)
        await recordAudit(t.db, { actorId: null, actorLabel: email, action: 'login.failed', ip: `198.51.100.${i}` })
    }
  })

  describe('per account, under guesses sent at once', () => {
    const t = useLimitedApp(kind)

    it('checks only one of ten wrong passwords sent at once from a new address during an attack', async () => {
      const user = await createUser(t.db, 'attendee')
      // The attack so far, seen by other instances: the account is in its cool-down.
      for (let i = 0; i < LIMIT; i++)
        await recordAudit(t.db, { actorId: null, actorLabel: user.email, action: 'login.failed', ip: `203.0.113.${200 + i}` })
      const origin = await t.app.listen({ host: '127.0.0.1', port: 0 })
      const forms = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const page = await fetch(`${origin}/login`)
          const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
          return {
            cookie: page.headers
              .getSetCookie()
              .map((cookie) => cookie.split(';')[0])
              .join('; '),
            token,
          }
        }),
      )
      const responses = await Promise.all(
        forms.map((form) =>
          fetch(`${origin}/login`, {
            method: 'POST',
            headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ _csrf: form.token, email: user.email, password: 'parallel guess' }),
            redirect: 'manual',
          }),
        ),
      )
      expect(responses.map((response) => response.status).sort()).toEqual([401, ...Array.from({ length: 9 }, () => 429)])
      const checked = await t.db
        .selectFrom('auditLog')
        .select('id')
        .where('actorLabel', '=', user.email)
        .where('ip', '=', '127.0.0.1')
        .where('action', '=', 'login.failed')
        .execute()
      expect(checked).toHaveLength(1)
    })
  })
})
