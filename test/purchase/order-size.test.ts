import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

describeEachDatabase('the size of one order', (kind) => {
  describe('with the default limit', () => {
    const t = useTestApp(kind)
    let organiser: Persona

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser')
    })

    it('refuses more than 50 tickets in one order across ticket types, keeps the form, writes nothing', async () => {
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
        ticketTypes: [
          { name: 'A', maxPerOrder: 30 },
          { name: 'B', maxPerOrder: 30 },
        ],
      })
      const buyer = new TestBrowser(t.app)
      const form = await buyer.get(`/buy-tickets/${event.id}`)
      expect(form.body).toContain('Up to 50 tickets in one order.')
      const response = await buyer.post(`/purchase/${event.id}`, {
        [`qty_${ticketTypes[0]!.id}`]: '30',
        [`qty_${ticketTypes[1]!.id}`]: '21',
        name: 'Big Group',
        email: 'group@example.test',
      })
      expect(response.statusCode).toBe(422)
      expect(response.body).toContain('One order may hold at most 50 tickets.')
      expect(response.body).toMatch(new RegExp(`name="qty_${ticketTypes[1]!.id}"[^>]*value="21"`))
      expect(await t.db.selectFrom('orders').select('id').where('eventId', '=', event.id).execute()).toEqual([])

      const fifty = await buyer.post(`/purchase/${event.id}`, {
        [`qty_${ticketTypes[0]!.id}`]: '30',
        [`qty_${ticketTypes[1]!.id}`]: '20',
        name: 'Big Group',
        email: 'group@example.test',
      })
      expect(fifty.headers.location).toMatch(/^\/purchase\/success\?order=/)
    })
  })

  describe('with a limit raised far beyond it', () => {
    const t = useTestApp(kind, { maxTicketsPerOrder: 10_000 })

    it('writes 83 ticket types × 100 tickets in one order (once past SQLite’s bound-variable limit: a 500)', async () => {
      const organiser = await createUser(t.db, 'organiser')
      const types = Array.from({ length: 83 }, (_, i) => ({ name: `Block ${i + 1}`, capacity: 100, maxPerOrder: 100, priceMinor: 100 }))
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: types })
      const buyer = new TestBrowser(t.app)
      await buyer.get(`/buy-tickets/${event.id}`)
      const fields: Record<string, string> = { name: 'Whole Hall', email: 'hall@example.test' }
      for (const type of ticketTypes) fields[`qty_${type.id}`] = '100'
      const response = await buyer.post(`/purchase/${event.id}`, fields)
      expect(response.statusCode).toBe(303)
      expect(response.headers.location).toMatch(/^\/purchase\/success\?order=/)
      const order = await t.db.selectFrom('orders').select(['id', 'totalMinor']).where('eventId', '=', event.id).executeTakeFirstOrThrow()
      const tickets = await t.db
        .selectFrom('tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('orderId', '=', order.id)
        .executeTakeFirstOrThrow()
      expect(Number(tickets.n)).toBe(8300)
      expect(order.totalMinor).toBe(830_000)
    })
  })
})
