import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createPersonas } from '../helpers/personas.js'
import { quietWindow, sell, useLiveClients } from './live-client.js'
import { metric } from './metrics.js'

describeEachDatabase('live updates under a storm of changes', (kind) => {
  const t = useTestApp(kind)
  const { connect } = useLiveClients(t)
  let ownerId: number

  beforeAll(async () => {
    ownerId = (await createPersonas(t.db)).organiser.id
  })

  it('sends fewer messages than changes, the last one carrying the latest state', async () => {
    const changes = 20
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 100 }] })
    const client = await connect()
    client.subscribe(event.id)
    await client.waitForRemaining(event.id, 100)
    const seen = client.messages.length

    // Spread over about a second, as purchases arrive, rather than all inside one round.
    for (let i = 0; i < changes; i++) {
      await sell(t.app, ticketTypes[0]!.id, event.id)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    await client.waitForRemaining(event.id, 100 - changes, seen)
    await quietWindow()
    const received = client.messages.slice(seen)
    expect(received.length).toBeLessThan(changes)
    expect(received.at(-1)).toMatchObject({ type: 'state', event: { remaining: 100 - changes } })
    const counts = received.map((m) => (m.type === 'state' ? m.event.remaining : -1))
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
  })

  it('reads the state once per round, however many sockets follow the event', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 10 }] })
    const followers = await Promise.all([1, 2, 3, 4, 5].map(() => connect()))
    for (const client of followers) client.subscribe(event.id)
    for (const client of followers) await client.waitForRemaining(event.id, 10)
    await quietWindow()
    const reads = await metric(t.app, 'admit_one_live_state_reads_total')
    const sent = await metric(t.app, 'admit_one_live_messages_sent_total')

    await sell(t.app, ticketTypes[0]!.id, event.id)
    for (const client of followers) await client.waitForRemaining(event.id, 9)

    expect(await metric(t.app, 'admit_one_live_state_reads_total')).toBe(reads + 1)
    expect(await metric(t.app, 'admit_one_live_messages_sent_total')).toBe(sent + followers.length)
  })
})
