import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { testConfig, useTestApp } from '../helpers/app.js'

describeEachDatabase('pages and security', (kind) => {
  const t = useTestApp(kind)

  it('serves the home page with the site name and a CSP that allows no inline script', async () => {
    const response = await t.app.inject('/')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/html')
    expect(response.body).toContain('<title>Admit One</title>')
    const csp = String(response.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
  })

  it('answers an unknown URL with an HTML 404 page', async () => {
    const response = await t.app.inject('/no/such/page')
    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toContain('text/html')
    expect(response.body).toContain('Page not found')
    for (const [method, url] of [
      ['POST', '/no/such/page'],
      ['PUT', '/login'],
      ['DELETE', '/event/1'],
    ] as const) {
      const other = await t.app.inject({ method, url })
      expect(other.statusCode, `${method} ${url}`).toBe(404)
      expect(other.body).toContain('Page not found')
    }
  })

  it('refuses a form without a CSRF token, or with a wrong one, with a 403 page', async () => {
    const browser = new TestBrowser(t.app)
    await browser.get('/login')
    const missing = await browser.post('/login', { _csrf: '', email: 'a@example.test', password: 'x' })
    expect(missing.statusCode).toBe(403)
    expect(missing.body).toContain('This form has expired')
    const wrong = await browser.post('/login', { _csrf: 'forged-token', email: 'a@example.test', password: 'x' })
    expect(wrong.statusCode).toBe(403)
    const noSession = await t.app.inject({ method: 'POST', url: '/login', payload: { email: 'a@example.test' } })
    expect(noSession.statusCode).toBe(403)
  })

  it('refuses a body larger than any form with a 413 page', async () => {
    const browser = new TestBrowser(t.app)
    await browser.get('/login')
    const response = await browser.post('/login', { email: 'a@example.test', password: 'x'.repeat(300 * 1024) })
    expect(response.statusCode).toBe(413)
    expect(response.body).toContain('Too much data')
  })

  it('serves the stylesheet with cache headers', async () => {
    const response = await t.app.inject('/public/app.css')
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toContain('max-age=86400')
    expect(response.headers.etag).toBeDefined()
    // Not counted against the per-address limit: a crowd on one Wi-Fi loads it with every page.
    expect(response.headers['x-ratelimit-limit']).toBeUndefined()
    expect((await t.app.inject('/')).headers['x-ratelimit-limit']).toBeDefined()
  })

  it('reports health and readiness as JSON', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' })
    const ready = await t.app.inject('/readyz')
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ok', database: 'ok' })
  })
})

describe('failures', () => {
  it('show a 500 page with the request id and no stack trace', async () => {
    const database = await createTestDatabase('sqlite')
    const app = await buildApp(testConfig(database))
    app.get('/explode', { config: { access: 'anyone' } }, async () => {
      throw new Error('secret internal detail')
    })
    try {
      const response = await app.inject('/explode')
      expect(response.statusCode).toBe(500)
      expect(response.headers['content-type']).toContain('text/html')
      expect(response.body).toContain('Something went wrong on our side')
      expect(response.body).toMatch(/request id <code>[0-9a-f-]{36}<\/code>/)
      expect(response.body).not.toContain('secret internal detail')
      expect(response.body).not.toContain('at ')
    } finally {
      await app.close()
      await database.drop()
    }
  })

  it('readiness is 503 once the database is gone', async () => {
    const database = await createTestDatabase('sqlite')
    const app = await buildApp(testConfig(database))
    try {
      await app.db.destroy()
      const response = await app.inject('/readyz')
      expect(response.statusCode).toBe(503)
    } finally {
      await app.close().catch(() => {})
      await database.drop()
    }
  })

  it("let forms lead only to this site, and to the card payment page's when card payments are set up", async () => {
    const formAction = async (stripe: Config['stripe']) => {
      const database = await createTestDatabase('sqlite')
      const app = await buildApp(testConfig(database, { stripe }))
      try {
        const csp = String((await app.inject('/')).headers['content-security-policy'])
        return /form-action ([^;]*)/.exec(csp)![1]
      } finally {
        await app.close()
        await database.drop()
      }
    }
    expect(await formAction(null)).toBe("'self'")
    // The buy form's 303 to Checkout is a form's answer: a browser that checks form-action on redirects needs its origin there.
    expect(await formAction({ secretKey: 'sk_test_x', webhookSecret: null, apiUrl: null })).toBe("'self' https://checkout.stripe.com")
    expect(await formAction({ secretKey: 'sk_test_x', webhookSecret: null, apiUrl: 'http://127.0.0.1:4242/v1' })).toBe(
      "'self' http://127.0.0.1:4242",
    )
  })

  it('refuse to start when a route does not say who may use it', async () => {
    const database = await createTestDatabase('sqlite')
    const app = await buildApp(testConfig(database))
    try {
      expect(() => app.get('/unguarded', async () => 'hello')).toThrow(/does not declare config.access/)
    } finally {
      await app.close()
      await database.drop()
    }
  })
})
