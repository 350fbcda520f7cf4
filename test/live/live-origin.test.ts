import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createPersonas } from '../helpers/personas.js'
import { type LiveClient, useLiveClients } from './live-client.js'

describeEachDatabase('which pages may open a live socket', (kind) => {
  const t = useTestApp(kind)
  const live = useLiveClients(t)
  // TRUST_PROXY=true: the proxy tells the host the page was served from.
  const behindProxy = useTestApp(kind, { trustProxy: true })
  const liveBehindProxy = useLiveClients(behindProxy)
  // A default nginx sends its upstream as Host, and no X-Forwarded-Host: PUBLIC_URL names the site.
  const withPublicUrl = useTestApp(kind, { publicUrl: 'https://tickets.example.test' })
  const liveWithPublicUrl = useLiveClients(withPublicUrl)
  let ownerCookie: string
  let eventId: number

  beforeAll(async () => {
    const { organiser } = await createPersonas(t.db)
    eventId = (await createEvent(t.db, organiser.id, { status: 'draft', ticketTypes: [{ capacity: 6 }] })).event.id
    const browser = new TestBrowser(t.app)
    await browser.login(organiser.email, organiser.password)
    ownerCookie = browser.cookieHeader()
  })

  /** This app's host[:port], as the page's address bar shows it. */
  function host(url: string) {
    return new URL(url).host
  }

  async function expectOwnerFigures(client: LiveClient) {
    client.subscribe(eventId)
    expect(await client.waitForRemaining(eventId, 6)).toMatchObject({ status: 'draft', sold: 0, orders: 0, revenue: '€0.00' })
  }

  it("opens for a page of this site, whichever scheme the page was served with, and sends the owner's figures", async () => {
    for (const origin of [`http://${host(live.url)}`, `https://${host(live.url)}`]) {
      await expectOwnerFigures(await live.connect({ cookie: ownerCookie, headers: { origin } }))
    }
  })

  it('refuses with 403, before any socket opens, a page of another origin carrying the owner cookie', async () => {
    const port = new URL(live.url).port
    const others = ['https://evil.example.test', `http://127.0.0.1:${Number(port) + 1}`, `http://localhost:${port}`, 'null', 'file://']
    for (const origin of others) {
      await expect(live.connect({ cookie: ownerCookie, headers: { origin } }), origin).rejects.toThrow('Unexpected server response: 403')
    }
  })

  it('reads X-Forwarded-Host only from a trusted proxy', async () => {
    const forged = { origin: 'https://evil.example.test', 'x-forwarded-host': 'evil.example.test' }
    await expect(live.connect({ headers: forged })).rejects.toThrow('Unexpected server response: 403')

    const relayed = await liveBehindProxy.connect({
      headers: { origin: 'https://tickets.example.test', 'x-forwarded-host': 'tickets.example.test' },
    })
    expect(relayed.ws.readyState).toBe(relayed.ws.OPEN)
    const direct = `http://${host(liveBehindProxy.url)}`
    await expect(liveBehindProxy.connect({ headers: { origin: direct, 'x-forwarded-host': 'tickets.example.test' } })).rejects.toThrow(
      'Unexpected server response: 403',
    )
  })

  it('opens for a page of PUBLIC_URL whatever Host the proxy sends, and for no other origin', async () => {
    const relayed = await liveWithPublicUrl.connect({ headers: { origin: 'https://tickets.example.test' } })
    expect(relayed.ws.readyState).toBe(relayed.ws.OPEN)
    await expect(liveWithPublicUrl.connect({ headers: { origin: 'https://evil.example.test' } })).rejects.toThrow(
      'Unexpected server response: 403',
    )
  })

  // Browsers always send Origin with an upgrade; a client without one holds the cookie itself.
  it('serves an upgrade without Origin as before, under the cookie it carries', async () => {
    await expectOwnerFigures(await live.connect({ cookie: ownerCookie }))
  })
})
