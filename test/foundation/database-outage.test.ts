import { sql } from 'kysely'
import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { DatabaseUnavailable } from '../../src/lib/errors.js'
import { FEED_APPLICATION_NAME } from '../../src/features/live/live.feed.js'
import { createEvent } from '../helpers/fixtures.js'
import { buyAllAtOnce, ordersOf, prepareBuyers, succeeded } from '../helpers/flash-sale.js'
import { createUser } from '../helpers/personas.js'
import { useListeningServers } from '../helpers/servers.js'
import { LiveClient, liveUrl } from '../live/live-client.js'

const BUYERS = 60
const CAPACITY = 500

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20))
}

/** Everything of the sale in the database: counters, tickets, orders and their messages. */
async function written(db: Db, eventId: number, ticketTypeId: number) {
  const type = await db.selectFrom('ticketTypes').select('sold').where('id', '=', ticketTypeId).executeTakeFirstOrThrow()
  const event = await db.selectFrom('events').select('sold').where('id', '=', eventId).executeTakeFirstOrThrow()
  const orders = await ordersOf(db, eventId)
  const ids = orders.length > 0 ? orders.map((order) => order.id) : [0]
  const tickets = await db.selectFrom('tickets').select('id').where('ticketTypeId', '=', ticketTypeId).execute()
  const confirmations = await db.selectFrom('outbox').select('data').where('kind', '=', 'order-confirmation').execute()
  const audited = await db
    .selectFrom('auditLog')
    .select('subjectId')
    .where('action', '=', 'order.placed')
    .where('subjectId', 'in', ids)
    .execute()
  return {
    typeSold: type.sold,
    eventSold: event.sold,
    tickets: tickets.length,
    orders: orders.map((order) => ({ key: order.idempotencyKey, tickets: Number(order.tickets) })),
    confirmations: confirmations.filter((row) => ids.includes((JSON.parse(row.data) as { orderId: number }).orderId)).length,
    audited: audited.length,
  }
}

// Backends to terminate exist only on PostgreSQL: an app on SQLite has its database inside the process.
describe.skipIf(!inject('postgresUrl'))('PostgreSQL drops the connections of two instances [postgres]', () => {
  const listen = useListeningServers('postgres')
  const opened: { end(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((closable) => closable.end()))
  })

  /** A connection of the test's own, which it never terminates: to the app's database, or to the server's admin database. */
  async function connect(database?: string): Promise<pg.Client> {
    const url = new URL(inject('postgresUrl')!)
    if (database) url.pathname = `/${database}`
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    opened.push(client)
    return client
  }

  async function start() {
    const { urls, apps, db } = await listen(2)
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ capacity: CAPACITY, maxPerOrder: 4 }] })
    const name = (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!.name
    return { urls, apps, db, name, eventId: event.id, ticketTypeId: ticketTypes[0]!.id }
  }

  /** Ends every connection to the app's database but the test's own. */
  async function terminateAll(client: pg.Client, name: string, spare: number[] = []): Promise<number> {
    const { rows } = await client.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and not (pid = any($2::int[]))`,
      [name, spare],
    )
    await client.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [rows.map((row) => row.pid)])
    return rows.length
  }

  /** Both instances' live feeds LISTEN again (or have gone on to NOTIFY), on connections other than the ones terminated. */
  async function feedsListeningAgain(client: pg.Client, name: string, before: number[]): Promise<void> {
    await until(async () => {
      const { rows } = await client.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = $1 and application_name = $2 and state = 'idle'
           and (query like 'listen %' or query like 'select pg_notify%')`,
        [name, FEED_APPLICATION_NAME],
      )
      return rows.filter((row) => !before.includes(row.pid)).length === 2
    })
  }

  async function feedPids(client: pg.Client, name: string): Promise<number[]> {
    const { rows } = await client.query<{ pid: number }>(`select pid from pg_stat_activity where datname = $1 and application_name = $2`, [
      name,
      FEED_APPLICATION_NAME,
    ])
    return rows.map((row) => row.pid)
  }

  it('fails a transaction whose connection is ended between its queries as unavailable, and opens a new one for the next', async () => {
    const { apps } = await listen(1)
    const db = apps[0]!.db
    const admin = await connect()
    const failed = db.transaction().execute(async (trx) => {
      const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!
      await trx
        .insertInto('auditLog')
        .values({ at: 1, actorId: null, actorLabel: 'test', action: 'half', subjectType: null, subjectId: null, details: '{}', ip: null })
        .execute()
      await admin.query('select pg_terminate_backend($1)', [pid])
      // The connection is checked out and idle when the server ends it.
      await until(async () => (await admin.query('select 1 from pg_stat_activity where pid = $1', [pid])).rowCount === 0)
      await sql`select 1`.execute(trx)
    })

    await expect(failed).rejects.toBeInstanceOf(DatabaseUnavailable)
    expect(await db.selectFrom('auditLog').select('id').where('action', '=', 'half').execute()).toEqual([])
  })

  it('answers the purchases in flight with a 503 page, writes nothing of them, and sells again', async () => {
    const { urls, apps, db, name, eventId, ticketTypeId } = await start()
    const locker = await connect(name)
    const watcher = await connect(name)
    const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
    const live = await LiveClient.connect(await liveUrl(apps[1]!))
    opened.push({ end: () => live.close() })
    live.subscribe(eventId)
    await live.waitForRemaining(eventId, CAPACITY)
    const feedsBefore = await feedPids(watcher, name)
    expect(feedsBefore).toHaveLength(2)

    const buyers = await prepareBuyers(urls, eventId, BUYERS)
    // Every purchase writes its order, then waits for the event's row, which this transaction holds:
    // the connections are ended while both instances' pools are in use, each in the middle of a purchase.
    await locker.query('begin')
    await locker.query('select id from events where id = $1 for update', [eventId])
    const sale = buyAllAtOnce(buyers, eventId, ticketTypeId)
    await until(async () => {
      const { rows } = await watcher.query<{ waiting: number }>(
        `select count(*)::int as waiting from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'`,
        [name],
      )
      return rows[0]!.waiting >= 20
    })
    expect(await terminateAll(watcher, name, [lockerPid])).toBeGreaterThanOrEqual(22)
    await locker.query('rollback')
    const outcomes = await sale

    const refused = outcomes.filter((outcome) => !succeeded(outcome))
    expect(refused.length).toBeGreaterThanOrEqual(20)
    for (const outcome of refused) {
      expect(outcome.status).toBe(503)
      expect(outcome.retryAfter).toBe('10')
      expect(outcome.body).toContain('The service is briefly unavailable')
    }
    const after = await written(db, eventId, ticketTypeId)
    const sold = outcomes.filter(succeeded)
    expect(after.orders.map((order) => order.key).sort()).toEqual(sold.map((outcome) => outcome.buyer.key).sort())
    const ticketsSold = sold.reduce((sum, outcome) => sum + outcome.buyer.quantity, 0)
    expect(after).toMatchObject({
      typeSold: ticketsSold,
      eventSold: ticketsSold,
      tickets: ticketsSold,
      confirmations: sold.length,
      audited: sold.length,
    })

    for (const url of urls) expect((await fetch(`${url}/readyz`)).status).toBe(200)
    const next = await buyAllAtOnce(await prepareBuyers(urls, eventId, 2, { quantity: () => 1 }), eventId, ticketTypeId)
    expect(next.map(succeeded)).toEqual([true, true])

    // A change committed on instance A reaches a socket on instance B once B's feed LISTENs again.
    await feedsListeningAgain(watcher, name, feedsBefore)
    const remaining = CAPACITY - ticketsSold - 2
    await live.waitForRemaining(eventId, remaining)
    const fromA = await buyAllAtOnce(await prepareBuyers([urls[0]!], eventId, 1, { quantity: () => 3 }), eventId, ticketTypeId)
    expect(fromA.map(succeeded)).toEqual([true])
    expect((await live.waitForRemaining(eventId, remaining - 3)).remaining).toBe(remaining - 3)
  })

  it('reports the outage on /readyz and answers 503 while the database refuses connections, and serves again after', async () => {
    const { urls, db, name, eventId, ticketTypeId } = await start()
    const admin = await connect()
    const [buyer] = await prepareBuyers([urls[0]!], eventId, 1, { quantity: () => 2 })

    await admin.query(`alter database ${name} allow_connections false`)
    try {
      await terminateAll(admin, name)
      for (const url of urls) {
        const ready = await fetch(`${url}/readyz`)
        expect(ready.status).toBe(503)
        expect(await ready.json()).toEqual({ status: 'unavailable', database: 'unreachable' })
        expect((await fetch(`${url}/healthz`)).status).toBe(200)
      }
      const [during] = await buyAllAtOnce([buyer!], eventId, ticketTypeId)
      expect(during).toMatchObject({ status: 503, retryAfter: '10' })
      expect(during!.body).toContain('The service is briefly unavailable')
    } finally {
      await admin.query(`alter database ${name} allow_connections true`)
    }

    for (const url of urls) expect((await fetch(`${url}/readyz`)).status).toBe(200)
    // The same form sent again once the database is back.
    const [again] = await buyAllAtOnce([buyer!], eventId, ticketTypeId)
    expect(succeeded(again!)).toBe(true)
    expect(await written(db, eventId, ticketTypeId)).toMatchObject({ typeSold: 2, eventSold: 2, tickets: 2, confirmations: 1, audited: 1 })
  })
})
