import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('the kept order link', (kind) => {
  const t = useTestApp(kind, { publicUrl: 'https://tickets.example.org' })

  it('uses PUBLIC_URL, not the Host header a proxy sent', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    const bought = await browser.post(`/purchase/${event.id}`, {
      key,
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'Pat',
      email: 'pat@example.test',
    })
    const success = await browser.get(bought.headers.location!)
    const order = await t.db.selectFrom('orders').selectAll().executeTakeFirstOrThrow()
    expect(success.body).toContain(`https://tickets.example.org/orders/${order.code}?key=${order.accessKey}`)
    expect(success.body).not.toContain('http://localhost')
  })
})
