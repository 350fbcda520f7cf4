import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { FEED_APPLICATION_NAME } from '../../src/features/live/live.feed.js'
import { testConfig, type TestApp } from '../helpers/app.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { LiveClient, liveUrl, sell } from './live-client.js'
import { metric } from './metrics.js'

// Two instances share one database only on PostgreSQL; on SQLite there is one instance and no feed.
describe.skipIf(!inject('postgresUrl'))('live updates across two app instances on one PostgreSQL [postgres]', () => {
  let database: TestDatabase
  let a: TestApp
  let b: TestApp
  let urlB: string
  let ownerId: number
  const clients: LiveClient[] = []

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    a = await buildApp(testConfig(database))
    b = await buildApp(testConfig(database))
    await a.ready()
    urlB = await liveUrl(b)
    ownerId = (await createUser(a.db, 'organiser')).id
  })

  afterAll(async () => {
    await a?.close()
    await b?.close()
    await database?.drop()
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()))
  })

  async function followOnB(eventId: number, remaining: number) {
    const client = await LiveClient.connect(urlB)
    clients.push(client)
    client.subscribe(eventId)
    await client.waitForRemaining(eventId, remaining)
    return client
  }

  it('pushes a change committed and notified on instance A to a client on instance B', async () => {
    const { event, ticketTypes } = await createEvent(a.db, ownerId, { ticketTypes: [{ capacity: 25 }] })
    const client = await followOnB(event.id, 25)
    const remoteBefore = await metric(b, 'admit_one_live_remote_changes_total')

    await sell(a, ticketTypes[0]!.id, event.id, 5)

    expect((await client.waitForRemaining(event.id, 20)).remaining).toBe(20)
    expect(await metric(b, 'admit_one_live_remote_changes_total')).toBe(remoteBefore + 1)
  })

  it('notifies the first change to an event at once, and a burst after it as one more notification', async () => {
    const { event, ticketTypes } = await createEvent(a.db, ownerId, { ticketTypes: [{ capacity: 30 }] })
    const client = await followOnB(event.id, 30)
    const remoteBefore = await metric(b, 'admit_one_live_remote_changes_total')

    await sell(a, ticketTypes[0]!.id, event.id, 2)
    // As a flash sale would: many commits to one event within the coalescing window.
    for (let i = 0; i < 20; i++) a.eventChanges.notify(event.id)

    expect((await client.waitForRemaining(event.id, 28)).remaining).toBe(28)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await metric(b, 'admit_one_live_remote_changes_total')).toBe(remoteBefore + 2)
  })

  it('does not count its own notifications as changes from another instance', async () => {
    const { event, ticketTypes } = await createEvent(b.db, ownerId, { ticketTypes: [{ capacity: 8 }] })
    const client = await followOnB(event.id, 8)
    const remoteBefore = await metric(b, 'admit_one_live_remote_changes_total')

    await sell(b, ticketTypes[0]!.id, event.id)
    await client.waitForRemaining(event.id, 7)
    // A's notification is a remote change for B: once it arrives, B's own came back earlier.
    await sell(a, ticketTypes[0]!.id, event.id)
    await client.waitForRemaining(event.id, 6)

    expect(await metric(b, 'admit_one_live_remote_changes_total')).toBe(remoteBefore + 1)
  })

  it('reconnects its LISTEN connection when it drops, and resends what clients follow', async () => {
    const { event, ticketTypes } = await createEvent(a.db, ownerId, { ticketTypes: [{ capacity: 40 }] })
    const client = await followOnB(event.id, 40)

    const killed = await sql<{ killed: boolean }>`with feeds as materialized (
        select pid from pg_stat_activity where datname = current_database() and application_name = ${FEED_APPLICATION_NAME}
      ) select pg_terminate_backend(pid) as killed from feeds`.execute(a.db)
    expect(killed.rows).toEqual([{ killed: true }, { killed: true }])
    // Sold while B cannot hear it; B resends the state once it is back.
    await sell(a, ticketTypes[0]!.id, event.id, 2)
    expect((await client.waitForRemaining(event.id, 38)).remaining).toBe(38)

    // And B hears A again.
    await sell(a, ticketTypes[0]!.id, event.id, 3)
    expect((await client.waitForRemaining(event.id, 35)).remaining).toBe(35)
  })
})
