import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

describeEachDatabase('a form key shows its order again only to the browser that bought it, for that event', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  async function buyOnce() {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    const fields = {
      key,
      [`qty_${ticketTypes[0]!.id}`]: '1',
      [`price_${ticketTypes[0]!.id}`]: '2500',
      currency: 'EUR',
      name: 'First Buyer',
      email: 'first@example.test',
    }
    const first = await buyer.post(`/purchase/${event.id}`, fields)
    expect(first.headers.location).toMatch(/^\/purchase\/success\?order=/)
    return { event, ticketTypes, buyer, fields, first }
  }

  async function ordersWithKey(key: string) {
    return t.db.selectFrom('orders').select(['id', 'buyerName']).where('idempotencyKey', '=', key).execute()
  }

  it('shows the same order to the same browser', async () => {
    const { event, buyer, fields, first } = await buyOnce()
    const again = await buyer.post(`/purchase/${event.id}`, fields)
    expect(again.headers.location).toBe(first.headers.location)
    expect(await ordersWithKey(fields.key)).toHaveLength(1)
  })

  it('shows the same order to the same browser even when a price changed since, never "nothing was charged"', async () => {
    const { event, ticketTypes, buyer, fields, first } = await buyOnce()
    await t.db.updateTable('ticketTypes').set({ priceMinor: 9900 }).where('id', '=', ticketTypes[0]!.id).execute()
    const again = await buyer.post(`/purchase/${event.id}`, fields)
    expect(again.headers.location).toBe(first.headers.location)
    expect(await ordersWithKey(fields.key)).toHaveLength(1)
  })

  it('treats the key sent from another browser as a used form: no order shown, none written', async () => {
    const { event, fields, first } = await buyOnce()
    const other = new TestBrowser(t.app)
    await other.get(`/buy-tickets/${event.id}`)
    const reused = await other.post(`/purchase/${event.id}`, { ...fields, name: 'Someone Else', email: 'else@example.test' })
    expect(reused.headers.location).toBe('/purchase/fail')
    const page = await other.get('/purchase/fail')
    expect(page.body).toContain('This form was already used to place an order')
    expect(page.body).not.toContain(new URL(first.headers.location!, 'http://x').searchParams.get('order')!)
    expect(await ordersWithKey(fields.key)).toEqual([expect.objectContaining({ buyerName: 'First Buyer' })])
    const sold = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).executeTakeFirstOrThrow()
    expect(sold.sold).toBe(1)
  })

  it('treats the key sent for another event as a used form, even from the same browser', async () => {
    const { buyer, fields } = await buyOnce()
    const { event: otherEvent, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Another Night' })
    await buyer.get(`/buy-tickets/${otherEvent.id}`)
    const reused = await buyer.post(`/purchase/${otherEvent.id}`, {
      key: fields.key,
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: fields.name,
      email: fields.email,
    })
    expect(reused.headers.location).toBe('/purchase/fail')
    expect((await buyer.get('/purchase/fail')).body).toContain('This form was already used to place an order')
    expect(await t.db.selectFrom('orders').select('id').where('eventId', '=', otherEvent.id).execute()).toEqual([])
  })
})
