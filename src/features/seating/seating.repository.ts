import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import { DomainError } from '../../lib/errors.js'
import { randomSecret } from '../../lib/random.js'
import { labelKey } from './seat-labels.js'
import { pickSeats } from './best-available.js'
import { type Seat, type SeatLayout, type SeatMap, type SeatOnMap, type SeatRequest, seatName } from './seat.model.js'
import type { SeatChoiceRefusal } from './seat-map.refusals.js'

/**
 * Layouts by seat map stamp (events.seat_map_stamp, new at every change of a
 * map), so that a purchase reads only the taken seats of a map it has read
 * before: for a 5,000-seat hall that is the difference between reading 5,000
 * rows per purchase and reading the stamp. A stale layout is never used,
 * since the stamp is read from the event each time, in the purchase under
 * the event's lock. Only the last few maps are kept.
 */
const layouts = new Map<string, SeatLayout>()
const LAYOUTS_KEPT = 32

const NO_SEATS: SeatLayout = { seats: [], byId: new Map(), rows: [] }

export async function seatMapOf(db: Db | Trx, eventId: number): Promise<SeatMap> {
  const layout = await layoutOf(db, eventId)
  if (layout.seats.length === 0) return { layout, taken: new Set() }
  const taken = await db.selectFrom('seatBookings').select('seatId').where('eventId', '=', eventId).execute()
  return { layout, taken: new Set(taken.map((row) => row.seatId)) }
}

/**
 * The map as far as a seat request needs it: with the ticked seats that are
 * taken, or every taken seat when best available ones are to be picked.
 */
export async function seatMapForRequest(db: Db | Trx, eventId: number, request: SeatRequest): Promise<SeatMap> {
  if (request.best.size > 0) return seatMapOf(db, eventId)
  const layout = await layoutOf(db, eventId)
  return { layout, taken: new Set(await takenOf(db, request.chosen)) }
}

/** The map's seats, each with whether it is taken: for the pages that draw it. */
export function seatsOnMap(map: SeatMap): SeatOnMap[] {
  return map.layout.seats.map((seat) => ({ ...seat, taken: map.taken.has(seat.id) }))
}

async function layoutOf(db: Db | Trx, eventId: number): Promise<SeatLayout> {
  const event = await db.selectFrom('events').select('seatMapStamp').where('id', '=', eventId).executeTakeFirst()
  if (!event?.seatMapStamp) return NO_SEATS
  const known = layouts.get(event.seatMapStamp)
  if (known) return known
  // The stamp comes with the seats, from the same statement: the layout is
  // kept under the stamp of the seats read, even if the map changed since the
  // stamp above was read.
  const rows = await db
    .selectFrom('seats')
    .innerJoin('events', 'events.id', 'seats.eventId')
    .select([
      'seats.id',
      'seats.ticketTypeId',
      'seats.section',
      'seats.rowLabel',
      'seats.seatLabel',
      'seats.x',
      'seats.y',
      'seats.kind',
      'seats.blocked',
      'events.seatMapStamp',
    ])
    .where('seats.eventId', '=', eventId)
    .orderBy('seats.y')
    .orderBy('seats.x')
    .execute()
  const layout = toLayout(rows.map(({ seatMapStamp: _stamp, blocked, ...seat }) => ({ ...seat, blocked: blocked === 1 })))
  const stamp = rows[0]?.seatMapStamp
  if (stamp) {
    if (layouts.size >= LAYOUTS_KEPT) layouts.delete(layouts.keys().next().value!)
    layouts.set(stamp, layout)
  }
  return layout
}

function toLayout(seats: Seat[]): SeatLayout {
  const rows = new Map<string, Seat[]>()
  for (const seat of seats) {
    // By key, so that a map made before labels were compared so (migration 0013) still has one row per row.
    const key = JSON.stringify([labelKey(seat.section), labelKey(seat.rowLabel)])
    const row = rows.get(key)
    if (row) row.push(seat)
    else rows.set(key, [seat])
  }
  return {
    seats,
    byId: new Map(seats.map((seat) => [seat.id, seat])),
    rows: [...rows.values()]
      .map((row) => {
        const sorted = row.sort((a, b) => a.x - b.x)
        return { seats: sorted, y: Math.min(...sorted.map((seat) => seat.y)), middle: (sorted[0]!.x + sorted.at(-1)!.x) / 2 }
      })
      .sort((a, b) => a.y - b.y),
  }
}

/** A new stamp for an event's map, in the transaction that changes it (null when the map is cleared). */
export async function restampSeatMap(trx: Trx, eventId: number, seated: boolean): Promise<void> {
  await trx
    .updateTable('events')
    .set({ seatMapStamp: seated ? randomSecret(12) : null })
    .where('id', '=', eventId)
    .execute()
}

/** "Stalls, row F, seat 12" for each ticket of these that has a seat, by ticket id. */
export async function seatsOfTickets(db: Db | Trx, ticketIds: number[]): Promise<Map<number, string>> {
  if (ticketIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('seatBookings')
    .innerJoin('seats', 'seats.id', 'seatBookings.seatId')
    .select(['seatBookings.ticketId', 'seats.section', 'seats.rowLabel', 'seats.seatLabel'])
    .where('seatBookings.ticketId', 'in', ticketIds)
    .execute()
  return new Map(rows.map((row) => [row.ticketId, seatName(row)]))
}

/** The event's ticket types that are price categories of its seat map: each of their tickets has a seat. */
export async function seatedTicketTypes(db: Db | Trx, eventId: number): Promise<Set<number>> {
  const rows = await db.selectFrom('seats').select('ticketTypeId').distinct().where('eventId', '=', eventId).execute()
  return new Set(rows.map((row) => row.ticketTypeId))
}

/** Some of the seats a buyer chose were taken (or never could be) by the time the order was written. Nothing was written. */
export class SeatsTaken extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'refusal.seatChoice.seatsTaken.title'
  readonly reason: SeatChoiceRefusal
  constructor(readonly seatIds: number[]) {
    const reason: SeatChoiceRefusal = { code: 'seats-taken', count: seatIds.length }
    super({ key: 'refusal.seatChoice.seatsTaken', params: { count: reason.count } })
    this.reason = reason
  }
}

/** No run of seats side by side was left for a best-available request, once the purchase held the event's lock. Nothing was written. */
export class NoSeatsTogether extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'refusal.seatChoice.noSeatsTogether.title'
  readonly reason: SeatChoiceRefusal
  constructor(
    readonly ticketTypeId: number,
    count: number,
  ) {
    const reason: SeatChoiceRefusal = { code: 'no-seats-together', count }
    super({ key: 'refusal.seatChoice.noSeatsTogether', params: { count } })
    this.reason = reason
  }
}

/**
 * Gives each ticket of a purchase its seat, inside the purchase's
 * transaction, once it has taken capacity (and with it the event row's lock,
 * which every purchase of the event takes: the map read here is not changed
 * under it by another purchase). Chosen seats must be free seats of this
 * event's map; best available ones are picked among the rest; the unique
 * seat_id is the last word: a seat taken by anything else fails the insert,
 * and the purchase rolls back whole.
 */
export async function bookSeats(
  trx: Trx,
  eventId: number,
  request: SeatRequest,
  tickets: { id: number; ticketTypeId: number }[],
  /** Test-only (CHECK_THEN_ACT): trusts the route's check of the ticked seats, made before the lock. */
  asChecked = false,
): Promise<void> {
  const map = asChecked
    ? { layout: await layoutOf(trx, eventId), taken: new Set<number>() }
    : await seatMapForRequest(trx, eventId, request)
  const { unusable, seats, short } = pickSeats(map, request)
  if (unusable.length > 0) throw new SeatsTaken(unusable)
  if (short.length > 0) throw new NoSeatsTogether(short[0]!.ticketTypeId, short[0]!.count)
  const free = new Map<number, number[]>()
  for (const ticket of tickets) free.set(ticket.ticketTypeId, [...(free.get(ticket.ticketTypeId) ?? []), ticket.id])
  const now = Date.now()
  const bookings = seats.map((seat) => {
    const ticketId = free.get(seat.ticketTypeId)?.shift()
    if (ticketId === undefined) throw new Error(`seat ${seat.id} has no ticket of its type in this purchase`)
    return { seatId: seat.id, eventId, ticketId, createdAt: now }
  })
  try {
    await trx.insertInto('seatBookings').values(bookings).execute()
  } catch (error) {
    if (isUniqueViolation(error)) throw new SeatsTaken([])
    throw error
  }
}

/** Of these seats, those taken now. */
export async function takenOf(db: Db | Trx, seatIds: number[]): Promise<number[]> {
  if (seatIds.length === 0) return []
  const rows = await db.selectFrom('seatBookings').select('seatId').where('seatId', 'in', seatIds).execute()
  return rows.map((row) => row.seatId)
}

/** Frees the seats of the orders' tickets (their cancellation). */
export async function releaseSeatsOfOrders(trx: Trx, orderIds: number[]): Promise<void> {
  await trx
    .deleteFrom('seatBookings')
    .where('ticketId', 'in', (eb) => eb.selectFrom('tickets').select('tickets.id').where('tickets.orderId', 'in', orderIds))
    .execute()
}

/** Frees the seats of these tickets (cancelled on their own, their order kept). */
export async function releaseSeatsOfTickets(trx: Trx, ticketIds: number[]): Promise<void> {
  if (ticketIds.length === 0) return
  await trx.deleteFrom('seatBookings').where('ticketId', 'in', ticketIds).execute()
}

/**
 * Books again the seats an order's tickets had when it lapsed, for a payment
 * that arrived late; false, with nothing booked, when any of them is taken.
 * The caller holds the event row's lock, under which seats are booked.
 */
export async function rebookLapsedSeats(trx: Trx, eventId: number, orderId: number): Promise<boolean> {
  const tickets = await trx
    .selectFrom('tickets')
    .select(['id', 'lapsedSeatId'])
    .where('orderId', '=', orderId)
    .where('lapsedSeatId', 'is not', null)
    .execute()
  if (tickets.length === 0) return true
  if (
    (
      await takenOf(
        trx,
        tickets.map((ticket) => ticket.lapsedSeatId!),
      )
    ).length > 0
  )
    return false
  const now = Date.now()
  await trx
    .insertInto('seatBookings')
    .values(tickets.map((ticket) => ({ seatId: ticket.lapsedSeatId!, eventId, ticketId: ticket.id, createdAt: now })))
    .execute()
  return true
}
