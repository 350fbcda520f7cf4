import { describe, expect, it } from 'vitest'
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
      const refused = await browser.post('/register', { name: 'Ray Limit', email: 'ray-last@example.test', password: 'violet lantern orbit' })
      expectTooMany(refused)
      expect(await t.db.selectFrom('users').select('id').where('email', '=', 'ray-last@example.test').execute()).toEqual([])
    })
  })

  describe('per account, on login', () => {
    const t = useLimitedApp(kind)

    it('locks an account after failures from other IPs, even with the right password, and no other account', async () => {
      const user = await createUser(t.db, 'organiser')
      for (let i = 0; i < LIMIT; i++) {
        await recordAudit(t.db, { actorId: user.id, actorLabel: user.email, action: 'login.failed', ip: `203.0.113.${i}` })
      }
      const browser = new TestBrowser(t.app)
      await browser.get('/login')
      expectTooMany(await browser.post('/login', { email: user.email, password: user.password }))
      expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', user.id).execute()).toEqual([])

      const other = await createUser(t.db, 'attendee')
      const allowed = await browser.post('/login', { email: other.email, password: other.password })
      expect(allowed.statusCode).toBe(303)
    })
  })

  describe('per account, on registration', () => {
    const t = useLimitedApp(kind)

    it('counts a registration with the account’s email as an attempt on the account, which locks its login', async () => {
      const user = await createUser(t.db, 'organiser')
      for (let i = 0; i < LIMIT - 1; i++) {
        await recordAudit(t.db, { actorId: user.id, actorLabel: user.email, action: 'login.failed', ip: `203.0.113.${i}` })
      }
      const browser = new TestBrowser(t.app)
      await browser.get('/register')
      const taken = await browser.post('/register', { name: 'Mallory', email: user.email.toUpperCase(), password: 'violet lantern orbit' })
      expect(taken.statusCode).toBe(422)
      expect(taken.body).toContain('An account with this email already exists')
      const attempts = await t.db.selectFrom('auditLog').select(['actorId', 'actorLabel']).where('action', '=', 'register.failed').execute()
      expect(attempts).toEqual([{ actorId: null, actorLabel: user.email }])

      await browser.get('/login')
      expectTooMany(await browser.post('/login', { email: user.email, password: user.password }))
      expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', user.id).execute()).toEqual([])
    })

    it('refuses registering with the email of an account under attack, and not with another', async () => {
      const user = await createUser(t.db, 'attendee')
      for (let i = 0; i < LIMIT; i++) {
        await recordAudit(t.db, { actorId: user.id, actorLabel: user.email, action: 'login.failed', ip: `198.51.100.${i}` })
      }
      const browser = new TestBrowser(t.app)
      await browser.get('/register')
      expectTooMany(await browser.post('/register', { name: 'Mallory', email: user.email, password: 'violet lantern orbit' }))
      const fresh = await browser.post('/register', { name: 'Nora New', email: 'nora@example.test', password: 'violet lantern orbit' })
      expect(fresh.statusCode).toBe(303)
    })
  })
})
