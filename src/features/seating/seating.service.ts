import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import type { Event } from '../events/event.model.js'
import { lockEvent } from '../events/event.repository.js'
import { offerFreedCapacity } from '../offers/offers.js'
import { MAX_SEATS_PER_EVENT } from './seat-map.build.js'
import { type NewSeat, seatName } from './seat.model.js'
import { labelKey, placeKey, rowSeatKey, rowSeatName, spellLikeMap } from './seat-labels.js'
import { restampSeatMap } from './seating.repository.js'
import type { SeatMapRefusal } from './seat-map.refusals.js'

export interface MapChange {
  event: Event
  actor: Actor
}

/** Why a change of the map was refused, for the page; null when it was made. */
export type MapRefusal = SeatMapRefusal | null

const SEATS_PER_INSERT = 500

/**
 * Adds seats to the event's map, below what is there, in one transaction
 * under the event's lock (as ticket type edits take it). A seated ticket type
 * is sold by seat only, so its capacity becomes its unblocked seats; a type
 * someone has bought already cannot be given seats, since those buyers have none.
 * A seat named like one on the map, or like another of these (seat-labels.ts),
 * is refused; a section or row named like one on the map takes its spelling.
 */
export async function addSeats(db: Db, change: MapChange, seats: NewSeat[]): Promise<MapRefusal> {
  if (seats.length === 0) return { code: 'no-seats-to-add' }
  try {
    return await changeMap(db, change, async (trx, event) => {
      const onMap = await trx
        .selectFrom('seats')
        .select(['section', 'rowLabel', 'seatLabel', 'y', 'placeKey'])
        .where('eventId', '=', event.id)
        .orderBy('id')
        .execute()
      if (onMap.length + seats.length > MAX_SEATS_PER_EVENT) return { code: 'too-many-seats', max: MAX_SEATS_PER_EVENT }
      const clash = clashesOf(new Set(onMap.map((seat) => seat.placeKey)), seats)
      if (clash) return clash
      const typeIds = [...new Set(seats.map((seat) => seat.ticketTypeId))]
      const seated = await trx.selectFrom('seats').select('ticketTypeId').distinct().where('eventId', '=', event.id).execute()
      const types = await trx
        .selectFrom('ticketTypes')
        .select(['id', 'name', 'sold', 'held', 'eventId'])
        .where('id', 'in', typeIds)
        .execute()
      for (const type of types) {
        if (type.eventId !== event.id) return { code: 'type-of-another-event' }
        // Tickets held for the waiting list would be sold without seats too.
        if (type.sold + type.held > 0 && !seated.some((row) => row.ticketTypeId === type.id)) {
          return { code: 'type-sold-without-seats', ticketType: type.name }
        }
      }
      // A blank line between what was there and what is added.
      const top = onMap.length === 0 ? 0 : Math.max(...onMap.map((seat) => seat.y)) + 2
      const rows = spellLikeMap(onMap, seats).map((seat) => ({
        ...seat,
        eventId: event.id,
        y: seat.y + top,
        blocked: seat.blocked ? 1 : 0,
        placeKey: placeKey(seat),
      }))
      for (let start = 0; start < rows.length; start += SEATS_PER_INSERT) {
        await trx
          .insertInto('seats')
          .values(rows.slice(start, start + SEATS_PER_INSERT))
          .execute()
      }
      await syncCapacities(trx, event.id)
      await restampSeatMap(trx, event.id, true)
      await audit(trx, change, 'seat_map.seats_added', { eventId: event.id, seats: seats.length })
      return null
    })
  } catch (error) {
    if (isUniqueViolation(error)) return { code: 'seats-clash' }
    throw error
  }
}

/** Why seats cannot be added: some are on the map already, or named twice among them; null when none is. */
function clashesOf(onMap: Set<string>, seats: NewSeat[]): MapRefusal {
  const added = new Set<string>()
  const already: NewSeat[] = []
  const twice: NewSeat[] = []
  for (const seat of seats) {
    const key = placeKey(seat)
    if (onMap.has(key)) already.push(seat)
    else if (added.has(key)) twice.push(seat)
    added.add(key)
  }
  const some = (clashing: NewSeat[]) => ({ seats: clashing.slice(0, 5).map(seatName), more: Math.max(0, clashing.length - 5) })
  if (already.length > 0) return { code: 'seats-on-map-already', ...some(already) }
  if (twice.length > 0) return { code: 'seats-named-twice', ...some(twice) }
  return null
}

/**
 * Blocks seats of a built map (a camera position, a broken seat), or frees
 * blocked ones, under the event's lock; capacities follow. A taken seat
 * cannot be blocked, nor a seat whose type would then hold fewer seats than
 * its tickets sold and held for the waiting list. Freed seats go to the
 * waiting list first.
 */
export async function markSeats(
  db: Db,
  change: MapChange,
  marks: { section: string; seats: Map<string, string>; blocked: boolean },
): Promise<MapRefusal> {
  return changeMap(db, change, async (trx, event) => {
    const onMap = await trx
      .selectFrom('seats')
      .leftJoin('seatBookings', 'seatBookings.seatId', 'seats.id')
      .select(['seats.id', 'seats.section', 'seats.rowLabel', 'seats.seatLabel', 'seatBookings.ticketId'])
      .where('seats.eventId', '=', event.id)
      .orderBy('seats.id')
      .execute()
    if (onMap.length === 0) return { code: 'no-map-yet' }
    const inSection = onMap.filter((seat) => labelKey(seat.section) === labelKey(marks.section))
    if (inSection.length === 0) {
      const sections = new Map<string, string>()
      for (const seat of onMap) if (!sections.has(labelKey(seat.section))) sections.set(labelKey(seat.section), seat.section)
      return { code: 'no-such-section', section: marks.section, sections: [...sections.values()] }
    }
    const named = inSection.filter((seat) => marks.seats.has(rowSeatKey(seat.rowLabel, seat.seatLabel)))
    const found = new Set(named.map((seat) => rowSeatKey(seat.rowLabel, seat.seatLabel)))
    const missing = [...marks.seats].filter(([key]) => !found.has(key)).map(([, typed]) => typed)
    if (missing.length > 0) return { code: 'no-such-seats', section: marks.section, seats: missing }
    const taken = named.filter((seat) => seat.ticketId !== null)
    if (marks.blocked && taken.length > 0) {
      return { code: 'taken-cannot-block', seats: taken.map((seat) => rowSeatName(seat.rowLabel, seat.seatLabel)) }
    }
    await trx
      .updateTable('seats')
      .set({ blocked: marks.blocked ? 1 : 0 })
      .where(
        'id',
        'in',
        named.map((seat) => seat.id),
      )
      .execute()
    await syncCapacities(trx, event.id)
    const short = await trx
      .selectFrom('ticketTypes')
      .select('name')
      .where('eventId', '=', event.id)
      .whereRef('capacity', '<', (eb) => eb(eb.ref('sold'), '+', eb.ref('held')))
      .executeTakeFirst()
    if (short) throw new MapChangeRefused({ code: 'type-short-of-seats', ticketType: short.name })
    await restampSeatMap(trx, event.id, true)
    await audit(trx, change, marks.blocked ? 'seat_map.seats_blocked' : 'seat_map.seats_freed', {
      eventId: event.id,
      seats: named.length,
    })
    return null
  })
}

/** A refusal found after the change was written: thrown, so that the transaction rolls back. */
class MapChangeRefused extends Error {
  constructor(readonly reason: SeatMapRefusal) {
    super(reason.code)
  }
}

/**
 * A change of the map in one transaction under the event's lock (as ticket
 * type edits and purchases take it), refused once the event is cancelled; a
 * MapChangeRefused thrown inside rolls it back and is the refusal.
 */
async function changeMap(db: Db, change: MapChange, work: (trx: Trx, event: Event) => Promise<MapRefusal>): Promise<MapRefusal> {
  try {
    return await db.transaction().execute(async (trx) => {
      const event = await lockEvent(trx, change.event.id)
      if (!event || event.status === 'cancelled') return { code: 'event-cancelled' }
      return work(trx, event)
    })
  } catch (error) {
    if (error instanceof MapChangeRefused) return error.reason
    throw error
  }
}

/** Takes every seat off the map, while none is taken. The types keep their capacity, now sold without seats. */
export async function clearSeats(db: Db, change: MapChange): Promise<MapRefusal> {
  return db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, change.event.id)
    if (!event) return { code: 'event-gone' }
    const booked = await trx.selectFrom('seatBookings').select('seatId').where('eventId', '=', event.id).executeTakeFirst()
    if (booked) return { code: 'map-sold' }
    const removed = await trx.deleteFrom('seats').where('eventId', '=', event.id).executeTakeFirst()
    await restampSeatMap(trx, event.id, false)
    await audit(trx, change, 'seat_map.cleared', { eventId: event.id, seats: Number(removed.numDeletedRows) })
    return null
  })
}

/** Copies another event's map onto this one's, each seat to the ticket type of the same name. */
export async function copySeats(db: Db, change: MapChange, from: Event): Promise<MapRefusal> {
  const source = await db
    .selectFrom('seats')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'seats.ticketTypeId')
    .select(['seats.section', 'seats.rowLabel', 'seats.seatLabel', 'seats.x', 'seats.y', 'seats.kind', 'seats.blocked', 'ticketTypes.name'])
    .where('seats.eventId', '=', from.id)
    .orderBy('seats.id')
    .execute()
  if (source.length === 0) return { code: 'source-without-map', event: from.title }
  const types = await db.selectFrom('ticketTypes').select(['id', 'name']).where('eventId', '=', change.event.id).execute()
  const byName = new Map(types.map((type) => [type.name.trim().toLowerCase(), type.id]))
  const missing = [...new Set(source.map((seat) => seat.name).filter((name) => !byName.has(name.trim().toLowerCase())))]
  if (missing.length > 0) {
    return { code: 'source-types-missing', ticketTypes: missing }
  }
  const minY = Math.min(...source.map((seat) => seat.y))
  return addSeats(
    db,
    change,
    source.map((seat) => ({
      ticketTypeId: byName.get(seat.name.trim().toLowerCase())!,
      section: seat.section,
      rowLabel: seat.rowLabel,
      seatLabel: seat.seatLabel,
      x: seat.x,
      y: seat.y - minY,
      kind: seat.kind,
      blocked: seat.blocked === 1,
    })),
  )
}

/** A seated type's capacity is its unblocked seats; seats added to a sold-out type go to its waiting list first. */
async function syncCapacities(trx: Trx, eventId: number): Promise<void> {
  const counts = await trx
    .selectFrom('seats')
    .select(['ticketTypeId', (eb) => eb.fn.countAll<number>().as('count')])
    .where('eventId', '=', eventId)
    .where('blocked', '=', 0)
    .groupBy('ticketTypeId')
    .execute()
  for (const { ticketTypeId, count } of counts) {
    await trx
      .updateTable('ticketTypes')
      .set({ capacity: Number(count) })
      .where('id', '=', ticketTypeId)
      .execute()
  }
  await offerFreedCapacity(trx, eventId, Date.now())
}

async function audit(trx: Trx, change: MapChange, action: string, details: Record<string, unknown>) {
  await recordAudit(trx, {
    ...auditBy(change.actor),
    action,
    subjectType: 'event',
    subjectId: change.event.id,
    details,
  })
}
