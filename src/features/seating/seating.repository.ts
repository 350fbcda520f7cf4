import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import { DomainError } from '../../lib/errors.js'
import type { NewSeat } from './seat-map.build.js'
import { pickSeats } from './best-available.js'
import type { SeatRequest } from './seat-choice.js'

/** A seat as the map shows it: where it is, what it costs (its type), and whether it can still be chosen. */
export type SeatOnMap = NewSeat & { id: number; taken: boolean }

export async function seatMapOf(db: Db | Trx, eventId: number): Promise<SeatOnMap[]> {
  const rows = await db
    .selectFrom('seats')
    .leftJoin('seatBookings', 'seatBookings.seatId', 'seats.id')
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
      'seatBookings.ticketId',
    ])
    .where('seats.eventId', '=', eventId)
    .orderBy('seats.y')
    .orderBy('seats.x')
    .execute()
  return rows.map(({ ticketId, blocked, ...seat }) => ({ ...seat, blocked: blocked === 1, taken: ticketId !== null }))
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

export function seatName(seat: { section: string; rowLabel: string; seatLabel: string }): string {
  return `${seat.section}, row ${seat.rowLabel}, seat ${seat.seatLabel}`
}

/** Some of the seats a buyer chose were taken (or never could be) by the time the order was written. Nothing was written. */
export class SeatsTaken extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'Some seats are no longer free'
  constructor(readonly seatIds: number[]) {
    super(
      seatIds.length === 1
        ? 'The seat marked below was taken by someone else a moment ago. Your other choices are kept: choose another seat.'
        : 'The seats marked below were taken by someone else a moment ago. Your other choices are kept: choose other seats.',
    )
  }
}

/** No run of seats side by side was left for a best-available request, once the purchase held the event's lock. Nothing was written. */
export class NoSeatsTogether extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'Not enough seats side by side'
  constructor(
    readonly ticketTypeId: number,
    count: number,
  ) {
    super(`No ${count} seats side by side are left of this type. Ask for fewer, or choose seats on the map.`)
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
): Promise<void> {
  const { unusable, seats, short } = pickSeats(await seatMapOf(trx, eventId), request)
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
export async function takenOf(db: Db, seatIds: number[]): Promise<number[]> {
  if (seatIds.length === 0) return []
  const rows = await db.selectFrom('seatBookings').select('seatId').where('seatId', 'in', seatIds).execute()
  return rows.map((row) => row.seatId)
}

/** Frees the seats of an order's tickets (its cancellation). */
export async function releaseSeatsOfOrder(trx: Trx, orderId: number): Promise<void> {
  await trx
    .deleteFrom('seatBookings')
    .where('ticketId', 'in', (eb) => eb.selectFrom('tickets').select('tickets.id').where('tickets.orderId', '=', orderId))
    .execute()
}
