import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import { DomainError } from '../../lib/errors.js'
import type { NewSeat } from './seat-map.build.js'

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

/**
 * Gives each ticket of a purchase its seat, inside the purchase's
 * transaction. The seats must be on this event's map, unblocked and of the
 * tickets' types; the unique seat_id does the rest: a seat another
 * transaction took first fails the insert, and the purchase rolls back whole.
 */
export async function bookSeats(
  trx: Trx,
  eventId: number,
  seatIds: number[],
  tickets: { id: number; ticketTypeId: number }[],
): Promise<void> {
  const seats = await trx
    .selectFrom('seats')
    .select(['id', 'ticketTypeId', 'blocked'])
    .where('eventId', '=', eventId)
    .where('id', 'in', seatIds)
    .execute()
  const unusable = seatIds.filter((id) => !seats.some((seat) => seat.id === id && seat.blocked === 0))
  if (unusable.length > 0) throw new SeatsTaken(unusable)
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
    // Which seats: read after the rollback (see takenOf), when the other purchase has committed.
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
