import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig, type TestApp, useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { createPersonas } from '../helpers/personas.js'

describeEachDatabase('pages with personal or organiser data stay out of shared caches', (kind) => {
  const t = useTestApp(kind)

  it('answers every page a logged-in account sees with private, no-store', async () => {
    const { admin, organiser, attendee } = await createPersonas(t.db)
    const { event } = await createEvent(t.db, organiser.id)
    const pages: [typeof admin, string][] = [
      [attendee, `/buy-tickets/${event.id}`],
      [attendee, '/my-tickets'],
      [organiser, '/organiser'],
      [organiser, `/edit-event/${event.id}`],
      [organiser, `/events/${event.id}/orders`],
      [admin, '/site-settings'],
      [admin, '/users/list-users'],
    ]
    for (const [persona, url] of pages) {
      const { browser } = await loginAs(t, persona)
      const page = await browser.get(url)
      expect(page.statusCode, url).toBe(200)
      expect(page.headers['cache-control'], url).toBe('private, no-store')
    }
  })

  it('keeps the cache policy of static files for a logged-in account', async () => {
    const { attendee } = await createPersonas(t.db)
    const { browser } = await loginAs(t, attendee)
    expect((await browser.get('/public/app.css')).headers['cache-control']).toBe('public, max-age=86400')
  })

  it('keeps a buy form refilled with what an anonymous buyer typed private', async () => {
    const { organiser } = await createPersonas(t.db)
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 1 }] })
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    expect(form.headers['cache-control']).toBeUndefined()
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    await browser.post(`/purchase/${event.id}`, {
      key,
      [`qty_${ticketTypes[0]!.id}`]: '2',
      name: 'Priv Ate',
      email: 'private@example.test',
    })
    const refilled = await browser.get(`/buy-tickets/${event.id}`)
    expect(refilled.body).toContain('private@example.test')
    expect(refilled.headers['cache-control']).toBe('private, no-store')
  })

  it('keeps the refusal page and a buy form sent back with errors private', async () => {
    const { organiser } = await createPersonas(t.db)
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 1 }] })
    const browser = new TestBrowser(t.app)
    await browser.get(`/buy-tickets/${event.id}`)
    const invalid = await browser.post(`/purchase/${event.id}`, {
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'Priv Ate',
      email: 'not an email',
    })
    expect(invalid.statusCode).toBe(422)
    expect(invalid.headers['cache-control']).toBe('private, no-store')
    await browser.post(`/purchase/${event.id}`, { [`qty_${ticketTypes[0]!.id}`]: '2', name: 'Priv Ate', email: 'private@example.test' })
    const fail = await browser.get('/purchase/fail')
    expect(fail.headers['cache-control']).toBe('private, no-store')
  })
})

describe('slow and silent clients', () => {
  let database: TestDatabase
  let app: TestApp
  let port: number

  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    app = await buildApp(testConfig(database, { timeouts: { requestMs: 1_000, idleMs: 400 } }))
    const address = new URL(await app.listen({ host: '127.0.0.1', port: 0 }))
    port = Number(address.port)
  })
  afterAll(async () => {
    await app.close()
    await database.drop()
  })

  /** Opens a socket, sends `data`, and resolves with how long the server let it stay open. */
  function heldFor(data: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const started = Date.now()
      const socket = connect(port, '127.0.0.1', () => socket.write(data))
      socket.on('data', () => {})
      socket.on('error', reject)
      socket.on('close', () => resolve(Date.now() - started))
      setTimeout(() => {
        socket.destroy()
        reject(new Error('the server kept the socket open for 10 s'))
      }, 10_000).unref()
    })
  }

  it('sets the request and idle timeouts on the HTTP server', () => {
    expect(app.server.requestTimeout).toBe(1_000)
    expect(app.server.timeout).toBe(400)
  })

  it('closes a connection that opens and then says nothing', async () => {
    expect(await heldFor('')).toBeLessThan(5_000)
  })

  it('closes a connection whose body stops halfway', async () => {
    expect(
      await heldFor(
        'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a',
      ),
    ).toBeLessThan(5_000)
  })
})
