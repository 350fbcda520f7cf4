import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { joinWaitingList } from '../../src/features/waiting-list/waiting-list.service.js'
import { settleAll } from '../../src/features/upkeep/settle.js'
import { describeEachDatabase } from '../helpers/database.js'
import { type SaleOutcome, buyAllAtOnce, prepareBuyers } from '../helpers/flash-sale.js'
import { useListeningServers } from '../helpers/servers.js'
import { CHECK_THEN_ACT } from '../helpers/check-then-act.js'
import { capacityViolations, offerTokenIn, soldOutEvent } from './support.js'

const CLAIMERS = 100
const OFFERS = 10

/** A sold-out event with `waiting` people on its list, each for one ticket, in order. */
async function soldOutWithList(db: Db, capacity: number, waiting: number) {
  const sale = await soldOutEvent(db, { capacity })
  for (let i = 0; i < waiting; i++) {
    const joined = await joinWaitingList(db, {
      eventId: sale.eventId,
      ticketTypeId: sale.typeId,
      name: `Waiter ${i}`,
      email: `waiter${i}@example.test`,
      quantity: 1,
      siteUrl: 'http://admit-one.test',
    })
    expect(joined).toEqual({ joined: true })
  }
  return sale
}

/** The buyers' cancellations, each with its own browser's CSRF token, ready to be sent at once. */
async function prepareCancellations(urls: string[], db: Db, orderIds: number[]) {
  return Promise.all(
    orderIds.map(async (orderId, i) => {
      const baseUrl = urls[i % urls.length]!
      const order = await db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', orderId).executeTakeFirstOrThrow()
      const page = await fetch(`${baseUrl}/orders/${order.code}/cancel?key=${order.accessKey}`)
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
      const cookie = page.headers
        .getSetCookie()
        .map((value) => value.split(';')[0])
        .join('; ')
      return () =>
        fetch(`${baseUrl}/orders/${order.code}/cancel`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf, key: order.accessKey }),
          redirect: 'manual',
        })
    }),
  )
}

/**
 * A sold-out event of `offers` tickets with more people waiting, and every
 * order cancelled one after another: an offer each to the first `offers`
 * people. Returns the offers' claim tokens, in the order people joined.
 */
async function offersMade(urls: string[], db: Db, offers: number, waiting: number) {
  const sale = await soldOutWithList(db, offers, waiting)
  const cancel = await prepareCancellations(
    urls,
    db,
    sale.orders.map((order) => order.id),
  )
  for (const send of cancel) expect((await send()).status).toBe(303)
  const tokens = await offerTokens(db)
  expect(tokens).toHaveLength(offers)
  return { ...sale, tokens }
}

async function offerTokens(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('outbox').select('data').where('kind', '=', 'waiting-list-offer').orderBy('id').execute()
  return rows.map((row) => offerTokenIn((JSON.parse(row.data) as { link: string }).link))
}

/** What must hold after claims: each offer used at most once, by an order of its quantity, and the counters right. */
async function claimViolations(db: Db, eventId: number, outcomes: SaleOutcome[]): Promise<string[]> {
  const violations = await capacityViolations(db, eventId)
  const won = outcomes.filter((outcome) => outcome.status === 303 && outcome.location?.startsWith('/purchase/success') === true)
  const errors = outcomes.filter((outcome) => outcome.status >= 500)
  if (errors.length > 0) violations.push(`${errors.length} responses were 5xx`)
  const claimed = await db
    .selectFrom('waitingListEntries')
    .select(['id', 'orderId'])
    .where('eventId', '=', eventId)
    .where('state', '=', 'claimed')
    .execute()
  const claimOrders = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('eventId', '=', eventId)
    .where('buyerEmail', 'like', 'buyer%')
    .executeTakeFirstOrThrow()
  if (Number(claimOrders.count) !== claimed.length) violations.push(`${claimOrders.count} orders for ${claimed.length} claimed offers`)
  if (won.length !== claimed.length) violations.push(`${won.length} successful claims for ${claimed.length} claimed offers`)
  return violations
}

describeEachDatabase('waiting-list offers under concurrency', (kind) => {
  const start = useListeningServers(kind)

  async function claimRace(instances: number, guarded: boolean) {
    const { urls, db } = await start(instances, guarded ? {} : { seams: { capacityGuard: CHECK_THEN_ACT } })
    const { eventId, typeId, tokens } = await offersMade(urls, db, OFFERS, OFFERS + 5)
    // Ten browsers open each link (a holder clicking again and again, or sharing it), then all buy at once.
    const claimers = await prepareBuyers(urls, eventId, CLAIMERS, {
      page: (i) => `/buy-tickets/${eventId}?offer=${tokens[i % OFFERS]}`,
      quantity: () => 1,
    })
    expect(claimers.every((claimer) => claimer.shown.offer !== undefined)).toBe(true)
    const outcomes = await buyAllAtOnce(claimers, eventId, typeId)
    return { db, eventId, outcomes }
  }

  it(`lets ${CLAIMERS} simultaneous claims of ${OFFERS} offers use each offer once`, async () => {
    const { db, eventId, outcomes } = await claimRace(1, true)
    expect(await claimViolations(db, eventId, outcomes)).toEqual([])
    expect(outcomes.filter((outcome) => outcome.location?.startsWith('/purchase/success'))).toHaveLength(OFFERS)
    const entries = await db.selectFrom('waitingListEntries').select('state').where('eventId', '=', eventId).orderBy('id').execute()
    expect(entries.map((entry) => entry.state)).toEqual([...Array(OFFERS).fill('claimed'), ...Array(5).fill('waiting')])
  })

  it('control: with the guard switched off, the same checks catch offers claimed more than once', async () => {
    const { db, eventId, outcomes } = await claimRace(1, false)
    const violations = await claimViolations(db, eventId, outcomes)
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/oversold/))
  })

  it.runIf(kind === 'postgres')(`lets ${CLAIMERS} claims split between two instances use each offer once`, async () => {
    const { db, eventId, outcomes } = await claimRace(2, true)
    expect(await claimViolations(db, eventId, outcomes)).toEqual([])
    expect(outcomes.filter((outcome) => outcome.location?.startsWith('/purchase/success'))).toHaveLength(OFFERS)
  })

  async function cancellationRace(instances: number, guarded: boolean) {
    const { urls, db } = await start(instances, guarded ? {} : { seams: { capacityGuard: CHECK_THEN_ACT } })
    const capacity = 30
    const waiting = 10
    const { eventId, typeId, orders } = await soldOutWithList(db, capacity, waiting)
    const cancel = await prepareCancellations(
      urls,
      db,
      orders.slice(0, 20).map((order) => order.id),
    )
    // The buyers opened the form while one ticket was left, before the last sale and the list.
    await db
      .updateTable('ticketTypes')
      .set({ capacity: capacity + 1 })
      .where('id', '=', typeId)
      .execute()
    const buyers = await prepareBuyers(urls, eventId, 15 + 20 * 3, { quantity: () => 1 })
    await db.updateTable('ticketTypes').set({ capacity }).where('id', '=', typeId).execute()
    // Twenty cancellations and fifteen buyers at once; then, as each cancellation is answered,
    // three more buyers at once, racing each other and the cancellations still in flight.
    const waves: Promise<SaleOutcome[]>[] = [buyAllAtOnce(buyers.slice(0, 15), eventId, typeId)]
    let next = 15
    const cancelled = await Promise.all(
      cancel.map(async (send) => {
        const response = await send()
        waves.push(buyAllAtOnce(buyers.slice(next, (next += 3)), eventId, typeId))
        return response
      }),
    )
    const outcomes = (await Promise.all(waves)).flat()
    return { db, eventId, cancelled, outcomes, waiting }
  }

  async function raceViolations(db: Db, eventId: number, outcomes: SaleOutcome[]) {
    const violations = await capacityViolations(db, eventId)
    if (outcomes.some((outcome) => outcome.status >= 500)) violations.push('a response was 5xx')
    return violations
  }

  it('gives cancelled tickets to the waiting list first while buyers race for them, never above capacity', async () => {
    const { db, eventId, cancelled, outcomes, waiting } = await cancellationRace(1, true)
    expect(cancelled.map((response) => response.status)).toEqual(Array(20).fill(303))
    expect(await raceViolations(db, eventId, outcomes)).toEqual([])
    // Every person waiting was offered a ticket before any buyer could take one of the first ten freed.
    const states = await db.selectFrom('waitingListEntries').select('state').where('eventId', '=', eventId).execute()
    expect(states.map((entry) => entry.state)).toEqual(Array(waiting).fill('offered'))
    const won = outcomes.filter((outcome) => outcome.location?.startsWith('/purchase/success')).length
    expect(won).toBeLessThanOrEqual(20 - waiting)
  })

  it('control: with the guard switched off, buyers racing the offers oversell', async () => {
    const { db, eventId, outcomes } = await cancellationRace(1, false)
    const violations = await raceViolations(db, eventId, outcomes)
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/oversold|above capacity/))
  })

  it.runIf(kind === 'postgres')('gives cancelled tickets to the waiting list first across two instances', async () => {
    const { db, eventId, outcomes } = await cancellationRace(2, true)
    expect(await raceViolations(db, eventId, outcomes)).toEqual([])
    const states = await db.selectFrom('waitingListEntries').select('state').where('eventId', '=', eventId).execute()
    expect(states.map((entry) => entry.state)).toEqual(Array(10).fill('offered'))
  })

  it('settles an offer expiring while its holder claims it one way only: bought, or passed on', async () => {
    const { urls, apps, db } = await start(kind === 'postgres' ? 2 : 1)
    const offers = 20
    const { eventId, typeId, tokens } = await offersMade(urls, db, offers, offers * 2)
    const claimers = await prepareBuyers(urls, eventId, offers, {
      page: (i) => `/buy-tickets/${eventId}?offer=${tokens[i]}`,
      quantity: () => 1,
    })
    // Every offer runs out a moment from now; the claims arrive around that moment, and the upkeep rounds release at it.
    const expiresAt = Date.now() + 300
    await db
      .updateTable('waitingListEntries')
      .set({ offerExpiresAt: expiresAt })
      .where('eventId', '=', eventId)
      .where('state', '=', 'offered')
      .execute()
    const at = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())))
    const [outcomes] = await Promise.all([
      Promise.all(
        claimers.map(async (claimer, i) => (await at(expiresAt - 30 + i * 3), (await buyAllAtOnce([claimer], eventId, typeId))[0]!)),
      ),
      (async () => {
        await at(expiresAt)
        await Promise.all([...apps.map((app) => app.upkeep.runRound()), settleAll(db), fetch(`${urls[0]}/event/${eventId}`)])
      })(),
    ])
    await settleAll(db)
    expect(await claimViolations(db, eventId, outcomes)).toEqual([])
    const first = await db
      .selectFrom('waitingListEntries')
      .select(['state', 'orderId'])
      .where('eventId', '=', eventId)
      .orderBy('id')
      .limit(offers)
      .execute()
    for (const entry of first) {
      expect(['claimed', 'expired']).toContain(entry.state)
      expect(entry.orderId !== null).toBe(entry.state === 'claimed')
    }
    // What ran out went to the next people in line, one each.
    const expired = first.filter((entry) => entry.state === 'expired').length
    const next = await db
      .selectFrom('waitingListEntries')
      .select('state')
      .where('eventId', '=', eventId)
      .orderBy('id')
      .offset(offers)
      .limit(offers)
      .execute()
    expect(next.filter((entry) => entry.state === 'offered')).toHaveLength(expired)
  })
})
