import { expect, it } from 'vitest'
import { MAX_ANONYMOUS_SESSIONS, pruneSessions } from '../../src/plugins/session.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'

const DAY = 24 * 60 * 60 * 1000

describeEachDatabase('sessions of visitors who never log in', (kind) => {
  const t = useTestApp(kind)

  async function sessionRows() {
    const row = await t.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  it('1,000 anonymous views of pages with forms store no session rows', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event } = await createEvent(t.db, organiser.id)
    const before = await sessionRows()
    const pages = ['/login', '/register', `/buy-tickets/${event.id}`, `/event/${event.id}`, '/']
    for (let i = 0; i < 1000; i++) {
      const response = await t.app.inject(pages[i % pages.length]!)
      expect(response.statusCode).toBe(200)
    }
    expect(await sessionRows()).toBeLessThanOrEqual(before + 5)
  })

  it('still checks the forms those pages carry: a token from one browser is worthless in another', async () => {
    const visitor = new TestBrowser(t.app)
    await visitor.get('/login')
    const token = visitor.csrfToken!
    const other = new TestBrowser(t.app)
    await other.get('/login')
    const forged = await other.post('/login', { _csrf: token, email: 'x@example.test', password: 'whatever it is' })
    expect(forged.statusCode).toBe(403)
    const own = await visitor.post('/login', { email: 'x@example.test', password: 'whatever it is' })
    expect(own.statusCode).toBe(401)
  })

  it('refuses a token made before login once the visitor has logged in, and one made for another account', async () => {
    const user = await createUser(t.db, 'attendee')
    const browser = new TestBrowser(t.app)
    await browser.get('/login')
    const anonymousToken = browser.csrfToken!
    await browser.post('/login', { email: user.email, password: user.password })
    expect((await browser.post('/logout', { _csrf: anonymousToken })).statusCode).toBe(403)
    await browser.get('/')
    expect((await browser.post('/logout')).statusCode).toBe(303)
  })

  it('keeps a session that never logged in for a day, a logged-in one for two weeks', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const placed = await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const order = await t.db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', placed.id).executeTakeFirstOrThrow()
    // A flash message is what an anonymous session holds: here, that the order is cancelled.
    const visitor = new TestBrowser(t.app)
    await visitor.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)
    expect((await visitor.post(`/orders/${order.code}/cancel`, { key: order.accessKey })).statusCode).toBe(303)
    const anonymous = await t.db
      .selectFrom('sessions')
      .select('expiresAt')
      .where('userId', 'is', null)
      .orderBy('expiresAt', 'desc')
      .executeTakeFirstOrThrow()
    expect(anonymous.expiresAt - Date.now()).toBeLessThanOrEqual(DAY)
    expect(anonymous.expiresAt - Date.now()).toBeGreaterThan(DAY - 60_000)

    const { user } = await loginAs(t, 'attendee')
    const loggedIn = await t.db.selectFrom('sessions').select('expiresAt').where('userId', '=', user.id).executeTakeFirstOrThrow()
    expect(loggedIn.expiresAt - Date.now()).toBeGreaterThan(13 * DAY)
  })

  it('prunes expired sessions and the oldest anonymous ones past the cap, never a logged-in one', async () => {
    await t.db.deleteFrom('sessions').execute()
    const user = await createUser(t.db, 'attendee')
    const now = Date.now()
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => ({ sid: `anon-${i}`, data: '{}', userId: null, expiresAt: now + (i + 1) * 1000 })),
      { sid: 'old-login', data: '{}', userId: user.id, expiresAt: now + 1 },
      { sid: 'expired', data: '{}', userId: user.id, expiresAt: now - 1 },
    ]
    await t.db.insertInto('sessions').values(rows).execute()
    await pruneSessions(t.db, { now, maxAnonymous: 10 })
    const left = await t.db.selectFrom('sessions').select('sid').orderBy('sid').execute()
    expect(left.map((row) => row.sid).sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `anon-${20 + i}`), 'old-login'].sort())
    expect(MAX_ANONYMOUS_SESSIONS).toBeGreaterThanOrEqual(10_000)
  })
})
