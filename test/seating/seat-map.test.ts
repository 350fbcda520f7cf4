import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { TestBrowser } from '../helpers/browser.js'
import { addSeatBlock, seatId } from '../helpers/seats.js'

describeEachDatabase('the organiser’s seat map', (kind) => {
  const t = useTestApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number
  let stalls: number
  let balcony: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Seated Concert',
      ticketTypes: [
        { name: 'Stalls', priceMinor: 4000, capacity: 1 },
        { name: 'Balcony', priceMinor: 2500, capacity: 1 },
      ],
    })
    eventId = event.id
    stalls = ticketTypes[0]!.id
    balcony = ticketTypes[1]!.id
  })

  async function addBlock(fields: Record<string, string>) {
    await organiser.browser.get(`/events/${eventId}/seat-map`)
    return organiser.browser.post(`/events/${eventId}/seat-map/blocks`, {
      firstSeat: '1',
      aisles: '',
      wheelchair: '',
      companion: '',
      blocked: '',
      ...fields,
    })
  }

  it('builds a 500-seat map from two blocks of rows, with wheelchair spaces, companion and blocked seats; capacities follow the seats', async () => {
    const first = await addBlock({
      section: 'Stalls',
      rows: 'A-T',
      seatsPerRow: '20',
      ticketTypeId: String(stalls),
      aisles: '10',
      wheelchair: 'A1, A2',
      companion: 'A3',
      blocked: 'T20',
    })
    expect(first.statusCode).toBe(303)
    const second = await addBlock({ section: 'Balcony', rows: '1-5', seatsPerRow: '20', ticketTypeId: String(balcony) })
    expect(second.statusCode).toBe(303)

    const seats = await t.db.selectFrom('seats').selectAll().where('eventId', '=', eventId).execute()
    expect(seats).toHaveLength(500)
    expect(
      seats
        .filter((seat) => seat.kind === 'wheelchair')
        .map((seat) => `${seat.rowLabel}${seat.seatLabel}`)
        .sort(),
    ).toEqual(['A1', 'A2'])
    expect(seats.filter((seat) => seat.kind === 'companion').map((seat) => `${seat.rowLabel}${seat.seatLabel}`)).toEqual(['A3'])
    expect(seats.filter((seat) => seat.blocked === 1).map((seat) => `${seat.rowLabel}${seat.seatLabel}`)).toEqual(['T20'])
    // The aisle after seat 10: seat 11 is two cells from seat 10.
    const a10 = seats.find((seat) => seat.rowLabel === 'A' && seat.seatLabel === '10')!
    const a11 = seats.find((seat) => seat.rowLabel === 'A' && seat.seatLabel === '11')!
    expect(a11.x - a10.x).toBe(2)
    // The balcony below the stalls, a blank line between.
    const lowestStalls = Math.max(...seats.filter((seat) => seat.section === 'Stalls').map((seat) => seat.y))
    expect(Math.min(...seats.filter((seat) => seat.section === 'Balcony').map((seat) => seat.y))).toBe(lowestStalls + 2)
    const types = await t.db.selectFrom('ticketTypes').select(['id', 'capacity']).where('eventId', '=', eventId).orderBy('id').execute()
    expect(types).toEqual([
      { id: stalls, capacity: 399 },
      { id: balcony, capacity: 100 },
    ])

    const page = await organiser.browser.get(`/events/${eventId}/seat-map`)
    expect(page.body).toContain('<strong>500</strong> seats')
    expect(page.body).toContain('Row A, seat 1, Stalls, €40.00, wheelchair space')
    expect(page.body).toContain('499 free')
    const audit = await t.db.selectFrom('auditLog').select('action').where('action', 'like', 'seat_map.%').execute()
    expect(audit).toHaveLength(2)
  })

  it('brings the form back with what was typed and a message at each field that is wrong', async () => {
    const before = await t.db.selectFrom('seats').select('id').execute()
    const response = await addBlock({ section: '', rows: 'J-A', seatsPerRow: '500', ticketTypeId: '999', wheelchair: 'nope!', aisles: 'x' })
    expect(response.statusCode).toBe(422)
    for (const message of [
      'Name the section',
      'The last row comes after the first',
      'Enter how many seats each row has',
      'Choose the ticket type',
      'List seats by row and number',
      'List seat numbers',
    ])
      expect(response.body).toContain(message)
    expect(response.body).toContain('value="J-A"')
    expect(response.body).toContain('value="nope!"')
    const unknownSeat = await addBlock({ section: 'Box', rows: 'A', seatsPerRow: '4', ticketTypeId: String(stalls), wheelchair: 'B1' })
    expect(unknownSeat.statusCode).toBe(422)
    expect(unknownSeat.body).toContain('B-1: no such seat in these rows.')
    expect(await t.db.selectFrom('seats').select('id').execute()).toHaveLength(before.length)
  })

  it('refuses seats that are on the map already, writing none', async () => {
    const before = await t.db.selectFrom('seats').select('id').execute()
    const clash = await addBlock({ section: 'Stalls', rows: 'T-U', seatsPerRow: '2', ticketTypeId: String(stalls) })
    expect(clash.statusCode).toBe(409)
    expect(clash.body).toContain('Some of these seats are on the map already')
    expect(clash.body).toContain('value="T-U"')
    expect(await t.db.selectFrom('seats').select('id').execute()).toHaveLength(before.length)
  })

  it('imports seats from CSV, naming each bad line, and copies a map to another event by category name', async () => {
    const { event: other, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Second Night',
      ticketTypes: [{ name: 'Stalls' }, { name: 'Balcony' }],
    })
    await organiser.browser.get(`/events/${other.id}/seat-map`)
    const bad = await organiser.browser.post(`/events/${other.id}/seat-map/import`, {
      csv: 'section,row,seat,x,y,category\nStalls,A,1,0,0,Stalls\nStalls,A,2,one,0,Stalls\nStalls,A,3,2,0,Nowhere\n',
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('Line 3: x and y must be whole numbers')
    expect(bad.body).toContain('Line 4: no ticket type is called &quot;Nowhere&quot;.')
    expect(bad.body).toContain('Stalls,A,2,one,0,Stalls')
    const good = await organiser.browser.post(`/events/${other.id}/seat-map/import`, {
      csv: 'section,row,seat,x,y,category,kind\nBox,A,1,0,0,Stalls,wheelchair\nBox,A,2,1,0,Stalls,\nBox,A,3,2,0,Balcony,blocked\n',
    })
    expect(good.statusCode).toBe(303)
    const imported = await t.db
      .selectFrom('seats')
      .select(['seatLabel', 'kind', 'blocked'])
      .where('eventId', '=', other.id)
      .orderBy('x')
      .execute()
    expect(imported).toEqual([
      { seatLabel: '1', kind: 'wheelchair', blocked: 0 },
      { seatLabel: '2', kind: 'seat', blocked: 0 },
      { seatLabel: '3', kind: 'seat', blocked: 1 },
    ])

    const { event: third } = await createEvent(t.db, organiser.user.id, {
      title: 'Third Night',
      ticketTypes: [{ name: 'stalls' }, { name: 'BALCONY' }],
    })
    await organiser.browser.get(`/events/${third.id}/seat-map`)
    expect((await organiser.browser.post(`/events/${third.id}/seat-map/copy`, { from: String(eventId) })).statusCode).toBe(303)
    expect(await t.db.selectFrom('seats').select('id').where('eventId', '=', third.id).execute()).toHaveLength(500)
    expect(ticketTypes).toHaveLength(2)
  })

  it('refuses seats for a type already sold without seats, and clearing a map once a seat is taken', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Sold Unseated',
      ticketTypes: [{ name: 'General', capacity: 10 }],
    })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    await organiser.browser.get(`/events/${event.id}/seat-map`)
    const refused = await organiser.browser.post(`/events/${event.id}/seat-map/blocks`, {
      section: 'Hall',
      rows: 'A',
      seatsPerRow: '5',
      firstSeat: '1',
      ticketTypeId: String(ticketTypes[0]!.id),
    })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('General tickets have been sold without seats')
  })

  it('blocks free seats of a built map and frees them again, capacities following, and refuses taken or unknown seats with the form as typed', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Camera Night',
      ticketTypes: [{ name: 'Hall', priceMinor: 2000, capacity: 1, maxPerOrder: 4 }],
    })
    const hall = ticketTypes[0]!.id
    await addSeatBlock(t.db, organiser.user, event.id, { section: 'Hall', rows: ['A', 'B'], seatsPerRow: 4, ticketTypeId: hall })
    const capacity = async () =>
      (await t.db.selectFrom('ticketTypes').select('capacity').where('id', '=', hall).executeTakeFirstOrThrow()).capacity
    const mark = async (fields: Record<string, string>) => {
      await organiser.browser.get(`/events/${event.id}/seat-map`)
      return organiser.browser.post(`/events/${event.id}/seat-map/marks`, fields)
    }
    // A buyer takes B2.
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const b2 = await seatId(t.db, event.id, 'B', '2')
    const bought = await buyer.post(`/purchase/${event.id}`, {
      [`qty_${hall}`]: '0',
      seat: [String(b2)],
      name: 'Bo',
      email: 'bo@example.test',
    })
    expect(bought.statusCode).toBe(303)

    expect((await mark({ markSection: 'hall', marks: 'A1, a2', action: 'block' })).statusCode).toBe(303)
    expect(await capacity()).toBe(6)
    const page = await new TestBrowser(t.app).get(`/buy-tickets/${event.id}`)
    expect(page.body).toContain('Row A, seat 1, Hall, €20.00: not sold')
    expect(page.body).not.toContain(`value="${await seatId(t.db, event.id, 'A', '1')}"`)

    const taken = await mark({ markSection: 'Hall', marks: 'A3, B2', action: 'block' })
    expect(taken.statusCode).toBe(409)
    expect(taken.body).toContain('Taken, so they cannot be blocked: B2.')
    expect(taken.body).toContain('value="A3, B2"')
    const unknown = await mark({ markSection: 'Hall', marks: 'C1', action: 'block' })
    expect(unknown.statusCode).toBe(409)
    expect(unknown.body).toContain('No such seats in Hall: C1.')
    const bad = await mark({ markSection: '', marks: 'seat one', action: 'block' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('Name the section of these seats')
    expect(bad.body).toContain('value="seat one"')
    expect(await capacity()).toBe(6)

    expect((await mark({ markSection: 'Hall', marks: 'A1', action: 'free' })).statusCode).toBe(303)
    expect(await capacity()).toBe(7)
    expect((await new TestBrowser(t.app).get(`/buy-tickets/${event.id}`)).body).toContain(
      `value="${await seatId(t.db, event.id, 'A', '1')}"`,
    )
    const audit = await t.db.selectFrom('auditLog').select('action').where('action', 'like', 'seat_map.seats_%').orderBy('id').execute()
    expect(audit.map((row) => row.action).slice(-2)).toEqual(['seat_map.seats_blocked', 'seat_map.seats_freed'])
  })

  it('answers 404 to another organiser, for the page and every form', async () => {
    const stranger = await loginAs(t, 'organiser')
    expect((await stranger.browser.get(`/events/${eventId}/seat-map`)).statusCode).toBe(404)
    await stranger.browser.get('/organiser')
    for (const action of ['blocks', 'import', 'copy', 'marks', 'clear']) {
      expect((await stranger.browser.post(`/events/${eventId}/seat-map/${action}`, {})).statusCode).toBe(404)
    }
    expect(await t.db.selectFrom('seats').select('id').where('eventId', '=', eventId).execute()).toHaveLength(500)
  })
})
