import autocannon from 'autocannon'
import { randomBytes } from 'node:crypto'
import type { Db } from '../src/db/database.js'
import { placeKey } from '../src/features/seating/seat-labels.js'
import { openBuyPage, purchaseRequest } from './buyers.js'
import { seedOnSaleEvent } from './seed.js'

/**
 * Halls sold out by as many buyers as the flash sale's, against the server
 * it ran on: first a hall without a map (the yardstick), then the same hall
 * seated, each purchase taking one seat, either ticked on the map (each
 * buyer a different free seat, as people choosing would mostly manage) or
 * one best available seat (the quantity field of a seated type). Every hall
 * is sold out by exactly as many purchases as it has tickets, so the rate is
 * tickets over the time to sell them, and no purchase should be refused.
 */
export interface SeatedRun {
  mapSeats: number
  halls: number
  /** unseated: the same hall sold without a map, the yardstick of the seated runs of its size. */
  mode: 'unseated' | 'chosen' | 'best available'
  purchasesPerSecond: number
  p50: number
  p99: number
  orders: number
  /** Answers other than the 303 of a purchase made (a 409 would be a seat taken meanwhile: none is expected). */
  refused: number
  serverErrors: number
  /** Seated tickets without a seat, or more seats booked than the halls have: both should be 0. */
  ticketsWithoutSeat: number
  overbooked: number
}

/** The maps measured: the 500-seat hall (sold ten times over, for a long enough run) and the largest map allowed. */
export const SEATED_HALLS = [
  { mapSeats: 500, halls: 10, seatsPerRow: 25 },
  { mapSeats: 5000, halls: 1, seatsPerRow: 50 },
] as const

export async function seatedSales(db: Db, base: string, buyersPerHall: number, connections: number): Promise<SeatedRun[]> {
  const runs: SeatedRun[] = []
  // Each size's seated runs right after its unseated one, so that they share the machine's mood.
  for (const hall of SEATED_HALLS) {
    for (const mode of ['unseated', 'chosen', 'best available'] as const) {
      runs.push(await sellHalls(db, base, { ...hall, mode }, buyersPerHall, connections))
    }
  }
  return runs
}

async function sellHalls(
  db: Db,
  base: string,
  spec: { mapSeats: number; halls: number; seatsPerRow: number; mode: SeatedRun['mode'] },
  buyersPerHall: number,
  connections: number,
): Promise<SeatedRun> {
  let elapsedMs = 0
  let orders = 0
  let refused = 0
  let serverErrors = 0
  let ticketsWithoutSeat = 0
  let overbooked = 0
  const latencies: { p50: number; p99: number }[] = []
  for (let n = 0; n < spec.halls; n++) {
    const { eventId, ticketTypeId, seatIds } = await seedHall(db, spec.mapSeats, spec.seatsPerRow, spec.mode !== 'unseated')
    const buyers = await Promise.all(Array.from({ length: buyersPerHall }, () => openBuyPage(base, eventId)))
    let nextBuyer = 0
    // Chosen seats in a shuffled order, so that buyers spread over the hall as people do.
    const unchosen = shuffled(seatIds)
    const fields =
      spec.mode === 'chosen'
        ? () => ({ [`qty_${ticketTypeId}`]: '', seat: String(unchosen.pop()) })
        : () => ({ [`qty_${ticketTypeId}`]: '1' })
    // Timed from the first request to the last answer: autocannon's own duration
    // of a run with a fixed amount ends at its next one-second tick.
    const startedAt = performance.now()
    let answeredAt = startedAt
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const options = {
        url: base,
        connections,
        amount: spec.mapSeats,
        requests: [purchaseRequest(eventId, () => buyers[nextBuyer++ % buyers.length]!, fields)],
      } as unknown as autocannon.Options
      autocannon(options, (error, done) => (error ? reject(error) : resolve(done))).on('response', () => {
        answeredAt = performance.now()
      })
    })
    console.log(`  seated: ${spec.mode}, hall ${n + 1} of ${spec.halls} (${spec.mapSeats} seats): ${Math.round(answeredAt - startedAt)} ms`)
    elapsedMs += answeredAt - startedAt
    latencies.push({ p50: result.latency.p50, p99: result.latency.p99 })
    const codes = result.statusCodeStats as Record<string, { count: number }>
    for (const [code, stat] of Object.entries(codes)) {
      if (code !== '303') refused += Number(stat.count)
      if (Number(code) >= 500) serverErrors += Number(stat.count)
    }
    refused += result.errors + result.timeouts
    const sold = await db
      .selectFrom('tickets')
      .innerJoin('orders', 'orders.id', 'tickets.orderId')
      .leftJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
      .select((eb) => [
        eb.fn.countAll<number>().as('tickets'),
        eb.fn.count<number>('seatBookings.seatId').as('seated'),
        eb.fn.count<number>('orders.id').distinct().as('orders'),
      ])
      .where('orders.eventId', '=', eventId)
      .executeTakeFirstOrThrow()
    orders += Number(sold.orders)
    if (spec.mode !== 'unseated') ticketsWithoutSeat += Number(sold.tickets) - Number(sold.seated)
    overbooked += Math.max(0, Number(sold.seated) - spec.mapSeats)
  }
  return {
    mapSeats: spec.mapSeats,
    halls: spec.halls,
    mode: spec.mode,
    purchasesPerSecond: Math.round((orders * 1000) / elapsedMs),
    // The worst hall's figures: with one hall it is that hall's.
    p50: Math.max(...latencies.map((latency) => latency.p50)),
    p99: Math.max(...latencies.map((latency) => latency.p99)),
    orders,
    refused,
    serverErrors,
    ticketsWithoutSeat,
    overbooked,
  }
}

/** An event on sale with one ticket type of `seats` tickets, seated (in one section, `seatsPerRow` side by side in each row) or not. */
async function seedHall(db: Db, seats: number, seatsPerRow: number, seated: boolean) {
  const { eventId, ticketTypeId } = await seedOnSaleEvent(db, seats, `Hall of ${seats}`)
  if (!seated) return { eventId, ticketTypeId, seatIds: [] }
  const rows = Array.from({ length: seats }, (_, i) => {
    const place = { section: 'Stalls', rowLabel: `R${Math.floor(i / seatsPerRow) + 1}`, seatLabel: String((i % seatsPerRow) + 1) }
    return {
      eventId,
      ticketTypeId,
      ...place,
      placeKey: placeKey(place),
      x: i % seatsPerRow,
      y: Math.floor(i / seatsPerRow),
      kind: 'seat' as const,
      blocked: 0,
    }
  })
  const seatIds: number[] = []
  for (let start = 0; start < rows.length; start += 500) {
    const inserted = await db
      .insertInto('seats')
      .values(rows.slice(start, start + 500))
      .returning('id')
      .execute()
    seatIds.push(...inserted.map((row) => row.id))
  }
  // As the organiser's seat-map page does: a new stamp for the changed map (migration 0011).
  await db
    .updateTable('events')
    .set({ seatMapStamp: randomBytes(12).toString('base64url') })
    .where('id', '=', eventId)
    .execute()
  return { eventId, ticketTypeId, seatIds }
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}
