import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

const HOUR = 60 * 60 * 1000

describeEachDatabase('refused purchases', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  async function attempt(eventId: number, quantities: Record<number, number>) {
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${eventId}`)
    // When nothing is on sale the page has no form: a hand-made POST takes its CSRF token from another page.
    if (!browser.csrfToken) await browser.get('/login')
    const key = /name="key" value="([^"]+)"/.exec(form.body)?.[1] ?? 'k'.repeat(24)
    const fields: Record<string, string> = { key, name: 'Sam Buyer', email: 'sam@example.test' }
    for (const [id, quantity] of Object.entries(quantities)) fields[`qty_${id}`] = String(quantity)
    const response = await browser.post(`/purchase/${eventId}`, fields)
    return { browser, response }
  }

  async function countOrders(eventId: number) {
    return (await t.db.selectFrom('orders').select('id').where('eventId', '=', eventId).execute()).length
  }

  it('sold out: says how many are left, writes nothing, and the way back keeps the values', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ name: 'Front row', capacity: 3 }] })
    const type = ticketTypes[0]!
    await t.db.updateTable('ticketTypes').set({ sold: 2 }).where('id', '=', type.id).execute()
    await t.db.updateTable('events').set({ sold: 2 }).where('id', '=', event.id).execute()

    const { browser, response } = await attempt(event.id, { [type.id]: 2 })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/purchase/fail')
    const fail = await browser.get('/purchase/fail')
    expect(fail.body).toContain('Front row: you asked for 2, only 1 is left.')
    expect(fail.body).toContain(`href="/buy-tickets/${event.id}"`)
    const back = await browser.get(`/buy-tickets/${event.id}`)
    expect(back.body).toContain('value="Sam Buyer"')
    expect(back.body).toMatch(new RegExp(`name="qty_${type.id}"[^>]*value="2"`))
    expect(await countOrders(event.id)).toBe(0)
    const after = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', type.id).executeTakeFirstOrThrow()
    expect(after.sold).toBe(2)
  })

  it('the event’s overall capacity limits all its ticket types together', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      capacity: 3,
      ticketTypes: [
        { name: 'A', capacity: 10 },
        { name: 'B', capacity: 10 },
      ],
    })
    const [a, b] = ticketTypes
    const { browser } = await attempt(event.id, { [a!.id]: 2, [b!.id]: 2 })
    expect((await browser.get('/purchase/fail')).body).toContain('Only 3 tickets are left for this event.')
    const first = await attempt(event.id, { [a!.id]: 2, [b!.id]: 1 })
    expect(first.response.headers.location).toMatch(/^\/purchase\/success\?order=/)
    const sold = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).orderBy('id').execute()
    expect(sold.map((row) => row.sold)).toEqual([2, 1])
  })

  it('a resubmit of the form that bought the last tickets shows that order, not "sold out"', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ name: 'Last', capacity: 2 }] })
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    const fields = { key, [`qty_${ticketTypes[0]!.id}`]: '2', name: 'Sam Buyer', email: 'sam@example.test' }
    const first = await browser.post(`/purchase/${event.id}`, fields)
    expect(first.headers.location).toMatch(/^\/purchase\/success\?order=/)

    const again = await browser.post(`/purchase/${event.id}`, fields)
    expect(again.headers.location).toBe(first.headers.location)
    expect(await countOrders(event.id)).toBe(1)
    // Someone else sending the same key (it is in the page's HTML) gets no view of the order.
    const stranger = new TestBrowser(t.app)
    await stranger.get('/login')
    const copied = await stranger.post(`/purchase/${event.id}`, fields)
    expect(copied.headers.location).toBe('/purchase/fail')
    const refused = await stranger.get('/purchase/fail')
    expect(refused.body).toContain('This form was already used')
    expect(refused.body).not.toContain(first.headers.location!.split('=')[1])
  })

  it('not on sale yet, and no longer on sale', async () => {
    const now = Date.now()
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      ticketTypes: [
        { name: 'Early', salesEndAt: now - HOUR },
        { name: 'Later', salesStartAt: now + 24 * HOUR },
      ],
    })
    const [early, later] = ticketTypes
    const ended = await attempt(event.id, { [early!.id]: 1 })
    expect((await ended.browser.get('/purchase/fail')).body).toContain('Early: sales have ended.')
    const notYet = await attempt(event.id, { [later!.id]: 1 })
    expect((await notYet.browser.get('/purchase/fail')).body).toContain('Later: sales start')
    expect(await countOrders(event.id)).toBe(0)
  })

  it('a cancelled event refuses with its reason; a draft does not exist for buyers', async () => {
    const cancelled = await createEvent(t.db, organiser.id, { status: 'cancelled' })
    const page = await new TestBrowser(t.app).get(`/event/${cancelled.event.id}`)
    expect(page.body).toContain('This event has been cancelled')
    expect(page.body).not.toContain('Buy tickets</a>')
    const forged = await attempt(cancelled.event.id, { [cancelled.ticketTypes[0]!.id]: 1 })
    expect((await forged.browser.get('/purchase/fail')).body).toContain('cancelled')
    expect(await countOrders(cancelled.event.id)).toBe(0)

    const draft = await createEvent(t.db, organiser.id, { status: 'draft' })
    const browser = new TestBrowser(t.app)
    await browser.get('/login')
    expect((await browser.get(`/event/${draft.event.id}`)).statusCode).toBe(404)
    expect((await browser.get(`/buy-tickets/${draft.event.id}`)).statusCode).toBe(404)
    const post = await browser.post(`/purchase/${draft.event.id}`, {
      key: 'k'.repeat(24),
      [`qty_${draft.ticketTypes[0]!.id}`]: 1,
      name: 'X',
      email: 'x@example.test',
    })
    expect(post.statusCode).toBe(404)
    expect(await countOrders(draft.event.id)).toBe(0)

    const scheduled = await createEvent(t.db, organiser.id, { publishedAt: Date.now() + HOUR })
    expect((await browser.get(`/event/${scheduled.event.id}`)).statusCode).toBe(404)
  })

  it('an order whose total would not fit the total column is refused, not a database error', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      ticketTypes: [
        { name: 'Gold', priceMinor: 2 ** 30 },
        { name: 'Platinum', priceMinor: 2 ** 30 },
      ],
    })
    const { browser, response } = await attempt(event.id, { [ticketTypes[0]!.id]: 1, [ticketTypes[1]!.id]: 1 })
    expect(response.headers.location).toBe('/purchase/fail')
    expect((await browser.get('/purchase/fail')).body).toContain('larger than one order may be')
    expect(await countOrders(event.id)).toBe(0)
  })
})
