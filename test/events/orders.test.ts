import { doorCodesOfOrder } from '../helpers/door.js'
import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'

describeEachDatabase('GET /events/:id/orders', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')
  let eventId: number
  let codes: string[]
  let firstOrderId: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      ticketTypes: [{ name: 'Standard', priceMinor: 2000 }, { name: 'Student' }],
    })
    eventId = event.id
    const now = Date.now()
    const first = await placeOrder(t.db, event.id, ticketTypes[0]!.id, {
      buyerName: 'Grace Hopper',
      buyerEmail: 'grace@navy.example',
      quantity: 2,
      createdAt: now - 3000,
    })
    firstOrderId = first.id
    codes = [
      first.code,
      (
        await placeOrder(t.db, event.id, ticketTypes[1]!.id, {
          buyerName: 'Alan Turing',
          buyerEmail: 'alan@bletchley.example',
          createdAt: now - 2000,
        })
      ).code,
      (
        await placeOrder(t.db, event.id, ticketTypes[0]!.id, {
          buyerName: '100% Real_Name',
          buyerEmail: 'x@y.example',
          status: 'cancelled',
          createdAt: now - 1000,
        })
      ).code,
    ]
  })

  it('lists every order, newest first, with buyer, tickets, total and status', async () => {
    const page = await me.browser.get(`/events/${eventId}/orders`)
    expect(page.statusCode).toBe(200)
    const positions = codes.map((code) => page.body.indexOf(code))
    expect(positions.every((position) => position > 0)).toBe(true)
    expect(positions[2]).toBeLessThan(positions[1]!)
    expect(positions[1]).toBeLessThan(positions[0]!)
    expect(page.body).toContain('grace@navy.example')
    expect(page.body).toContain('€40.00')
    // Each ticket by the code its QR code carries, which the door reads.
    for (const doorCode of await doorCodesOfOrder(t.db, firstOrderId)) expect(page.body).toContain(`<code>${doorCode}</code>`)
    expect(page.body).toContain('status-badge--cancelled')
  })

  it('shows each order’s total and prices in the currency it was paid in, whatever the site’s currency is now', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ priceMinor: 1500 }] })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2, currency: 'USD' })
    const page = await me.browser.get(`/events/${event.id}/orders`)
    expect(page.body).toMatch(/<li><bdi>Standard<\/bdi> · <code>[^<]+<\/code> · US\$15\.00\s*<\/li>/)
    expect(page.body).toContain('<td data-label="Total">US$30.00</td>')
    expect(page.body).not.toContain('€')
  })

  const searches: [string, () => string, number][] = [
    ['a name, in any case', () => 'GRACE', 0],
    ['an email', () => 'bletchley', 1],
    ['an order code', () => codes[1]!.toLowerCase(), 1],
    ['a ticket code', () => `TKT${codes[0]}N1`, 0],
    ['a door code, as scanned into the field', () => doorCodes[0]!.toLowerCase(), 0],
  ]
  let doorCodes: string[] = []
  beforeAll(async () => {
    doorCodes = await doorCodesOfOrder(t.db, firstOrderId)
  })
  it.each(searches)('finds orders by %s', async (_what, query, index) => {
    const page = await me.browser.get(`/events/${eventId}/orders?q=${encodeURIComponent(query())}`)
    expect(page.statusCode).toBe(200)
    expect(codes.filter((code) => page.body.includes(`<code>${code}</code>`))).toEqual([codes[index]])
  })

  it('finds a buyer without regard to accents, on either database', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    const { code } = await placeOrder(t.db, event.id, ticketTypes[0]!.id, {
      buyerName: 'Émile Zoë Straße',
      buyerEmail: 'emile@café.example',
    })
    for (const query of ['emile', 'ÉMILE', 'zoe', 'strasse', 'cafe.example', 'Émile Zoë']) {
      const page = await me.browser.get(`/events/${event.id}/orders?q=${encodeURIComponent(query)}`)
      expect(page.body, query).toContain(`<code>${code}</code>`)
    }
    expect((await me.browser.get(`/events/${event.id}/orders?q=emilie`)).body).not.toContain(`<code>${code}</code>`)
  })

  it('treats % and _ as plain characters, and says when nothing matches', async () => {
    const percent = await me.browser.get(`/events/${eventId}/orders?q=${encodeURIComponent('100%')}`)
    expect(codes.filter((code) => percent.body.includes(`<code>${code}</code>`))).toEqual([codes[2]])
    const none = await me.browser.get(`/events/${eventId}/orders?q=${encodeURIComponent('_zz%')}`)
    expect(none.body).toContain('No order matches “_zz%”.')
  })

  it('shows 50 orders a page, never splitting an order, with links between pages', async () => {
    // Room for all 104 tickets: the orders go through the real purchase, which sells no more than there are.
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ capacity: 104 }] })
    const now = Date.now()
    for (let i = 0; i < 52; i++) await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2, createdAt: now - i * 1000 })
    const first = await me.browser.get(`/events/${event.id}/orders`)
    expect(first.body.match(/class="order-row /g)).toHaveLength(50)
    expect(first.body).toContain(`href="/events/${event.id}/orders?page=2" rel="next"`)
    const second = await me.browser.get(`/events/${event.id}/orders?page=2`)
    expect(second.body.match(/class="order-row /g)).toHaveLength(2)
    expect(second.body.match(/<li><bdi>Standard<\/bdi> · /g)).toHaveLength(4)
    expect(second.body).toContain(`href="/events/${event.id}/orders" rel="prev"`)
    expect(second.body).not.toContain('page=3')

    const searched = await me.browser.get(`/events/${event.id}/orders?q=buyer&page=2`)
    expect(searched.body.match(/class="order-row /g)).toHaveLength(2)
    expect(searched.body).toContain(`href="/events/${event.id}/orders?q=buyer" rel="prev"`)
    const searchedFirst = await me.browser.get(`/events/${event.id}/orders?q=buyer`)
    expect(searchedFirst.body).toContain(`href="/events/${event.id}/orders?q=buyer&amp;page=2" rel="next"`)
  })

  it('shows the first page for a page number that is not one', async () => {
    for (const page of ['0', '-1', 'abc', '1e3']) {
      const response = await me.browser.get(`/events/${eventId}/orders?page=${page}`)
      expect(response.statusCode).toBe(200)
      expect(codes.every((code) => response.body.includes(`<code>${code}</code>`))).toBe(true)
    }
  })

  it('links a buyer address stored with a query so that it cannot add recipients to the mail', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerEmail: 'a@b.example?bcc=c@d.example' })
    const page = await me.browser.get(`/events/${event.id}/orders`)
    expect(page.body).toContain('href="mailto:a@b.example%3Fbcc%3Dc%40d.example"')
    expect(page.body).not.toContain('mailto:a@b.example?bcc')
  })
})
