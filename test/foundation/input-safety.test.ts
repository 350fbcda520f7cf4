import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { safeReturnPath } from '../../src/plugins/auth.js'
import { testConfig, useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'

describe('safeReturnPath', () => {
  it.each([
    ['/organiser', '/organiser'],
    ['/event/5?x=1#tickets', '/event/5?x=1#tickets'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\t/evil.example/x', '/'],
    ['/\n/evil.example', '/'],
    ['/a\r\nSet-Cookie: x', '/'],
    ['https://evil.example', '/'],
    ['evil', '/'],
    [['/a', '/b'], '/'],
    [undefined, '/'],
  ])('%j gives %j', (given, expected) => {
    expect(safeReturnPath(given)).toBe(expected)
  })
})

describeEachDatabase('input that once reached the database raw', (kind) => {
  const t = useTestApp(kind)

  it.each(['/event/2147483648', '/buy-tickets/4294967296', '/event/9999999999'])('%s is a 404, not a database error', async (url) => {
    expect((await t.app.inject(url)).statusCode).toBe(404)
  })

  it('a NUL byte in a form field or a search is a message, not a 500', async () => {
    const browser = new TestBrowser(t.app)
    await browser.get('/register')
    const register = await browser.post('/register', {
      name: 'Nul\u0000Name',
      email: 'nul@example.test',
      password: 'a long enough password',
    })
    expect(register.statusCode).toBe(422)
    expect(register.body).toContain('invisible control characters')
    expect((await browser.get('/attendee?q=%00')).statusCode).toBe(200)
    await browser.get('/login')
    const login = await browser.post('/login', { email: 'a\u0000@example.test', password: 'whatever it is' })
    expect(login.statusCode).toBe(422)
  })

  it('a tab-smuggled return address after login stays on this site', async () => {
    const browser = new TestBrowser(t.app)
    const page = await browser.get('/login?next=/%09/evil.example')
    expect(page.body).toContain('name="next" value="/"')
  })
})

describe('logs', () => {
  it('never hold an order key or a setup token', async () => {
    const database = await createTestDatabase('sqlite')
    const lines: string[] = []
    const stream = new PassThrough()
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
    const app = await buildApp(testConfig(database, { logLevel: 'info' }), { logStream: stream })
    try {
      await app.inject('/orders/ABCDEFGHJK?key=secret-order-key&x=1')
      await app.inject('/setup?token=secret-setup-token')
      await app.inject({ url: '/', headers: { cookie: 'admit_one_session=secret-cookie-value', authorization: 'Basic c2VjcmV0' } })
      const log = lines.join('')
      expect(log).toContain('/orders/ABCDEFGHJK?key=[redacted]&x=1')
      expect(log).not.toContain('secret-order-key')
      expect(log).not.toContain('secret-setup-token')
      expect(log).not.toContain('secret-cookie-value')
      expect(log).not.toContain('c2VjcmV0')
      expect(log).toMatch(/"reqId":"[0-9a-f-]{36}"/)
    } finally {
      await app.close()
      await database.drop()
    }
  })
})
