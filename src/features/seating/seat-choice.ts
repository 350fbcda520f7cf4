import type { Db } from '../../db/database.js'
import { pickSeats } from './best-available.js'
import { seatMapForRequest } from './seating.repository.js'
import { type SeatRequest, seatName } from './seat.model.js'
import type { SeatChoiceRefusal } from './seat-map.refusals.js'

/** The `seat` fields of the form, as ids; hand-made values that are no seat ids are dropped (they can match no seat). */
export function chosenSeats(body: unknown): number[] {
  const raw = (body as { seat?: unknown } | null)?.seat
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  const ids = values.filter((value): value is string => typeof value === 'string' && /^\d{1,10}$/.test(value)).map(Number)
  return [...new Set(ids)].slice(0, 1000)
}

export interface SeatPlan {
  /** Tickets per type, the seats counted in. */
  quantities: Map<number, number>
  /** Why the ticked seats cannot be had (the form's seats field says it), or null. */
  refusal: SeatChoiceRefusal | null
}

/**
 * Checks the ticked seats on the map as it is now, for messages at the form
 * that name them: they must be free seats of this event. Returns the tickets
 * per type, ticked seats counted in. Best available seats are picked by the
 * purchase alone, under the event's lock (bookSeats), which reads the taken
 * seats once rather than twice; a request no row can meet comes back from it.
 */
export async function planSeats(db: Db, eventId: number, request: SeatRequest, quantities: Map<number, number>): Promise<SeatPlan> {
  const ticked = { chosen: request.chosen, best: new Map<number, number>() }
  const map = await seatMapForRequest(db, eventId, ticked)
  const { unusable, seats } = pickSeats(map, ticked)
  const named = unusable.flatMap((id) => map.layout.byId.get(id) ?? [])
  const refusal: SeatChoiceRefusal | null =
    unusable.length === 0
      ? null
      : named.length > 0
        ? { code: 'taken-since-shown', seats: named.map(seatName) }
        : { code: 'seat-not-on-map' }
  // Best available seats are counted in their type's quantity already; ticked ones are added to it.
  const planned = new Map(quantities)
  for (const seat of seats) {
    planned.set(seat.ticketTypeId, (planned.get(seat.ticketTypeId) ?? 0) + 1)
  }
  return { quantities: planned, refusal }
}
