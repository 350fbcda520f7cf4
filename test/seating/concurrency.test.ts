import { sql } from 'kysely'
import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { describeEachDatabase } from '../helpers/database.js'
import { type Buyer, prepareBuyers } from '../helpers/flash-sale.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { addSeatBlock } from '../helpers/seats.js'
import { useListeningServers } from '../helpers/servers.js'
import { CHECK_THEN_ACT } from '../helpers/check-then-act.js'
import { holdsCapacityCondition } from '../../src/features/orders/order.states.js'

const BUYERS = 200
const ROWS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']

/** Real listening servers on one fresh database, with a 100-seat map (10 rows of 10) in one price category. */
function useSeatedSale(kind: Parameters<typeof useListeningServers>[0]) {
  const listen = useListeningServers(kind)
  return async (instances: number, overrides: Parameters<ReturnType<typeof useListeningServers>>[1] = {}) => {
    const { urls, db } = await listen(instances, overrides)
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ name: 'Stalls', capacity: 1, maxPerOrder: 4 }] })
    await addSeatBlock(db, owner, event.id, { section: 'Stalls', rows: ROWS, seatsPerRow: 10, ticketTypeId: ticketTypes[0]!.id })
    const seats = await db.selectFrom('seats').select(['id', 'rowLabel', 'x']).where('eventId', '=', event.id).orderBy('id').execute()
    return { urls, db, eventId: event.id, typeId: ticketTypes[0]!.id, seats }
  }
}

/** Everyone posts at once, each with the fields given. */
async function postAllAtOnce(buyers: Buyer[], eventId: number, fieldsOf: (index: number) => [string, string][]) {
  const responses = await Promise.all(
    buyers.map((buyer, i) => {
      const body = new URLSearchParams([
        ...Object.entries(buyer.shown),
        ['_csrf', buyer.csrf],
        ['key', buyer.key],
        ['name', `Buyer ${i}`],
        ['email', `seat-buyer${i}@example.test`],
        ...fieldsOf(i),
      ])
      return fetch(`${buyer.baseUrl}/purchase/${eventId}`, {
        method: 'POST',
        headers: { cookie: buyer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      })
    }),
  )
  return Promise.all(
    responses.map(async (response) => ({
      status: response.status,
      location: response.headers.get('location') ?? '',
      body: await response.text(),
    })),
  )
}

/** What must hold after the sale: every ticket has one seat, no seat two tickets, the counters match. */
async function seatViolations(db: Db, eventId: number, typeId: number): Promise<string[]> {
  const violations: string[] = []
  const tickets = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .leftJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
    .select(['tickets.id', 'seatBookings.seatId'])
    .where('orders.eventId', '=', eventId)
    .where(holdsCapacityCondition)
    .execute()
  const unseated = tickets.filter((ticket) => ticket.seatId === null)
  if (unseated.length > 0) violations.push(`${unseated.length} tickets without a seat`)
  const seatIds = tickets.map((ticket) => ticket.seatId)
  if (new Set(seatIds).size !== seatIds.length) violations.push('a seat sold twice')
  const type = await db.selectFrom('ticketTypes').select(['sold', 'capacity']).where('id', '=', typeId).executeTakeFirstOrThrow()
  if (type.sold !== tickets.length) violations.push(`sold counter ${type.sold} but ${tickets.length} tickets`)
  if (type.sold > type.capacity) violations.push(`oversold: ${type.sold} of ${type.capacity}`)
  return violations
}

/** Everyone ticks one to three seats among the front three rows at once: 30 seats for 200 buyers. */
async function tickOverlappingSeats(sale: Awaited<ReturnType<ReturnType<typeof useSeatedSale>>>) {
  const buyers = await prepareBuyers(sale.urls, sale.eventId, BUYERS)
  const front = sale.seats.filter((seat) => ['A', 'B', 'C'].includes(seat.rowLabel))
  return postAllAtOnce(buyers, sale.eventId, (i) =>
    Array.from({ length: (i % 3) + 1 }, (_, n) => ['seat', String(front[(i * 7 + n * 3) % front.length]!.id)] as [string, string]),
  )
}

/**
 * Test-only: takes the last guard of a seat, its booking's unique key, off
 * the test's database (SQLite cannot drop a primary key: the table is made
 * again without it).
 */
async function dropSeatKey(db: Db, kind: string) {
  if (kind === 'postgres') {
    await sql`alter table seat_bookings drop constraint seat_bookings_pkey`.execute(db)
    return
  }
  await sql`create table seat_bookings_unkeyed (seat_id integer not null, event_id integer not null, ticket_id integer not null, created_at bigint not null)`.execute(
    db,
  )
  await sql`drop table seat_bookings`.execute(db)
  await sql`alter table seat_bookings_unkeyed rename to seat_bookings`.execute(db)
}

describeEachDatabase(`${BUYERS} buyers choosing overlapping seats at once`, (kind) => {
  const start = useSeatedSale(kind)

  it('each seat goes to one buyer; the others get the form back with their seat marked taken, never a 5xx', async () => {
    const sale = await start(1)
    const { db, eventId, typeId } = sale
    const outcomes = await tickOverlappingSeats(sale)
    expect(outcomes.filter((outcome) => outcome.status >= 500)).toEqual([])
    expect(await seatViolations(db, eventId, typeId)).toEqual([])
    const placed = outcomes.filter((outcome) => outcome.location.startsWith('/purchase/success')).length
    const refused = outcomes.filter((outcome) => outcome.status === 409)
    expect(placed).toBeGreaterThan(0)
    expect(refused.length).toBeGreaterThan(0)
    // The rest were refused for capacity (sold out) once every seat had gone.
    expect(placed + refused.length).toBeLessThanOrEqual(BUYERS)
    for (const page of refused) expect(page.body).toMatch(/Taken since the map was shown|taken by someone else a moment ago/)
  })

  it('control: with the seats checked before the lock (check-then-act) and no unique key, the same checks catch a seat sold twice', async () => {
    const sale = await start(1, { seams: { capacityGuard: CHECK_THEN_ACT } })
    await dropSeatKey(sale.db, kind)
    const outcomes = await tickOverlappingSeats(sale)
    expect(outcomes.filter((outcome) => outcome.status >= 500)).toEqual([])
    expect(await seatViolations(sale.db, sale.eventId, sale.typeId)).toContain('a seat sold twice')
  })

  it(`${BUYERS} buyers asking for 2 best available seats each get two seats side by side, until none are left`, async () => {
    const { urls, db, eventId, typeId, seats } = await start(kind === 'postgres' ? 2 : 1)
    const buyers = await prepareBuyers(urls, eventId, BUYERS)
    const outcomes = await postAllAtOnce(buyers, eventId, () => [[`qty_${typeId}`, '2']])
    expect(outcomes.filter((outcome) => outcome.status >= 500)).toEqual([])
    expect(await seatViolations(db, eventId, typeId)).toEqual([])
    const pairs = await db
      .selectFrom('seatBookings')
      .innerJoin('tickets', 'tickets.id', 'seatBookings.ticketId')
      .select(['tickets.orderId', 'seatBookings.seatId'])
      .where('seatBookings.eventId', '=', eventId)
      .execute()
    const byOrder = new Map<number, number[]>()
    for (const pair of pairs) byOrder.set(pair.orderId, [...(byOrder.get(pair.orderId) ?? []), pair.seatId])
    const where = new Map(seats.map((seat) => [seat.id, seat]))
    for (const ids of byOrder.values()) {
      expect(ids).toHaveLength(2)
      const [a, b] = ids.map((id) => where.get(id)!)
      expect(a!.rowLabel).toBe(b!.rowLabel)
      expect(Math.abs(a!.x - b!.x)).toBe(1)
    }
    // 100 seats in rows of 10 hold 50 pairs: the sale sells out, and nobody else gets a seat.
    expect(byOrder.size).toBe(50)
    expect(outcomes.filter((outcome) => outcome.location.startsWith('/purchase/success'))).toHaveLength(50)
  })
})
