import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'
import { placeOrder } from '../helpers/orders.js'
import { addDoorStaff, sellAtDesk, setDeskSettings, soldOrder } from '../helpers/box-office.js'
import { cancelTicketsAsOrganiser, ticketIdsOf } from '../helpers/cancel-tickets.js'

/** The desk's takings on the organiser's event page, per person and method; desk money in the revenue; desk orders marked on the orders page and in the CSV. */
describeEachDatabase('the box office’s takings', (kind) => {
  const t = useTestApp(kind)
  let organiser: LoggedIn
  let staff: LoggedIn
  let eventId: number
  let typeId: number
  const codes: Record<string, string> = {}

  beforeAll(async () => {
    organiser = await loginAs(t, 'organiser')
    staff = await loginAs(t, await createUser(t.db, 'attendee', { name: 'Sam Steward' }))
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Takings Night',
      ticketTypes: [{ priceMinor: 2500 }],
    })
    eventId = event.id
    typeId = ticketTypes[0]!.id
    await addDoorStaff(t.db, eventId, staff.user, organiser.user.id)
    await setDeskSettings(t.db, eventId, { staffMaySell: true })
    const sell = async (who: LoggedIn, name: string, quantity: number, payment: string, reason = '') => {
      const sold = await sellAtDesk(who.browser, eventId, { [`qty_${typeId}`]: String(quantity), name, payment, reason })
      expect(sold.statusCode, sold.body).toBe(303)
      codes[name] = (await soldOrder(t.db, sold.headers.location as string)).order.code
    }
    await sell(organiser, 'Cash Carla', 2, 'cash')
    await sell(organiser, 'Card Cody', 1, 'card-terminal')
    await sell(staff, 'Cash Cleo', 1, 'cash')
    await sell(staff, 'Guest Gus', 2, 'complimentary', 'Band’s guests')
    // An order online, to pay at the door: not the desk's.
    await placeOrder(t.db, eventId, typeId, { buyerName: 'Online Olga' })
  })

  /** The takings table's cells, per person, as the page shows them. */
  function takingsOf(body: string) {
    const rows = [...body.matchAll(/<tr data-takings-person="([^"]*)">([\s\S]*?)<\/tr>/g)]
    return Object.fromEntries(
      rows.map(([, person, cells]) => [
        person || 'everyone',
        Object.fromEntries([...cells!.matchAll(/data-takings="([^"]+)">([^<]*)</g)].map(([, what, value]) => [what, value])),
      ]),
    )
  }

  it('shows what each person took, by cash and by card terminal, and the complimentary tickets, and all of it together', async () => {
    const page = await organiser.browser.get(`/edit-event/${eventId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Box office takings')
    expect(takingsOf(page.body)).toEqual({
      [organiser.user.email]: { cash: '€50.00', 'card-terminal': '€25.00', total: '€75.00', complimentary: '0', tickets: '3' },
      [staff.user.email]: { cash: '€25.00', 'card-terminal': '€0.00', total: '€25.00', complimentary: '2', tickets: '3' },
      everyone: { cash: '€75.00', 'card-terminal': '€25.00', total: '€100.00', complimentary: '2', tickets: '6' },
    })
    // The desk's money is received: revenue, not money due. The order to pay at the door is due.
    expect(page.body).toMatch(/revenue <strong>€100\.00<\/strong>/)
    expect(page.body).toMatch(/due at the door <strong>€25\.00<\/strong>/)
  })

  it('takes a refund off the revenue, as any refund, and leaves what the desk took', async () => {
    await organiser.browser.get(`/events/${eventId}/orders`)
    const refunded = await organiser.browser.post(`/events/${eventId}/orders/${codes['Cash Carla']}/refund`, { amount: '10.00' })
    expect(refunded.statusCode).toBe(303)
    const refund = await t.db
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.orderId')
      .select(['refunds.amountMinor', 'refunds.state'])
      .where('orders.code', '=', codes['Cash Carla']!)
      .executeTakeFirstOrThrow()
    // Cash goes back by hand: recorded as done.
    expect(refund).toEqual({ amountMinor: 1000, state: 'done' })
    const page = await organiser.browser.get(`/edit-event/${eventId}`)
    expect(page.body).toMatch(/revenue <strong>€90\.00<\/strong>/)
    expect(takingsOf(page.body).everyone).toMatchObject({ cash: '€75.00', total: '€100.00' })
  })

  it('marks the desk’s orders on the orders page, with who sold them and why complimentary ones were free', async () => {
    const page = await organiser.browser.get(`/events/${eventId}/orders`)
    const rowOf = (code: string) => new RegExp(`<code>${code}</code>[\\s\\S]*?</tr>`).exec(page.body)![0]
    expect(rowOf(codes['Cash Cleo']!)).toContain(`At the box office, by <bdi>${staff.user.email}</bdi>`)
    expect(rowOf(codes['Cash Cleo']!)).toContain('<li>Cash</li>')
    expect(rowOf(codes['Guest Gus']!)).toContain('Complimentary: <bdi>Band’s guests</bdi>')
    expect(rowOf(codes['Card Cody']!)).toContain('<li>Card terminal</li>')
  })

  it('marks the desk’s orders in the CSV: their method, and the box office as the channel they were sold through', async () => {
    const csv = (await organiser.browser.get(`/events/${eventId}/attendees.csv`)).body.slice(1).split('\r\n')
    expect(csv[0]).toMatch(/^Order code,Status,Payment method,Sold through,Buyer name,/)
    const byBuyer = new Map(csv.slice(1, -1).map((row) => [row.split(',')[4], row.split(',').slice(1, 4)]))
    expect(Object.fromEntries(byBuyer)).toEqual({
      'Cash Carla': ['paid', 'cash', 'box-office'],
      'Card Cody': ['paid', 'card-terminal', 'box-office'],
      'Cash Cleo': ['paid', 'cash', 'box-office'],
      'Guest Gus': ['paid', 'complimentary', 'box-office'],
      'Online Olga': ['pending', 'at-door', 'online'],
    })
  })

  it('counts no ticket the organiser cancelled since, and keeps the money the desk took', async () => {
    const order = await t.db.selectFrom('orders').select('id').where('code', '=', codes['Cash Carla']!).executeTakeFirstOrThrow()
    const [first] = await ticketIdsOf(t.db, order.id)
    const { done } = await cancelTicketsAsOrganiser(organiser.browser, eventId, codes['Cash Carla']!, [first!])
    expect(done.statusCode).toBe(303)
    const takings = takingsOf((await organiser.browser.get(`/edit-event/${eventId}`)).body)
    expect(takings[organiser.user.email]).toMatchObject({ cash: '€50.00', total: '€75.00', tickets: '2' })
    expect(takings.everyone).toMatchObject({ total: '€100.00', tickets: '5' })
  })
})
