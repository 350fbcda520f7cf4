import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { describeEachDatabase, type DatabaseKind } from '../helpers/database.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'
import { CHECK_THEN_ACT } from '../helpers/check-then-act.js'
import { createEvent } from '../helpers/fixtures.js'
import { type SaleOutcome, buyAllAtOnce, prepareBuyers, succeeded } from '../helpers/flash-sale.js'
import { placeOrder } from '../helpers/orders.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { type HttpDesk, addDoorStaff, openDeskOverHttp, setDeskSettings } from '../helpers/box-office.js'

const CAPACITY = 10
const ONLINE_BUYERS = 24
const ROUNDS = 3

interface Round {
  eventId: number
  ticketTypeId: number
  /** The order of the tickets sold before the race. */
  soldBefore: number
  desks: HttpDesk[]
}

/**
 * A real listening server on a fresh database, and ROUNDS events each with
 * one ticket left, the others sold online before; at each, two desks (the
 * organiser's and a door staff member's) open, ready to sell the last one.
 */
function useServer(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  return async (overrides: ServerOptions = {}) => {
    const { urls, db } = await listen(1, overrides)
    const organiser = await createUser(db, 'organiser')
    const staff = await createUser(db, 'attendee')
    const rounds: Round[] = []
    for (let i = 0; i < ROUNDS; i++) {
      const { event, ticketTypes } = await createEvent(db, organiser.id, {
        title: `Last One ${i}`,
        ticketTypes: [{ name: 'Last', capacity: CAPACITY, maxPerOrder: CAPACITY }],
      })
      const ticketTypeId = ticketTypes[0]!.id
      const soldBefore = await placeOrder(db, event.id, ticketTypeId, { quantity: CAPACITY - 1 })
      await addDoorStaff(db, event.id, staff, organiser.id)
      await setDeskSettings(db, event.id, { staffMaySell: true })
      const desks = await Promise.all([organiser, staff].map((seller: Persona) => openDeskOverHttp(urls[0]!, seller, event.id)))
      rounds.push({ eventId: event.id, ticketTypeId, soldBefore: soldBefore.id, desks })
    }
    return { url: urls[0]!, db, rounds }
  }
}

interface DeskOutcome {
  status: number
  location: string | null
  body: string
}

/** Each desk sells one ticket, for cash. */
function sellAtDesks(round: Round): Promise<DeskOutcome>[] {
  return round.desks.map(async (desk, i) => {
    const response = await fetch(`${desk.baseUrl}/events/${round.eventId}/box-office`, {
      method: 'POST',
      headers: { cookie: desk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...desk.fields, [`qty_${round.ticketTypeId}`]: '1', name: `Desk buyer ${i}`, payment: 'cash' }),
      redirect: 'manual',
    })
    return { status: response.status, location: response.headers.get('location'), body: await response.text() }
  })
}

/**
 * The desks and the online buyers of a round, all at the same moment: every
 * request is in flight before any answer is read. The desks' requests go out
 * first in one round and last in the next, so that each side gets there first.
 */
async function race(url: string, round: Round, desksFirst: boolean) {
  const buyers = await prepareBuyers([url], round.eventId, ONLINE_BUYERS, { quantity: () => 1 })
  const buy = () => buyAllAtOnce(buyers, round.eventId, round.ticketTypeId, (i) => `online-${round.eventId}-${i}@example.test`)
  const desks = desksFirst ? sellAtDesks(round) : []
  const online = buy()
  if (!desksFirst) desks.push(...sellAtDesks(round))
  return { desks: await Promise.all(desks), online: await online }
}

/** What must hold once the last ticket was raced for, as a list of broken rules (empty when all hold). */
async function raceViolations(db: Db, round: Round, outcome: { desks: DeskOutcome[]; online: SaleOutcome[] }): Promise<string[]> {
  const violations: string[] = []
  const type = await db
    .selectFrom('ticketTypes')
    .select(['sold', 'capacity'])
    .where('id', '=', round.ticketTypeId)
    .executeTakeFirstOrThrow()
  const event = await db.selectFrom('events').select('sold').where('id', '=', round.eventId).executeTakeFirstOrThrow()
  const rows = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('ticketTypeId', '=', round.ticketTypeId)
    .executeTakeFirstOrThrow()
  const tickets = Number(rows.count)
  if (tickets > type.capacity) violations.push(`oversold: ${tickets} tickets for a capacity of ${type.capacity}`)
  if (tickets !== type.capacity) violations.push(`not sold out exactly: ${tickets} of ${type.capacity}`)
  if (type.sold !== tickets || event.sold !== tickets)
    violations.push(`sold counters ${type.sold}/${event.sold} differ from ${tickets} ticket rows`)

  const deskSales = outcome.desks.filter((desk) => desk.status === 303 && /\/box-office\/orders\/[0-9A-Z]{10}$/.test(desk.location ?? ''))
  const deskRefusals = outcome.desks.filter((desk) => desk.status === 409 && /sold out|only \d+ (is|are) left/i.test(desk.body))
  if (deskSales.length + deskRefusals.length !== outcome.desks.length)
    violations.push(`a desk was answered neither with its sale nor with why not: ${outcome.desks.map((desk) => desk.status).join(', ')}`)
  const onlineSales = outcome.online.filter(succeeded)
  const onlineRefusals = outcome.online.filter((sale) => sale.status === 303 && sale.location === '/purchase/fail')
  if (onlineSales.length + onlineRefusals.length !== outcome.online.length)
    violations.push('an online buyer was answered neither with an order nor a refusal')
  if (deskSales.length + onlineSales.length !== 1)
    violations.push(
      `the last ticket went ${deskSales.length + onlineSales.length} times: ${deskSales.length} at the desk, ${onlineSales.length} online`,
    )

  const raced = await db
    .selectFrom('orders')
    .select(['salesChannel', 'status', 'paymentMethod'])
    .where('eventId', '=', round.eventId)
    .where('id', '!=', round.soldBefore)
    .execute()
  if (raced.length !== deskSales.length + onlineSales.length)
    violations.push(`${raced.length} orders for ${deskSales.length + onlineSales.length} sales`)
  const atDesk = raced.filter((order) => order.salesChannel === 'box-office')
  if (atDesk.length !== deskSales.length) violations.push(`${atDesk.length} desk orders for ${deskSales.length} desk sales`)
  for (const order of atDesk) {
    if (order.status !== 'paid' || order.paymentMethod !== 'cash')
      violations.push(`a desk order is ${order.status} by ${order.paymentMethod}`)
  }
  return violations
}

describeEachDatabase('a box-office sale of the last ticket racing online buyers', (kind) => {
  const start = useServer(kind)

  it(`takes it once: two desks and ${ONLINE_BUYERS} online buyers at the same moment, ${ROUNDS} times`, async () => {
    const { url, db, rounds } = await start()
    const refusedAtDesk: string[] = []
    for (const [i, round] of rounds.entries()) {
      const outcome = await race(url, round, i % 2 === 0)
      expect(await raceViolations(db, round, outcome)).toEqual([])
      refusedAtDesk.push(...outcome.desks.filter((desk) => desk.status === 409).map((desk) => desk.body))
    }
    // A desk that lost is told why, on its form, as typed.
    expect(refusedAtDesk.length).toBeGreaterThan(0)
    for (const page of refusedAtDesk) expect(page).toMatch(/value="Desk buyer \d"/)
  })

  it('control: with the capacity guard switched off, the same test catches the oversell', async () => {
    const { url, db, rounds } = await start({ seams: { capacityGuard: CHECK_THEN_ACT } })
    const violations: string[] = []
    for (const [i, round] of rounds.entries()) violations.push(...(await raceViolations(db, round, await race(url, round, i % 2 === 0))))
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^oversold/))
  })
})
