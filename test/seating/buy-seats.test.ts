import { beforeAll, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { addSeatBlock, hallEvent, seatId } from '../helpers/seats.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import { clearSeats } from '../../src/features/seating/seating.service.js'

describeEachDatabase('buying seats', (kind) => {
  const t = useTestApp(kind)
  let eventId: number
  let stalls: number
  let balcony: number

  beforeAll(async () => {
    const owner = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, owner.id, {
      title: 'Seated Play',
      ticketTypes: [
        { name: 'Stalls', priceMinor: 4000, capacity: 1, maxPerOrder: 6 },
        { name: 'Balcony', priceMinor: 2500, capacity: 1, maxPerOrder: 6 },
      ],
    })
    eventId = event.id
    stalls = ticketTypes[0]!.id
    balcony = ticketTypes[1]!.id
    await addSeatBlock(t.db, owner, event.id, {
      section: 'Stalls',
      rows: ['A', 'B', 'C'],
      seatsPerRow: 10,
      ticketTypeId: stalls,
      wheelchair: ['A1'],
    })
    await addSeatBlock(t.db, owner, event.id, { section: 'Balcony', rows: ['D'], seatsPerRow: 6, ticketTypeId: balcony })
  })

  async function buyForm(browser = new TestBrowser(t.app)) {
    const page = await browser.get(`/buy-tickets/${eventId}`)
    expect(page.statusCode).toBe(200)
    return { browser, page }
  }

  function buy(browser: TestBrowser, fields: Record<string, string | string[]>, email: string) {
    return browser.post(`/purchase/${eventId}`, { [`qty_${stalls}`]: '0', [`qty_${balcony}`]: '0', name: 'Sam Seat', email, ...fields })
  }

  async function ordersOf(db: Db, email: string) {
    return db.selectFrom('orders').select(['id', 'status']).where('buyerEmail', '=', email).execute()
  }

  it('shows every free seat as a labelled checkbox, and the quantity of a seated type as best available', async () => {
    const { page } = await buyForm()
    const a5 = await seatId(t.db, eventId, 'A', '5')
    expect(page.body).toContain(`<input type="checkbox" class="seat__box" name="seat" value="${a5}" id="seat-${a5}"`)
    expect(page.body).toContain('Row A, seat 5, Stalls, €40.00</span>')
    expect(page.body).toContain('Row A, seat 1, Stalls, €40.00, wheelchair space')
    expect(page.body).toContain('Stalls: best available seats')
  })

  it('books the seats ticked on the map, one per ticket, and shows them on the order', async () => {
    const { browser } = await buyForm()
    const [b4, b5] = [await seatId(t.db, eventId, 'B', '4'), await seatId(t.db, eventId, 'B', '5')]
    const bought = await buy(browser, { seat: [String(b4), String(b5)] }, 'ticked@example.test')
    expect(bought.statusCode).toBe(303)
    const [order] = await ordersOf(t.db, 'ticked@example.test')
    const booked = await t.db
      .selectFrom('seatBookings')
      .innerJoin('tickets', 'tickets.id', 'seatBookings.ticketId')
      .select(['seatBookings.seatId', 'tickets.ticketTypeId'])
      .where('tickets.orderId', '=', order!.id)
      .orderBy('seatBookings.seatId')
      .execute()
    expect(booked).toEqual([
      { seatId: b4, ticketTypeId: stalls },
      { seatId: b5, ticketTypeId: stalls },
    ])
    const success = await browser.get(bought.headers.location!)
    expect(success.body).toContain('Stalls, row B, seat 4')
    expect(success.body).toContain('Stalls, row B, seat 5')
    const again = await buyForm()
    expect(again.page.body).not.toContain(`value="${b4}"`)
    expect(again.page.body).toContain('Row B, seat 4, Stalls, €40.00: taken')
  })

  it('picks the best available seats side by side: the front-most row with room, near its middle, never a wheelchair space', async () => {
    const { browser } = await buyForm()
    expect((await buy(browser, { [`qty_${stalls}`]: '3' }, 'best@example.test')).statusCode).toBe(303)
    const [order] = await ordersOf(t.db, 'best@example.test')
    const seats = await t.db
      .selectFrom('seatBookings')
      .innerJoin('tickets', 'tickets.id', 'seatBookings.ticketId')
      .innerJoin('seats', 'seats.id', 'seatBookings.seatId')
      .select(['seats.rowLabel', 'seats.seatLabel'])
      .where('tickets.orderId', '=', order!.id)
      .orderBy('seats.x')
      .execute()
    expect(seats.map((seat) => `${seat.rowLabel}${seat.seatLabel}`)).toEqual(['A4', 'A5', 'A6'])
  })

  it('brings the form back when a ticked seat was taken meanwhile, that seat marked, the other choices kept, nothing bought', async () => {
    const first = await buyForm()
    const second = await buyForm()
    const [c1, c2, c3] = [
      await seatId(t.db, eventId, 'C', '1'),
      await seatId(t.db, eventId, 'C', '2'),
      await seatId(t.db, eventId, 'C', '3'),
    ]
    expect((await buy(first.browser, { seat: [String(c2)] }, 'quick@example.test')).statusCode).toBe(303)
    const late = await buy(second.browser, { seat: [String(c1), String(c2), String(c3)] }, 'late@example.test')
    expect(late.statusCode).toBe(409)
    expect(late.body).toContain('Taken since the map was shown: Stalls, row C, seat 2')
    expect(late.body).toContain(`value="${c1}" id="seat-${c1}" data-live-seat="${c1}" checked`)
    expect(late.body).toContain(`value="${c3}" id="seat-${c3}" data-live-seat="${c3}" checked`)
    expect(late.body).toContain('seat--just-taken')
    expect(late.body).toContain('value="late@example.test"')
    expect(await ordersOf(t.db, 'late@example.test')).toEqual([])
  })

  it('says so when no seats side by side are left, and refuses seats of another event or unseated quantities past the map', async () => {
    const { browser } = await buyForm()
    const tooMany = await buy(browser, { [`qty_${balcony}`]: '7' }, 'many@example.test')
    expect(tooMany.statusCode).toBe(422)
    // D3 and D4 ticked leave D1-D2 and D5-D6: room for three more, but not side by side.
    const ticked = [String(await seatId(t.db, eventId, 'D', '3')), String(await seatId(t.db, eventId, 'D', '4'))]
    const noRun = await buy(browser, { [`qty_${balcony}`]: '3', seat: ticked }, 'norun@example.test')
    expect(noRun.statusCode).toBe(409)
    expect(noRun.body).toContain('No 3 seats side by side are left of this type')
    expect(noRun.body).toContain(`value="${ticked[0]}" id="seat-${ticked[0]}" data-live-seat="${ticked[0]}" checked`)
    const foreign = await buy(browser, { seat: ['999999'] }, 'foreign@example.test')
    expect(foreign.statusCode).toBe(409)
    expect(foreign.body).toContain('One of the seats chosen is not on this map')
    expect(await ordersOf(t.db, 'norun@example.test')).toEqual([])
  })

  it('sends a form with a mistake back with its total: seats ticked and best available, at their prices', async () => {
    const { browser } = await buyForm()
    const d2 = await seatId(t.db, eventId, 'D', '2')
    const back = await buy(browser, { seat: [String(d2)], [`qty_${stalls}`]: '2' }, 'not-an-address')
    expect(back.statusCode).toBe(422)
    expect(back.body).toContain('Total for 3 tickets: €105.00')
    expect(back.body).toContain(`id="seat-${d2}" data-live-seat="${d2}" checked data-ticket-type="${balcony}"`)
    expect(await ordersOf(t.db, 'not-an-address')).toEqual([])
  })

  it('frees the seats when the buyer cancels', async () => {
    const { browser } = await buyForm()
    const d1 = await seatId(t.db, eventId, 'D', '1')
    await buy(browser, { seat: [String(d1)] }, 'cancel@example.test')
    const order = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', 'cancel@example.test').executeTakeFirstOrThrow()
    const confirm = await browser.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)
    expect(confirm.body).toContain('stops being valid and goes back on sale, with its seat. This cannot be undone.')
    expect((await browser.post(`/orders/${order.code}/cancel`, { key: order.accessKey })).statusCode).toBe(303)
    expect(await t.db.selectFrom('seatBookings').select('seatId').where('seatId', '=', d1).execute()).toEqual([])
    expect((await buyForm()).page.body).toContain(`value="${d1}"`)
  })

  it('sells from the map as it is now when the map changed after it was read (a new stamp, not the layout kept in memory)', async () => {
    const owner = await createUser(t.db, 'organiser')
    const { event, hall } = await hallEvent(t.db, owner.id, 'Rebuilt Hall')
    await addSeatBlock(t.db, owner, event.id, { section: 'Hall', rows: ['A'], seatsPerRow: 4, ticketTypeId: hall })
    const browser = new TestBrowser(t.app)
    const oldA1 = await seatId(t.db, event.id, 'A', '1')
    // Read once, so that its layout is kept in memory under the map's stamp.
    expect((await browser.get(`/buy-tickets/${event.id}`)).body).toContain(`value="${oldA1}"`)

    const change = { event: (await findEvent(t.db, event.id))!, actor: { userId: owner.id, label: owner.email, isAdmin: false, ip: null } }
    expect(await clearSeats(t.db, change)).toBeNull()
    await addSeatBlock(t.db, owner, event.id, { section: 'Hall', rows: ['Z'], seatsPerRow: 2, ticketTypeId: hall })
    const page = await browser.get(`/buy-tickets/${event.id}`)
    expect(page.body).not.toContain('Row A, seat 1')
    expect(page.body).toContain('Row Z, seat 1, Hall')

    const fields = { name: 'Sam Seat', email: 'rebuilt@example.test' }
    const stale = await browser.post(`/purchase/${event.id}`, { [`qty_${hall}`]: '0', seat: [String(oldA1)], ...fields })
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('One of the seats chosen is not on this map')
    expect((await browser.post(`/purchase/${event.id}`, { [`qty_${hall}`]: '2', ...fields })).statusCode).toBe(303)
    const booked = await t.db
      .selectFrom('seatBookings')
      .innerJoin('seats', 'seats.id', 'seatBookings.seatId')
      .select(['seats.rowLabel', 'seats.seatLabel'])
      .where('seatBookings.eventId', '=', event.id)
      .orderBy('seats.x')
      .execute()
    expect(booked.map((seat) => `${seat.rowLabel}${seat.seatLabel}`)).toEqual(['Z1', 'Z2'])
  })
})
