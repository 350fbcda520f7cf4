import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { testConfig } from '../helpers/app.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('sessions', (kind) => {
  it('live in the database: a login survives an app restart', async () => {
    const database = await createTestDatabase(kind)
    let app = await buildApp(testConfig(database))
    try {
      const user = await createUser(app.db, 'organiser', { name: 'Rita Restart' })
      const browser = new TestBrowser(app)
      await browser.login(user.email, user.password)
      const stored = await app.db.selectFrom('sessions').select(['userId']).execute()
      expect(stored.map((row) => row.userId)).toContain(user.id)

      await app.close()
      app = await buildApp(testConfig(database))
      const restarted = new TestBrowser(app)
      const cookie = browser.cookieHeader()
      const page = await app.inject({ url: '/', headers: { cookie } })
      expect(page.body).toContain('Log out')
      expect(page.body).toContain('Rita Restart')
      expect(restarted).toBeDefined()
    } finally {
      await app.close()
      await database.drop()
    }
  })

  it('set the cookie httpOnly and SameSite=Lax, and only once something is stored', async () => {
    const database = await createTestDatabase(kind)
    const app = await buildApp(testConfig(database))
    try {
      const home = await app.inject('/')
      expect(home.headers['set-cookie']).toBeUndefined()
      const browser = new TestBrowser(app)
      const login = await browser.get('/login')
      // A page with a form keeps its CSRF secret in a cookie of its own, not in a session.
      const formCookie = String(login.headers['set-cookie'])
      expect(formCookie).toContain('admit_one_csrf=')
      expect(formCookie).not.toContain('admit_one_session=')
      expect(formCookie).toContain('HttpOnly')
      expect(formCookie).toContain('SameSite=Lax')
      const user = await createUser(app.db, 'attendee')
      const loggedIn = await browser.post('/login', { email: user.email, password: user.password })
      const cookie = String(loggedIn.headers['set-cookie'])
      expect(cookie).toContain('admit_one_session=')
      expect(cookie).toContain('HttpOnly')
      expect(cookie).toContain('SameSite=Lax')
    } finally {
      await app.close()
      await database.drop()
    }
  })

  it('mark the cookie Secure when the page came over https through a trusted proxy, and only then', async () => {
    const database = await createTestDatabase(kind)
    const behindProxy = await buildApp(testConfig(database, { trustProxy: '127.0.0.1' }))
    const direct = await buildApp(testConfig(database))
    try {
      const viaHttps = { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } }
      expect(String((await behindProxy.inject({ url: '/login', ...viaHttps })).headers['set-cookie'])).toMatch(/; Secure/)
      expect(String((await behindProxy.inject({ url: '/login', remoteAddress: '127.0.0.1' })).headers['set-cookie'])).not.toMatch(/Secure/)
      // A client that is not the proxy cannot claim https for itself.
      expect(String((await direct.inject({ url: '/login', ...viaHttps })).headers['set-cookie'])).not.toMatch(/Secure/)
    } finally {
      await behindProxy.close()
      await direct.close()
      await database.drop()
    }
  })
})
