import { doorCodesOfOrder } from '../helpers/door.js'
import QRCode from 'qrcode'
import { afterEach, beforeAll, expect, it, vi } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

describeEachDatabase('QR codes are drawn once per ticket, not with every view of the order', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  async function buyTen() {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const bought = await buyer.post(`/purchase/${event.id}`, {
      [`qty_${ticketTypes[0]!.id}`]: '10',
      name: 'Ten Tickets',
      email: 'ten@example.test',
    })
    const order = await t.db.selectFrom('orders').selectAll().where('eventId', '=', event.id).executeTakeFirstOrThrow()
    return { buyer, success: bought.headers.location!, order }
  }

  it('shows the order and its cancel pages without drawing a QR code', async () => {
    const { buyer, success, order } = await buyTen()
    const draw = vi.spyOn(QRCode, 'toString')
    const page = await buyer.get(success)
    expect(page.body.match(/qr\.svg"/g)).toHaveLength(10)
    await buyer.get(`/orders/${order.code}?key=${order.accessKey}`)
    expect((await buyer.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)).body).toContain('All 10 tickets')
    expect((await buyer.post(`/orders/${order.code}/cancel`, { key: order.accessKey })).statusCode).toBe(303)
    expect(draw).not.toHaveBeenCalled()
  })

  it('draws one ticket’s code on request, for the browser to keep, and nothing for a code that is no ticket', async () => {
    const { order } = await buyTen()
    const ticket = await t.db.selectFrom('tickets').select('code').where('orderId', '=', order.id).orderBy('id').executeTakeFirstOrThrow()
    const draw = vi.spyOn(QRCode, 'toString')
    const qr = await t.app.inject(`/tickets/${ticket.code}/qr.svg`)
    expect(qr.statusCode).toBe(200)
    expect(qr.headers['cache-control']).toBe('private, max-age=31536000, immutable')
    expect(draw).toHaveBeenCalledTimes(1)
    // The signed door code, not the stored code in the URL.
    expect(draw.mock.calls[0]![0]).toBe((await doorCodesOfOrder(t.db, order.id))[0])
    expect((await t.app.inject('/tickets/0000000000000000/qr.svg')).statusCode).toBe(404)
    expect((await t.app.inject('/tickets/not-a-code/qr.svg')).statusCode).toBe(404)
    expect(draw).toHaveBeenCalledTimes(1)
  })
})
