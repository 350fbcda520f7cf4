import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { addSeatBlock, seatId } from '../helpers/seats.js'
import { useMailApp } from '../helpers/smtp.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import { markSeats } from '../../src/features/seating/seating.service.js'
import { seatMapRefusalText } from '../../src/features/seating/seat-map.refusals.js'
import { rowSeatKey } from '../../src/features/seating/seat-labels.js'
import { cancelAsBuyer, capacityViolations, join, offerTokenIn } from './support.js'

describeEachDatabase('the waiting list of a seated type', (kind) => {
  const t = useMailApp(kind)

  /** A seated hall of rows A and B, four seats each, bought up by ticking seats: the orders, named by the seats they took. */
  async function soldOutHall() {
    const owner = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, owner.id, {
      title: 'Seated Gala',
      ticketTypes: [{ name: 'Stalls', priceMinor: 3000, capacity: 1, maxPerOrder: 4 }],
    })
    const typeId = ticketTypes[0]!.id
    await addSeatBlock(t.db, owner, event.id, { section: 'Stalls', rows: ['A', 'B'], seatsPerRow: 4, ticketTypeId: typeId })
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    const buySeats = async (email: string, seats: string[]) => {
      const browser = new TestBrowser(t.app)
      await browser.get(`/buy-tickets/${event.id}`)
      const ids = await Promise.all(seats.map((seat) => seatId(t.db, event.id, seat[0]!, seat.slice(1))))
      const response = await browser.post(`/purchase/${event.id}`, {
        [`qty_${typeId}`]: '0',
        seat: ids.map(String),
        name: 'Seat Holder',
        email,
      })
      expect(response.statusCode).toBe(303)
      return t.db
        .selectFrom('orders')
        .select('id')
        .where('eventId', '=', event.id)
        .where('buyerEmail', '=', email)
        .executeTakeFirstOrThrow()
    }
    const orders = {
      a1: await buySeats('a1@example.test', ['A1']),
      a23: await buySeats('a23@example.test', ['A2', 'A3']),
      a4: await buySeats('a4@example.test', ['A4']),
      b: await buySeats('b@example.test', ['B1', 'B2', 'B3', 'B4']),
    }
    return { owner, eventId: event.id, typeId, orders }
  }

  async function claimForm(eventId: number, email: string) {
    const mails = await t.smtp.waitFor(email, 2)
    const offer = mails.find((mail) => mail.parsed.subject === 'Tickets for Seated Gala are held for you')!
    const holder = new TestBrowser(t.app)
    const form = await holder.get(`/buy-tickets/${eventId}?offer=${offerTokenIn(offer.parsed.text!)}`)
    expect(form.statusCode).toBe(200)
    return { holder, key: /name="key" value="([^"]+)"/.exec(form.body)![1]! }
  }

  const seatsOf = async (email: string) =>
    (
      await t.db
        .selectFrom('seatBookings')
        .innerJoin('tickets', 'tickets.id', 'seatBookings.ticketId')
        .innerJoin('orders', 'orders.id', 'tickets.orderId')
        .innerJoin('seats', 'seats.id', 'seatBookings.seatId')
        .select(['seats.rowLabel', 'seats.seatLabel'])
        .where('orders.buyerEmail', '=', email)
        .orderBy('seats.y')
        .orderBy('seats.x')
        .execute()
    ).map((seat) => `${seat.rowLabel}${seat.seatLabel}`)

  it('offers freed seats to the first in line, whose claim takes them as best available seats side by side', async () => {
    const { owner, eventId, typeId, orders } = await soldOutHall()
    await join(t.app, eventId, typeId, { name: 'Wendy Waiter', email: 'wendy@example.test', quantity: 2 })
    expect((await cancelAsBuyer(t.app, t.db, orders.a23.id)).statusCode).toBe(303)

    // Held for Wendy: the freed seats are nobody else's to tick meanwhile (the page has no form: a hand-made POST).
    const stranger = new TestBrowser(t.app)
    await stranger.get('/login')
    const snatch = await stranger.post(`/purchase/${eventId}`, {
      key: 'k'.repeat(24),
      [`qty_${typeId}`]: '0',
      seat: [String(await seatId(t.db, eventId, 'A', '3'))],
      [`price_${typeId}`]: '3000',
      currency: 'EUR',
      name: 'Stranger',
      email: 'stranger@example.test',
    })
    expect(snatch.headers.location).toBe('/purchase/fail')
    // Nor can the organiser block a held seat away: the type would hold fewer seats than it sold and holds.
    const change = { event: (await findEvent(t.db, eventId))!, actor: { userId: owner.id, label: owner.email, isAdmin: false, ip: null } }
    const refusal = await markSeats(t.db, change, { section: 'Stalls', seats: new Map([[rowSeatKey('A', '2'), 'A2']]), blocked: true })
    expect(refusal && seatMapRefusalText(refusal)).toBe(
      'Stalls would have fewer seats than the tickets sold and held for the waiting list.',
    )
    expect(await t.db.selectFrom('seats').select('id').where('eventId', '=', eventId).where('blocked', '=', 1).execute()).toEqual([])

    const { holder, key } = await claimForm(eventId, 'wendy@example.test')
    const claimed = await holder.post(`/purchase/${eventId}`, {
      key,
      [`qty_${typeId}`]: '2',
      name: 'Wendy Waiter',
      email: 'wendy@example.test',
    })
    expect(claimed.headers.location).toMatch(/^\/purchase\/success\?order=/)
    expect(await seatsOf('wendy@example.test')).toEqual(['A2', 'A3'])
    expect(await seatsOf('stranger@example.test')).toEqual([])
    expect(await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()).toEqual({
      sold: 8,
      held: 0,
    })
    expect(await capacityViolations(t.db, eventId)).toEqual([])
  })

  it('brings the claim back when the freed seats are apart, the offer kept, and takes them ticked on the map', async () => {
    const { eventId, typeId, orders } = await soldOutHall()
    await join(t.app, eventId, typeId, { name: 'Pat Pair', email: 'pat@example.test', quantity: 2 })
    // A1 freed while the list is off, then A4 with it on: both offered, two seats not side by side.
    await t.db.updateTable('events').set({ waitingList: 0 }).where('id', '=', eventId).execute()
    expect((await cancelAsBuyer(t.app, t.db, orders.a1.id)).statusCode).toBe(303)
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', eventId).execute()
    expect((await cancelAsBuyer(t.app, t.db, orders.a4.id)).statusCode).toBe(303)

    const { holder, key } = await claimForm(eventId, 'pat@example.test')
    const apart = await holder.post(`/purchase/${eventId}`, { key, [`qty_${typeId}`]: '2', name: 'Pat Pair', email: 'pat@example.test' })
    expect(apart.statusCode).toBe(409)
    expect(apart.body).toContain('No 2 seats side by side are left of this type')
    expect(
      await t.db.selectFrom('waitingListEntries').select('state').where('email', '=', 'pat@example.test').executeTakeFirstOrThrow(),
    ).toEqual({ state: 'offered' })

    const ticked = [await seatId(t.db, eventId, 'A', '1'), await seatId(t.db, eventId, 'A', '4')]
    const claimed = await holder.post(`/purchase/${eventId}`, {
      key: /name="key" value="([^"]+)"/.exec(apart.body)![1]!,
      [`qty_${typeId}`]: '0',
      seat: ticked.map(String),
      name: 'Pat Pair',
      email: 'pat@example.test',
    })
    expect(claimed.headers.location).toMatch(/^\/purchase\/success\?order=/)
    expect(await seatsOf('pat@example.test')).toEqual(['A1', 'A4'])
    expect(await capacityViolations(t.db, eventId)).toEqual([])
  })
})
