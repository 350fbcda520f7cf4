import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { translator } from '../../src/i18n/translate.js'
import { GUARDED as GUARDED_MOVE, type TicketMoveGuard } from '../../src/features/orders/ticket-move.js'
import { GUARDED as GUARDED_PURCHASE } from '../../src/features/purchase/purchase.service.js'
import { MOVE_CHECK_THEN_ACT } from '../helpers/check-then-act.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type SaleOutcome, buyAllAtOnce, prepareBuyers, succeeded } from '../helpers/flash-sale.js'
import { logInOverHttp } from '../helpers/login.js'
import { moveTicketUrl } from '../helpers/move-ticket.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'
import { StartLine } from '../helpers/start-line.js'
import { capacityViolations } from '../waiting-list/support.js'

/**
 * Issue 31: moving a ticket keeps capacity exact. Fifty organiser's moves of
 * tickets into Balcony, which has ten places left, and fifty online
 * purchases of Balcony's last tickets, all at the same moment against
 * listening servers (across two instances on PostgreSQL): exactly ten
 * succeed in all, Balcony is never sold past its capacity, the counters of
 * both types and of the event match the tickets, every refused move gets the
 * form back saying Balcony is full, every refused buyer the fail page, and
 * no answer is a 5xx. A move reads more before its transaction than a
 * purchase does, and would otherwise reach the database after the purchases
 * (PostgreSQL) or before them (SQLite's shared commit waits a turn): the
 * requests, sent together, also meet at a start line just before their
 * transactions and leave it in turn, a move, a purchase, a move…
 * (test/helpers/start-line.ts), which changes no guard, so that moves and
 * purchases each take some of the last places. The control takes the move's place on what was read before its
 * transaction, without the room guard (check-then-act), and the same checks
 * find Balcony oversold.
 */

const MOVES = 50
const PURCHASES = 50
const LEFT = 10
const BALCONY = 20
const t = translator('en')

function useRace(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  return async (instances: number, overrides: ServerOptions = {}) => {
    const { urls, db } = await listen(instances, overrides)
    const organiser = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, organiser.id, {
      title: 'Harbour Lights',
      ticketTypes: [
        { name: 'Hall', capacity: MOVES, priceMinor: 2500, maxPerOrder: 4 },
        { name: 'Balcony', capacity: BALCONY, priceMinor: 2500, maxPerOrder: 4 },
      ],
    })
    const [hall, balcony] = ticketTypes.map((type) => type.id) as [number, number]
    // Balcony has LEFT places left; fifty orders hold a Hall ticket each, to be moved there.
    for (let i = 0; i < BALCONY - LEFT; i++) await placeOrder(db, event.id, balcony, { buyerEmail: `early${i}@example.test` })
    const orders: { id: number; code: string; ticketId: number }[] = []
    for (let i = 0; i < MOVES; i++) {
      const order = await placeOrder(db, event.id, hall, { buyerEmail: `hall${i}@example.test` })
      const ticket = await db.selectFrom('tickets').select('id').where('orderId', '=', order.id).executeTakeFirstOrThrow()
      orders.push({ ...order, ticketId: ticket.id })
    }
    const sessions = await Promise.all(urls.map((url) => logInOverHttp(url, organiser, moveTicketUrl(event.id, orders[0]!.code))))
    const buyers = await prepareBuyers(urls, event.id, PURCHASES, { quantity: () => 1 })
    return { urls, db, eventId: event.id, hall, balcony, orders, sessions, buyers }
  }
}

interface MoveOutcome {
  order: { id: number; code: string; ticketId: number }
  status: number
  location: string | null
  body: string
}

type Race = Awaited<ReturnType<ReturnType<typeof useRace>>>

/** Every move and every purchase sent at once: all requests are in flight before any answer is read. */
async function moveAndBuyAtOnce(race: Race): Promise<{ moves: MoveOutcome[]; sales: SaleOutcome[] }> {
  const moves = race.orders.map(async (order, i) => {
    const session = race.sessions[i % race.sessions.length]!
    const response = await fetch(`${race.urls[i % race.urls.length]}${moveTicketUrl(race.eventId, order.code)}`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, ticket: String(order.ticketId), type: String(race.balcony), confirm: 'yes' }),
      redirect: 'manual',
    })
    return { order, status: response.status, location: response.headers.get('location'), body: await response.text() }
  })
  const sales = buyAllAtOnce(race.buyers, race.eventId, race.balcony)
  return { moves: await Promise.all(moves), sales: await sales }
}

/** What must hold once the race has run, as broken rules (none when all hold). */
async function raceViolations(db: Db, race: Race, outcomes: { moves: MoveOutcome[]; sales: SaleOutcome[] }): Promise<string[]> {
  const found = await capacityViolations(db, race.eventId)
  const balcony = await db.selectFrom('ticketTypes').select(['capacity', 'sold']).where('id', '=', race.balcony).executeTakeFirstOrThrow()
  const standing = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('ticketTypeId', '=', race.balcony)
    .where('cancelledAt', 'is', null)
    .executeTakeFirstOrThrow()
  if (Number(standing.count) > balcony.capacity)
    found.push(`oversold: ${standing.count} Balcony tickets for a capacity of ${balcony.capacity}`)
  if (Number(standing.count) !== balcony.capacity) found.push(`not sold out exactly: ${standing.count} of ${balcony.capacity}`)

  const moved = outcomes.moves.filter((move) => move.status === 303)
  const bought = outcomes.sales.filter(succeeded)
  if (moved.length + bought.length !== LEFT) found.push(`${moved.length} moves and ${bought.length} purchases took ${LEFT} places`)
  const errors = [...outcomes.moves, ...outcomes.sales].filter((outcome) => outcome.status >= 500)
  if (errors.length > 0) found.push(`${errors.length} responses were 5xx`)
  for (const move of outcomes.moves) {
    const type = (await db.selectFrom('tickets').select('ticketTypeId').where('id', '=', move.order.ticketId).executeTakeFirstOrThrow())
      .ticketTypeId
    if (move.status === 303) {
      if (move.location !== `/events/${race.eventId}/orders?q=${move.order.code}`) found.push(`a move answered 303 to ${move.location}`)
      if (type !== race.balcony) found.push(`order ${move.order.code}: answered moved, its ticket is not Balcony`)
    } else {
      if (type !== race.hall) found.push(`order ${move.order.code}: refused, its ticket moved all the same`)
      if (![409, 422].includes(move.status) || !move.body.includes(t('orderChanges.move.full', { type: 'Balcony' })))
        found.push(`a refused move answered ${move.status} without saying Balcony is full`)
    }
  }
  const refusedSales = outcomes.sales.filter((sale) => !succeeded(sale))
  if (refusedSales.some((sale) => sale.status !== 303 || sale.location !== '/purchase/fail'))
    found.push('a refused purchase was not sent to the fail page')
  const audits = await db.selectFrom('auditLog').select('id').where('action', '=', 'order.ticket_moved').execute()
  if (audits.length !== moved.length) found.push(`${audits.length} moves audited for ${moved.length} moved`)
  const mails = await db.selectFrom('outbox').select('id').where('kind', '=', 'ticket-moved').execute()
  if (mails.length !== moved.length) found.push(`${mails.length} mails for ${moved.length} moved`)
  return found
}

/**
 * The seams of a race whose requests all meet at a start line just before
 * their transactions, the purchases' guard as it is and the moves' given:
 * a move checks what it checks before its transaction (the control's
 * check-then-act reads what is left of the type), then waits at the line.
 */
function atTheLine(line: StartLine, moveGuard: TicketMoveGuard): ServerOptions {
  return {
    seams: {
      capacityGuard: { ...GUARDED_PURCHASE, before: () => line.wait('purchase') },
      ticketMoveGuard: {
        ...moveGuard,
        before: async (db, eventId, ticketTypeId) => {
          await moveGuard.before?.(db, eventId, ticketTypeId)
          await line.wait('move')
        },
      },
    },
  }
}

describeEachDatabase(`${MOVES} moves and ${PURCHASES} purchases of a type's last ${LEFT} tickets at once`, (kind) => {
  const start = useRace(kind)

  for (const instances of [1, 2]) {
    const where = instances === 1 ? 'on one server' : 'across two instances'
    it.runIf(instances === 1 || kind === 'postgres')(`never oversell it, and the counters stay exact, ${where}`, async () => {
      const line = new StartLine(MOVES + PURCHASES)
      const race = await start(instances, atTheLine(line, GUARDED_MOVE))
      const outcomes = await moveAndBuyAtOnce(race)

      expect(line.timedOut, 'every request reached the start line').toBe(false)
      expect(await raceViolations(race.db, race, outcomes)).toEqual([])
      // A contest, not one kind after the other: moves and purchases each took some of the last places.
      expect(outcomes.moves.filter((move) => move.status === 303).length).toBeGreaterThan(0)
      expect(outcomes.sales.filter(succeeded).length).toBeGreaterThan(0)
    })

    it.runIf(instances === 1 || kind === 'postgres')(
      `control: moves that take the place on what they read before their transaction oversell it, ${where}`,
      async () => {
        const line = new StartLine(MOVES + PURCHASES)
        const race = await start(instances, atTheLine(line, MOVE_CHECK_THEN_ACT))
        const outcomes = await moveAndBuyAtOnce(race)

        expect(line.timedOut, 'every request reached the start line').toBe(false)
        const found = await raceViolations(race.db, race, outcomes)
        expect(found, found.join('\n')).toContainEqual(expect.stringMatching(/^oversold/))
      },
    )
  }
})
