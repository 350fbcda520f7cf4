import { beforeAll, expect, it } from 'vitest'
import { isUniqueViolation } from '../../src/db/database.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { TestBrowser } from '../helpers/browser.js'
import { addSeatBlock, hallEvent, seatId } from '../helpers/seats.js'

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
    // Echoed as typed, in the form's own syntax.
    expect(unknownSeat.body).toContain('B1: no such seat in these rows.')
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
    const { event, hall } = await hallEvent(t.db, organiser.user.id, 'Camera Night', 2000)
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

  it('takes a plain number of rows as a count (A, B, C…), keeps ranges, and says so next to the field', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { title: 'Counted Rows', ticketTypes: [{ name: 'Hall' }] })
    await organiser.browser.get(`/events/${event.id}/seat-map`)
    const page = await organiser.browser.get(`/events/${event.id}/seat-map`)
    expect(page.body).toContain('A number of rows (5 makes rows A to E)')
    const add = (section: string, rows: string) =>
      organiser.browser.post(`/events/${event.id}/seat-map/blocks`, {
        section,
        rows,
        seatsPerRow: '2',
        firstSeat: '1',
        ticketTypeId: String(ticketTypes[0]!.id),
      })
    expect((await add('Stalls', '5')).statusCode).toBe(303)
    expect((await add('Balcony', '1-3')).statusCode).toBe(303)
    expect((await add('Boxes', '28')).statusCode).toBe(303)
    const rowsOf = async (section: string) => [
      ...new Set(
        (
          await t.db
            .selectFrom('seats')
            .select('rowLabel')
            .where('eventId', '=', event.id)
            .where('section', '=', section)
            .orderBy('y')
            .execute()
        ).map((seat) => seat.rowLabel),
      ),
    ]
    expect(await rowsOf('Stalls')).toEqual(['A', 'B', 'C', 'D', 'E'])
    expect(await rowsOf('Balcony')).toEqual(['1', '2', '3'])
    expect((await rowsOf('Boxes')).slice(24)).toEqual(['Y', 'Z', 'AA', 'AB'])
    const none = await add('Gallery', '0')
    expect(none.statusCode).toBe(422)
    expect(none.body).toContain('Enter at least one row.')
  })

  it('names one seat once, whatever its case, spaces or leading zeros: in a CSV, against the map, in the grid and block forms, and in a copy', async () => {
    const { event, hall } = await hallEvent(t.db, organiser.user.id, 'One Seat Once')
    const seatsOf = async (eventId: number) =>
      t.db
        .selectFrom('seats')
        .select(['section', 'rowLabel', 'seatLabel', 'placeKey'])
        .where('eventId', '=', eventId)
        .orderBy('id')
        .execute()
    await organiser.browser.get(`/events/${event.id}/seat-map`)
    const post = (action: string, fields: Record<string, string>) =>
      organiser.browser.post(`/events/${event.id}/seat-map/${action}`, fields)

    const twice = await post('import', {
      csv: 'section,row,seat,x,y,category\nS,a,1,0,0,Hall\nS,A,01,1,0,Hall\n S , A , 1 ,2,0,Hall\nS,A,2,3,0,Hall\n',
    })
    expect(twice.statusCode).toBe(422)
    expect(twice.body).toContain('Line 3: S, row A, seat 01 is the seat of line 2 again')
    expect(twice.body).toContain('Line 4: S, row A, seat 1 is the seat of line 2 again')
    expect(await seatsOf(event.id)).toEqual([])

    const header = await post('import', { csv: 'section,row,Row,seat,x,y,category\nS,A,B,1,0,0,Hall\n' })
    expect(header.statusCode).toBe(422)
    expect(header.body).toContain('The header names the &quot;row&quot; column more than once')
    expect(await seatsOf(event.id)).toEqual([])

    expect((await post('import', { csv: 'section,row,seat,x,y,category\nStalls,a,01,0,0,Hall\nStalls,a,2,1,0,Hall\n' })).statusCode).toBe(
      303,
    )
    const again = await post('import', { csv: 'section,row,seat,x,y,category\n stalls ,A,1,0,0,Hall\n' })
    expect(again.statusCode).toBe(409)
    expect(again.body).toContain('Some of these seats are on the map already: stalls, row A, seat 1.')
    // The grid builder: the same section and row under other spellings take the map's, seat 1 clashes.
    const grid = await post('blocks', {
      section: 'STALLS',
      rows: 'A',
      seatsPerRow: '2',
      firstSeat: '1',
      ticketTypeId: String(hall),
    })
    expect(grid.statusCode).toBe(409)
    expect(
      (await post('blocks', { section: 'STALLS', rows: 'A', seatsPerRow: '2', firstSeat: '3', ticketTypeId: String(hall) })).statusCode,
    ).toBe(303)
    expect(await seatsOf(event.id)).toEqual([
      { section: 'Stalls', rowLabel: 'a', seatLabel: '01', placeKey: '["stalls","a","1"]' },
      { section: 'Stalls', rowLabel: 'a', seatLabel: '2', placeKey: '["stalls","a","2"]' },
      { section: 'Stalls', rowLabel: 'a', seatLabel: '3', placeKey: '["stalls","a","3"]' },
      { section: 'Stalls', rowLabel: 'a', seatLabel: '4', placeKey: '["stalls","a","4"]' },
    ])
    // One row on the page, as on the map.
    const page = await organiser.browser.get(`/events/${event.id}/seat-map`)
    expect(page.body.match(/role="group" aria-label="Row a"/g)).toHaveLength(1)

    // The block-or-free form finds A01 as a1, in the section however spelled, and echoes what was typed.
    expect((await post('marks', { markSection: ' STALLS ', marks: 'A01, a 2', action: 'block' })).statusCode).toBe(303)
    expect(
      await t.db.selectFrom('seats').select('seatLabel').where('eventId', '=', event.id).where('blocked', '=', 1).orderBy('id').execute(),
    ).toEqual([{ seatLabel: '01' }, { seatLabel: '2' }])
    const unknown = await post('marks', { markSection: 'Stalls', marks: 'Q99, A-0003', action: 'free' })
    expect(unknown.statusCode).toBe(409)
    expect(unknown.body).toContain('No such seats in Stalls: Q99.')
    const noSection = await post('marks', { markSection: 'Circle', marks: 'A1', action: 'free' })
    expect(noSection.body).toContain('This map has no section called Circle: its sections are Stalls.')

    // The database holds it too: a second seat under the same key is refused on either database.
    await expect(
      t.db
        .insertInto('seats')
        .values({
          eventId: event.id,
          ticketTypeId: hall,
          section: 'stalls',
          rowLabel: 'A',
          seatLabel: '1',
          placeKey: '["stalls","a","1"]',
          x: 9,
          y: 9,
          kind: 'seat',
        })
        .execute(),
    ).rejects.toSatisfy(isUniqueViolation)
    expect(await seatsOf(event.id)).toHaveLength(4)

    // A copy onto a map that has one of these seats under another spelling: refused, nothing written.
    const { event: target } = await createEvent(t.db, organiser.user.id, {
      title: 'Copy Target',
      ticketTypes: [{ name: 'Hall' }],
    })
    await organiser.browser.get(`/events/${target.id}/seat-map`)
    const copyTo = (id: number, from: number) => organiser.browser.post(`/events/${id}/seat-map/copy`, { from: String(from) })
    expect(
      (
        await organiser.browser.post(`/events/${target.id}/seat-map/import`, {
          csv: 'section,row,seat,x,y,category\nstalls,A,0004,0,0,Hall\n',
        })
      ).statusCode,
    ).toBe(303)
    const onto = await copyTo(target.id, event.id)
    expect(onto.statusCode).toBe(409)
    expect(onto.body).toContain('Some of these seats are on the map already: Stalls, row a, seat 4.')
    expect(await seatsOf(target.id)).toHaveLength(1)

    // A map made before labels were compared so may hold a seat twice (migration 0013 kept both): its copy is refused.
    const legacy = { section: 'Stalls', rowLabel: 'A', seatLabel: '2' }
    await t.db
      .insertInto('seats')
      .values({ eventId: event.id, ticketTypeId: hall, ...legacy, placeKey: 'made before 0013', x: 8, y: 0, kind: 'seat' })
      .execute()
    const { event: fresh } = await createEvent(t.db, organiser.user.id, { title: 'Fresh Copy', ticketTypes: [{ name: 'Hall' }] })
    const copied = await copyTo(fresh.id, event.id)
    expect(copied.statusCode).toBe(409)
    expect(copied.body).toContain('Some of these seats are named twice: Stalls, row A, seat 2.')
    expect(await seatsOf(fresh.id)).toEqual([])
  })

  it('echoes seats of numbered rows as 3-12, never 312', async () => {
    const { event, hall } = await hallEvent(t.db, organiser.user.id, 'Numbered Rows')
    await addSeatBlock(t.db, organiser.user, event.id, { section: 'Hall', rows: ['3'], seatsPerRow: 12, ticketTypeId: hall })
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const bought = await buyer.post(`/purchase/${event.id}`, {
      [`qty_${hall}`]: '0',
      seat: [String(await seatId(t.db, event.id, '3', '12'))],
      name: 'Twelve',
      email: 'twelve@example.test',
    })
    expect(bought.statusCode).toBe(303)
    await organiser.browser.get(`/events/${event.id}/seat-map`)
    const taken = await organiser.browser.post(`/events/${event.id}/seat-map/marks`, {
      markSection: 'Hall',
      marks: '3-11, 3-12',
      action: 'block',
    })
    expect(taken.statusCode).toBe(409)
    expect(taken.body).toContain('Taken, so they cannot be blocked: 3-12.')
  })

  it('says in plain words what is wrong with a CSV it cannot read, and on which line', async () => {
    const { event } = await createEvent(t.db, organiser.user.id, { title: 'Broken CSV', ticketTypes: [{ name: 'Hall' }] })
    await organiser.browser.get(`/events/${event.id}/seat-map`)
    const send = async (csv: string) => {
      const response = await organiser.browser.post(`/events/${event.id}/seat-map/import`, { csv })
      expect(response.statusCode).toBe(422)
      expect(response.body).not.toMatch(/Quote Not Closed|Invalid Closing Quote|Invalid Record Length|Invalid Opening Quote/i)
      return response.body
    }
    expect(await send('section,row,seat,x,y,category\n\nS,A,1,0,0,Hall\nS,"A,2,1,0,Hall\nS,A,3,2,0,Hall\n')).toContain(
      'Line 4: a quote (&quot;) opens a value that is never closed.',
    )
    expect(await send('section,row,seat,x,y,category\nS,A,1,0,0,Hall\nS,A"B,2,1,0,Hall\n')).toContain(
      'Line 3: a value has a quote (&quot;) inside it.',
    )
    expect(await send('section,row,seat,x,y,category\nS,"A"B,1,0,0,Hall\n')).toContain('Line 2: something follows the closing quote')
    expect(await send('section,row,seat,x,y,category\nS,A,1,0,0\nS,A,2,1,0,Hall,seat,extra\n')).toContain(
      'Line 2 has 5 values, where the header has 6 columns.',
    )
    expect(await t.db.selectFrom('seats').select('id').where('eventId', '=', event.id).execute()).toEqual([])
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
