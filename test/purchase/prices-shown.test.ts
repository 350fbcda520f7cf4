import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

describeEachDatabase('the buyer pays the price they saw', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  async function nothingWritten(eventId: number) {
    const orders = await t.db.selectFrom('orders').select('id').where('eventId', '=', eventId).execute()
    const sold = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', eventId).execute()
    const event = await t.db.selectFrom('events').select('sold').where('id', '=', eventId).executeTakeFirstOrThrow()
    return orders.length === 0 && sold.every((row) => row.sold === 0) && event.sold === 0
  }

  it('refuses when the organiser changed a price after the form was shown, shows the new price and keeps the form', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      ticketTypes: [
        { name: 'Standing', priceMinor: 1250 },
        { name: 'Seated', priceMinor: 3000 },
      ],
    })
    const [standing, seated] = ticketTypes
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    expect(form.body).toContain(`name="price_${standing!.id}" value="1250"`)
    await t.db.updateTable('ticketTypes').set({ priceMinor: 1500 }).where('id', '=', standing!.id).execute()

    const response = await buyer.post(`/purchase/${event.id}`, {
      [`qty_${standing!.id}`]: '2',
      [`qty_${seated!.id}`]: '1',
      name: 'Pia Price',
      email: 'pia@example.test',
    })
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('Prices have changed since this page was shown')
    expect(response.body).toContain('The price is now €15.00, not €12.50.')
    expect(response.body).not.toContain('The price is now €30.00')
    expect(response.body).toContain('value="Pia Price"')
    expect(response.body).toContain('value="pia@example.test"')
    expect(response.body).toMatch(new RegExp(`name="qty_${standing!.id}"[^>]*value="2"`))
    expect(response.body).toContain(`name="price_${standing!.id}" value="1500"`)
    expect(await nothingWritten(event.id)).toBe(true)

    // The form as shown again carries the new price, and buys at it.
    const bought = await buyer.post(`/purchase/${event.id}`, { [`qty_${standing!.id}`]: '2', name: 'Pia Price', email: 'pia@example.test' })
    expect(bought.headers.location).toMatch(/^\/purchase\/success\?order=/)
    const order = await t.db.selectFrom('orders').select('totalMinor').where('eventId', '=', event.id).executeTakeFirstOrThrow()
    expect(order.totalMinor).toBe(3000)
  })

  it('refuses when the site currency changed after the form was shown', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ name: 'Standard', priceMinor: 2000 }] })
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    expect(form.body).toContain('name="currency" value="EUR"')
    const response = await buyer.post(`/purchase/${event.id}`, {
      currency: 'USD',
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'Cy Currency',
      email: 'cy@example.test',
    })
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('The price is now €20.00.')
    expect(await nothingWritten(event.id)).toBe(true)
  })

  it('refuses a form that does not say what it showed', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const response = await buyer.post(`/purchase/${event.id}`, {
      [`price_${ticketTypes[0]!.id}`]: '',
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'Old Form',
      email: 'old@example.test',
    })
    expect(response.statusCode).toBe(409)
    expect(await nothingWritten(event.id)).toBe(true)
  })
})
