import type { Seat, SeatMap } from './seat.model.js'

/**
 * `count` free seats side by side in one row, for a buyer who does not want
 * to choose: in the first ticket type of `typeOrder` that has such a run,
 * the front-most row that has one, and in that row the run nearest its
 * middle. Wheelchair spaces and companion seats are left for those who need
 * them: they are chosen on the map. Seats in `besides` are treated as taken
 * (those the same buyer ticked). Null when no row has `count` together.
 */
export function bestAvailable(map: SeatMap, count: number, typeOrder: number[], besides: Set<number> = new Set()): number[] | null {
  for (const typeId of typeOrder) {
    let best: { ids: number[]; y: number; offCentre: number } | null = null
    // Rows come front first: once one has a run, rows behind it cannot do better.
    for (const row of map.layout.rows) {
      if (best && row.y > best.y) break
      let run: Seat[] = []
      for (const seat of row.seats) {
        const usable =
          seat.ticketTypeId === typeId && !seat.blocked && seat.kind === 'seat' && !map.taken.has(seat.id) && !besides.has(seat.id)
        if (!usable) {
          run = []
          continue
        }
        if (run.length > 0 && seat.x !== run.at(-1)!.x + 1) run = []
        run.push(seat)
        if (run.length < count) continue
        const window = run.slice(-count)
        const offCentre = Math.abs((window[0]!.x + window.at(-1)!.x) / 2 - row.middle)
        const y = window[0]!.y
        if (!best || y < best.y || (y === best.y && offCentre < best.offCentre)) best = { ids: window.map((s) => s.id), y, offCentre }
      }
    }
    if (best) return best.ids
  }
  return null
}

/** What a buyer's seat request comes to on a map: the seats it gets, and what stands in the way. */
export interface SeatPick {
  /** Ticked seats that are not free seats of this map. */
  unusable: number[]
  /** The usable ticked seats, then those picked as best available. */
  seats: Seat[]
  /** Best-available requests no row could meet. */
  short: { ticketTypeId: number; count: number }[]
}

/** The one reading of a seat request, for the form's messages and for the purchase under the event's lock alike. */
export function pickSeats(map: SeatMap, request: { chosen: number[]; best: Map<number, number> }): SeatPick {
  const { byId } = map.layout
  const unusable = request.chosen.filter((id) => {
    const seat = byId.get(id)
    return !seat || map.taken.has(id) || seat.blocked
  })
  const seats = request.chosen.filter((id) => !unusable.includes(id)).map((id) => byId.get(id)!)
  const short: SeatPick['short'] = []
  for (const [ticketTypeId, count] of request.best) {
    const ids = bestAvailable(map, count, [ticketTypeId], new Set(seats.map((seat) => seat.id)))
    if (ids === null) short.push({ ticketTypeId, count })
    else seats.push(...ids.map((id) => byId.get(id)!))
  }
  return { unusable, seats, short }
}
