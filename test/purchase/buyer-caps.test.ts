import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig, type TestApp, useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { buyAllAtOnce, prepareBuyers } from '../helpers/flash-sale.js'
import { createUser, type Persona } from '../helpers/personas.js'
import { eventFields, expectRedirect, useOrganiser } from '../events/support.js'

describeEachDatabase('an organiser’s caps on one buyer', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  async function cappedEvent(caps: { maxTicketsPerBuyer?: number; maxOrdersPerBuyer?: number }) {
    const created = await createEvent(t.db, organiser.id, { ticketTypes: [{ name: 'Standard', maxPerOrder: 10 }] })
    await t.db.updateTable('events').set(caps).where('id', '=', created.event.id).execute()
    return created
  }

  async function buy(eventId: number, ticketTypeId: number, quantity: number, email: string) {
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${eventId}`)
    const response = await buyer.post(`/purchase/${eventId}`, { [`qty_${ticketTypeId}`]: String(quantity), name: 'Capped Buyer', email })
    const message = response.headers.location === '/purchase/fail' ? (await buyer.get('/purchase/fail')).body : ''
    return { bought: response.headers.location?.startsWith('/purchase/success') === true, message }
  }

  it('counts tickets per email address, whatever its case, and says how many are left', async () => {
    const { event, ticketTypes } = await cappedEvent({ maxTicketsPerBuyer: 4 })
    const type = ticketTypes[0]!.id
    expect((await buy(event.id, type, 3, 'bot@example.test')).bought).toBe(true)
    const refused = await buy(event.id, type, 2, 'BOT@example.test')
    expect(refused.bought).toBe(false)
    expect(refused.message).toContain(
      'Each buyer may have at most 4 tickets for this event, counting earlier orders with the same email address.',
    )
    expect(refused.message).not.toContain('bot@example.test')
    expect((await buy(event.id, type, 1, 'bot@example.test')).bought).toBe(true)
    expect((await buy(event.id, type, 2, 'someone@example.test')).bought).toBe(true)
    const sold = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', type).executeTakeFirstOrThrow()
    expect(sold.sold).toBe(6)
  })

  it('counts orders per email address, and a cancelled order no longer counts', async () => {
    const { event, ticketTypes } = await cappedEvent({ maxOrdersPerBuyer: 1 })
    const type = ticketTypes[0]!.id
    expect((await buy(event.id, type, 1, 'once@example.test')).bought).toBe(true)
    const refused = await buy(event.id, type, 1, 'once@example.test')
    expect(refused.message).toContain('Each buyer may place at most 1 order for this event')
    await t.db.updateTable('orders').set({ status: 'cancelled' }).where('eventId', '=', event.id).execute()
    expect((await buy(event.id, type, 1, 'once@example.test')).bought).toBe(true)
  })
})

describeEachDatabase('the organiser sets the caps on one buyer in the event form', (kind) => {
  const t = useTestApp(kind)
  const me = useOrganiser(t)

  it('stores them, shows them on the buy form, and explains a bad value with the form kept', async () => {
    const { event } = await createEvent(t.db, me.organiser.id)
    const edit = await me.browser.get(`/edit-event/${event.id}`)
    expect(edit.body).toContain('Tickets per buyer')
    const bad = await me.browser.post(
      `/edit-event/${event.id}`,
      eventFields({ title: event.title, maxTicketsPerBuyer: 'four', maxOrdersPerBuyer: '2' }),
    )
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('value="four"')
    const saved = await me.browser.post(
      `/edit-event/${event.id}`,
      eventFields({ title: event.title, maxTicketsPerBuyer: '4', maxOrdersPerBuyer: '2' }),
    )
    expectRedirect(saved, `/edit-event/${event.id}`)
    expect(
      await t.db
        .selectFrom('events')
        .select(['maxTicketsPerBuyer', 'maxOrdersPerBuyer'])
        .where('id', '=', event.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      maxTicketsPerBuyer: 4,
      maxOrdersPerBuyer: 2,
    })
    const form = await new TestBrowser(t.app).get(`/buy-tickets/${event.id}`)
    expect(form.body).toContain('At most 4 tickets per email address for this event. At most 2 orders per email address.')
    const cleared = await me.browser.post(`/edit-event/${event.id}`, eventFields({ title: event.title }))
    expectRedirect(cleared, `/edit-event/${event.id}`)
    expect(
      (await t.db.selectFrom('events').select('maxTicketsPerBuyer').where('id', '=', event.id).executeTakeFirstOrThrow())
        .maxTicketsPerBuyer,
    ).toBeNull()
  })
})

describeEachDatabase('caps on one buyer under simultaneous purchases', (kind) => {
  let database: TestDatabase
  let app: TestApp
  let url: string

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    app = await buildApp(testConfig(database))
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await app.close()
    await database.drop()
  })

  it('lets one address take no more than its cap when 40 of its purchases arrive at once', async () => {
    const organiser = await createUser(app.db, 'organiser')
    const { event, ticketTypes } = await createEvent(app.db, organiser.id, { ticketTypes: [{ capacity: 500, maxPerOrder: 4 }] })
    await app.db.updateTable('events').set({ maxTicketsPerBuyer: 6, maxOrdersPerBuyer: 3 }).where('id', '=', event.id).execute()
    const buyers = await prepareBuyers([url], event.id, 40)
    const outcomes = await buyAllAtOnce(buyers, event.id, ticketTypes[0]!.id, () => 'one-bot@example.test')

    expect(outcomes.filter((outcome) => outcome.status >= 500)).toEqual([])
    const orders = await app.db.selectFrom('orders').select('id').where('eventId', '=', event.id).execute()
    const tickets = await app.db
      .selectFrom('tickets')
      .innerJoin('orders', 'orders.id', 'tickets.orderId')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('orders.eventId', '=', event.id)
      .executeTakeFirstOrThrow()
    expect(orders.length).toBeGreaterThan(0)
    expect(orders.length).toBeLessThanOrEqual(3)
    expect(Number(tickets.n)).toBeLessThanOrEqual(6)
    const winners = outcomes.filter((outcome) => outcome.location?.startsWith('/purchase/success'))
    expect(winners).toHaveLength(orders.length)
  })
})
