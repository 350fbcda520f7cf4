import type { Db } from '../../src/db/database.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import type { NewSeat } from '../../src/features/seating/seat.model.js'
import { addSeats } from '../../src/features/seating/seating.service.js'
import { seatMapRefusalText } from '../../src/features/seating/seat-map.refusals.js'
import { createEvent } from './fixtures.js'
import type { Persona } from './personas.js'

/** An event with one ticket type, Hall, up to 4 a buyer: its seats, once added, are its capacity. */
export async function hallEvent(db: Db, ownerId: number, title: string, priceMinor = 1000) {
  const { event, ticketTypes } = await createEvent(db, ownerId, {
    title,
    ticketTypes: [{ name: 'Hall', priceMinor, capacity: 1, maxPerOrder: 4 }],
  })
  return { event, hall: ticketTypes[0]!.id }
}

/** A block of rows × seats numbered from 1, through the organiser's real map change (capacities follow). */
export async function addSeatBlock(
  db: Db,
  owner: Persona,
  eventId: number,
  block: { section: string; rows: string[]; seatsPerRow: number; ticketTypeId: number; wheelchair?: string[] },
): Promise<void> {
  const seats: NewSeat[] = block.rows.flatMap((rowLabel, y) =>
    Array.from({ length: block.seatsPerRow }, (_, x) => ({
      ticketTypeId: block.ticketTypeId,
      section: block.section,
      rowLabel,
      seatLabel: String(x + 1),
      x,
      y,
      kind: block.wheelchair?.includes(`${rowLabel}${x + 1}`) ? ('wheelchair' as const) : ('seat' as const),
      blocked: false,
    })),
  )
  const event = (await findEvent(db, eventId))!
  const refusal = await addSeats(db, { event, actor: { userId: owner.id, label: owner.email, isAdmin: false, ip: null } }, seats)
  if (refusal !== null) throw new Error(seatMapRefusalText(refusal))
}

export async function seatId(db: Db, eventId: number, row: string, seat: string): Promise<number> {
  const found = await db
    .selectFrom('seats')
    .select('id')
    .where('eventId', '=', eventId)
    .where('rowLabel', '=', row)
    .where('seatLabel', '=', seat)
    .executeTakeFirstOrThrow()
  return found.id
}
