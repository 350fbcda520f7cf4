import { beforeAll, expect, it } from 'vitest'
import { type AppHandle, useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createPersonas, type Persona } from '../helpers/personas.js'

const VISITOR = '203.0.113.7'

describeEachDatabase('who may read /metrics', (kind) => {
  const direct = useTestApp(kind)
  // TRUST_PROXY=127.0.0.1: a reverse proxy on this machine relays every visitor.
  const proxied = useTestApp(kind, { trustProxy: '127.0.0.1' })
  let people: Record<'direct' | 'proxied', Awaited<ReturnType<typeof createPersonas>>>

  beforeAll(async () => {
    people = { direct: await createPersonas(direct.db), proxied: await createPersonas(proxied.db) }
  })

  async function scrapeAs(t: AppHandle, person: Persona, headers: Record<string, string> = {}) {
    const browser = new TestBrowser(t.app)
    await browser.login(person.email, person.password)
    return t.app.inject({ url: '/metrics', remoteAddress: VISITOR, headers: { ...headers, cookie: browser.cookieHeader() } })
  }

  it('answers an anonymous scrape from this machine when the app trusts no proxy and nothing relayed it', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await direct.app.inject({ url: '/metrics', remoteAddress })
      expect(response.statusCode, remoteAddress).toBe(200)
      expect(response.body).toMatch(/^admit_one_live_sockets_open \d+$/m)
    }
  })

  it('refuses an anonymous scrape from elsewhere, or relayed by a proxy that says so', async () => {
    expect((await direct.app.inject({ url: '/metrics', remoteAddress: VISITOR })).statusCode).toBe(404)
    const relayed = {
      forwarded: `for=${VISITOR}`,
      'x-forwarded-for': VISITOR,
      'x-forwarded-host': 'tickets.example.test',
      'x-forwarded-proto': 'https',
      'x-real-ip': VISITOR,
      via: '1.1 proxy',
    }
    for (const [name, value] of Object.entries(relayed)) {
      const response = await direct.app.inject({ url: '/metrics', headers: { [name]: value } })
      expect(response.statusCode, name).toBe(404)
    }
  })

  it('refuses an anonymous scrape from loopback once the app trusts a proxy, which may add no forwarding header at all', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1']) {
      const response = await proxied.app.inject({ url: '/metrics', remoteAddress })
      expect(response.statusCode, remoteAddress).toBe(404)
      expect(response.body).not.toContain('admit_one_live')
    }
  })

  it('answers admins from anywhere, through a proxy too, and refuses other accounts', async () => {
    for (const [t, who, headers] of [
      [direct, people.direct, {}],
      [proxied, people.proxied, { 'x-forwarded-for': VISITOR }],
    ] as const) {
      const admin = await scrapeAs(t, who.admin, headers)
      expect(admin.statusCode).toBe(200)
      expect(admin.body).toContain('# TYPE admit_one_live_messages_sent_total counter')
      for (const person of [who.organiser, who.attendee]) expect((await scrapeAs(t, person, headers)).statusCode).toBe(404)
    }
  })
})
