import type { SeatsTable } from '../../db/schema.js'

/**
 * What a seat map is made of, shared by the repository, best available and
 * the reading of a seat request: types and one pure name, importing nothing
 * of the feature's own, so that its modules import each other in one direction.
 */

/** A seat to add to a map; y counts rows from the top of what is added (the map's end is added to it). */
export type NewSeat = Pick<SeatsTable, 'ticketTypeId' | 'section' | 'rowLabel' | 'seatLabel' | 'x' | 'y' | 'kind'> & { blocked: boolean }

/** A seat of an event's map: where it is, what it costs (its type), and what kind of seat it is. */
export type Seat = NewSeat & { id: number }

/** A seat as the map shows it: with whether it can still be chosen. */
export type SeatOnMap = Seat & { taken: boolean }

/**
 * What only a change of the map changes: the seats, by id, and in rows
 * (a section's row, left to right, the front rows first) for best available.
 */
export interface SeatLayout {
  seats: Seat[]
  byId: Map<number, Seat>
  rows: SeatRow[]
}

export interface SeatRow {
  seats: Seat[]
  /** The row's first y: rows further back have a greater one. */
  y: number
  /** The x of the row's middle, between its outermost seats. */
  middle: number
}

/** An event's map as it is now: its layout, and the seats taken. */
export interface SeatMap {
  layout: SeatLayout
  taken: Set<number>
}

/**
 * What the buy form asked of a seated event: seats ticked on the map, and
 * for each seated type a number of best available seats (its quantity field).
 */
export interface SeatRequest {
  chosen: number[]
  best: Map<number, number>
}

/** "Stalls, row F, seat 12": how pages, mails and the door name a seat. */
export function seatName(seat: { section: string; rowLabel: string; seatLabel: string }): string {
  return `${seat.section}, row ${seat.rowLabel}, seat ${seat.seatLabel}`
}
