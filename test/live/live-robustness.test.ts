import { beforeAll, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { buildApp } from '../../src/app.js'
import { LIMITS } from '../../src/features/live/live.protocol.js'
import { testConfig, useTestApp } from '../helpers/app.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createPersonas } from '../helpers/personas.js'
import { LiveClient, liveUrl, useLiveClients } from './live-client.js'

describeEachDatabase('live sockets that misbehave', (kind) => {
  const t = useTestApp(kind)
  const live = useLiveClients(t)
  const { connect } = live
  let eventId: number

  beforeAll(async () => {
    const { organiser } = await createPersonas(t.db)
    eventId = (await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 12 }] })).event.id
  })

  /** After any refusal the server still serves a well-behaved client. */
  async function expectStillServing() {
    const client = await connect()
    client.subscribe(eventId)
    await client.waitForRemaining(eventId, 12)
  }

  const refusals: [string, unknown, number, string][] = [
    ['text that is not JSON', 'subscribe me', 1003, 'messages must be JSON'],
    ['JSON that is not an object', '[1,2]', 1008, 'messages must be JSON objects'],
    ['an unknown message type', { type: 'buy', events: [1] }, 1008, 'type must be subscribe or unsubscribe'],
    ['event ids that are not ids', { type: 'subscribe', events: ['1', -2, 1.5] }, 1008, 'events must be a list of event ids'],
    ['no event list', { type: 'subscribe' }, 1008, 'events must be a list of event ids'],
  ]
  for (const [what, message, code, reason] of refusals) {
    it(`closes the socket with ${code} and a reason for ${what}`, async () => {
      const client = await connect()
      client.send(message)
      expect(await client.closed).toEqual({ code, reason })
      await expectStillServing()
    })
  }

  it('closes the socket with 1003 for a binary message', async () => {
    const client = await connect()
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await client.closed).toEqual({ code: 1003, reason: 'binary messages are not accepted' })
    await expectStillServing()
  })

  it('closes the socket with 1009 for a message over the size limit', async () => {
    const client = await connect()
    client.send({ type: 'subscribe', events: [eventId], padding: 'x'.repeat(LIMITS.maxMessageBytes) })
    expect((await client.closed).code).toBe(1009)
    await expectStillServing()
  })

  it('closes the socket with 1008 when it follows more events than allowed', async () => {
    const client = await connect()
    const ids = Array.from({ length: LIMITS.maxSubscriptions }, (_, i) => i + 1_000)
    client.subscribe(...ids)
    client.subscribe(eventId)
    expect(await client.closed).toEqual({ code: 1008, reason: 'too many subscriptions' })
    await expectStillServing()
  })

  it('closes the socket with 1008 when it floods the server with messages', async () => {
    const client = await connect()
    for (let i = 0; i <= LIMITS.messageBurst; i++) client.subscribe(eventId)
    expect(await client.closed).toEqual({ code: 1008, reason: 'too many messages' })
    await expectStillServing()
  })

  it('refuses connections beyond the limit for one address', async () => {
    const admitted = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerIp }, () => connect()))
    const refused = await connect()
    expect(await refused.closed).toEqual({ code: 1008, reason: 'too many connections from your address' })
    await admitted[0]!.close()
    await expectStillServing()
  })

  it('shows open sockets and messages sent at /metrics', async () => {
    const client = await connect()
    client.subscribe(eventId)
    await client.waitForRemaining(eventId, 12)

    const local = await t.app.inject('/metrics')
    expect(local.statusCode).toBe(200)
    expect(local.headers['content-type']).toContain('text/plain')
    expect(local.body).toMatch(/^admit_one_live_sockets_open [1-9]\d*$/m)
    expect(local.body).toMatch(/^admit_one_live_messages_sent_total [1-9]\d*$/m)
    expect(local.body).toContain('# TYPE admit_one_live_messages_sent_total counter')
  })

  it('answers an upgrade to a page that is not /live without opening a socket', async () => {
    const ws = new WebSocket(live.url.replace('/live', '/no-such-page'))
    const failure = await new Promise<Error>((resolve) => ws.once('error', resolve))
    expect(failure.message).toContain('404')
  })
})

describeEachDatabase('live sockets at shutdown', (kind) => {
  it('are closed with 1001 so that pages reconnect to another instance', async () => {
    const database = await createTestDatabase(kind)
    const app = await buildApp(testConfig(database))
    try {
      const client = await LiveClient.connect(await liveUrl(app))
      await app.close()
      expect(await client.closed).toEqual({ code: 1001, reason: 'server restarting' })
    } finally {
      await app.close()
      await database.drop()
    }
  })
})
