import pino from 'pino'
import { beforeAll, expect, it, vi } from 'vitest'
import type { WebSocket } from 'ws'
import { LiveHub } from '../../src/features/live/live.hub.js'
import { standingSessions } from '../../src/features/live/live.sessions.js'
import { LiveSocket } from '../../src/features/live/live.socket.js'
import { loadLiveState } from '../../src/features/live/live.state.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createPersonas, createUser, type Persona } from '../helpers/personas.js'
import { type LiveClient, sell, useLiveClients } from './live-client.js'

const SESSION_ENDED = { code: 1008, reason: 'session ended' }

describeEachDatabase('live sockets after their session ends', (kind) => {
  const t = useTestApp(kind)
  const { connect } = useLiveClients(t)
  let people: Awaited<ReturnType<typeof createPersonas>>

  beforeAll(async () => {
    people = await createPersonas(t.db)
  })

  async function logIn(person: Persona) {
    const browser = new TestBrowser(t.app)
    await browser.login(person.email, person.password)
    return { browser, cookie: browser.cookieHeader() }
  }

  /** A socket of `person` following a new event of the organiser's, with sales figures in its first state. */
  async function followWithFigures(person: Persona) {
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 10 }] })
    const session = await logIn(person)
    const client = await connect({ cookie: session.cookie })
    client.subscribe(event.id)
    expect(await client.waitForRemaining(event.id, 10)).toMatchObject({ sold: 0 })
    return { ...session, client, eventId: event.id, typeId: ticketTypes[0]!.id }
  }

  function sessionsOf(userId: number) {
    return t.db.selectFrom('sessions').select('sid').where('userId', '=', userId).execute()
  }

  function figuresAfter(client: LiveClient, seen: number) {
    return client.messages.slice(seen).filter((m) => m.type === 'state' && (m.event.sold !== undefined || m.event.revenue !== undefined))
  }

  /** Reconnecting with the same cookie, as public/live.js does, shows the event without figures. */
  async function expectPublicOnReconnect(cookie: string, eventId: number, remaining: number) {
    const again = await connect({ cookie })
    again.subscribe(eventId)
    const state = await again.waitForRemaining(eventId, remaining)
    expect(state.sold).toBeUndefined()
    expect(state.revenue).toBeUndefined()
  }

  it("closes the owner's socket with 1008 once they log out, before the next figures go out", async () => {
    const owner = await followWithFigures(people.organiser)
    const seen = owner.client.messages.length
    expect((await owner.browser.submit('/', '/logout')).statusCode).toBe(303)
    expect(await sessionsOf(people.organiser.id)).toEqual([])

    await sell(t.app, owner.typeId, owner.eventId, 2)

    expect(await owner.client.waitForClose()).toEqual(SESSION_ENDED)
    expect(figuresAfter(owner.client, seen)).toEqual([])
    await expectPublicOnReconnect(owner.cookie, owner.eventId, 8)
  })

  it('closes the socket of an account an admin disables', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 5 }] })
    const owner = await logIn(organiser)
    const client = await connect({ cookie: owner.cookie })
    client.subscribe(event.id)
    await client.waitForRemaining(event.id, 5)
    const seen = client.messages.length

    const admin = await logIn(people.admin)
    expect((await admin.browser.submit('/users/list-users', `/users/${organiser.id}/disable`)).statusCode).toBe(303)
    const row = await t.db.selectFrom('users').select('status').where('id', '=', organiser.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('disabled')
    expect(await sessionsOf(organiser.id)).toEqual([])

    await sell(t.app, ticketTypes[0]!.id, event.id, 1)

    expect(await client.waitForClose()).toEqual(SESSION_ENDED)
    expect(figuresAfter(client, seen)).toEqual([])
    await expectPublicOnReconnect(owner.cookie, event.id, 4)
  })

  it("closes an admin's socket once they are no longer an admin, and shows them another's event without figures", async () => {
    const former = await createUser(t.db, 'admin')
    const watcher = await followWithFigures(former)
    const seen = watcher.client.messages.length

    const admin = await logIn(people.admin)
    expect((await admin.browser.submit('/users/list-users', `/users/${former.id}/role`, { role: 'organiser' })).statusCode).toBe(303)
    const row = await t.db.selectFrom('users').select('role').where('id', '=', former.id).executeTakeFirstOrThrow()
    expect(row.role).toBe('organiser')

    await sell(t.app, watcher.typeId, watcher.eventId, 3)

    expect(await watcher.client.waitForClose()).toEqual(SESSION_ENDED)
    expect(figuresAfter(watcher.client, seen)).toEqual([])
    // Still logged in, now as an organiser who does not own the event.
    expect(await sessionsOf(former.id)).toHaveLength(1)
    await expectPublicOnReconnect(watcher.cookie, watcher.eventId, 7)
  })

  it('keeps sending figures to a socket whose session stands, while another of the same account ends', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 9 }] })
    const [leaving, staying] = [await logIn(organiser), await logIn(organiser)]
    const clients = [await connect({ cookie: leaving.cookie }), await connect({ cookie: staying.cookie })]
    for (const client of clients) client.subscribe(event.id)
    for (const client of clients) await client.waitForRemaining(event.id, 9)

    await leaving.browser.submit('/', '/logout')
    await sell(t.app, ticketTypes[0]!.id, event.id, 4)

    expect(await clients[0]!.waitForClose()).toEqual(SESSION_ENDED)
    expect(await clients[1]!.waitForRemaining(event.id, 5)).toMatchObject({ sold: 4 })
    expect(await sessionsOf(organiser.id)).toHaveLength(1)
  })

  it('ends, at the periodic sweep, a socket whose session is gone even while its events stay quiet', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const reads = { state: (id: number) => loadLiveState(t.db, id, ['at-door']), sessions: (ids: string[]) => standingSessions(t.db, ids) }
    const counters = { messageSent: vi.fn(), stateLoaded: vi.fn(), closed: vi.fn() }
    const hub = new LiveHub(reads, counters, pino({ level: 'silent' }))

    /** A socket's server side without a network, opened under a new login of the organiser. */
    async function openSocket() {
      const before = new Set((await sessionsOf(organiser.id)).map((row) => row.sid))
      const { browser } = await logIn(organiser)
      const sid = (await sessionsOf(organiser.id)).find((row) => !before.has(row.sid))!.sid
      const ws = { OPEN: 1, readyState: 1, bufferedAmount: 0, ping: vi.fn(), terminate: vi.fn(), close: vi.fn(), send: vi.fn() }
      const user = { id: organiser.id, name: organiser.name, email: organiser.email, role: organiser.role, isDoorStaff: false }
      const socket = new LiveSocket(ws as unknown as WebSocket, { user, sessionId: sid }, '192.0.2.1')
      hub.add(socket)
      return { browser, ws, socket, sid }
    }

    try {
      const gone = await openSocket()
      const kept = await openSocket()
      await hub.sweep()
      expect(gone.ws.close).not.toHaveBeenCalled()
      expect(kept.ws.close).not.toHaveBeenCalled()

      await gone.browser.submit('/', '/logout')
      gone.socket.alive = kept.socket.alive = true // both answered the ping
      await hub.sweep()

      expect(gone.ws.close).toHaveBeenCalledWith(1008, 'session ended')
      expect(kept.ws.close).not.toHaveBeenCalled()
      expect(counters.closed).toHaveBeenCalledWith('session_ended')
      expect((await sessionsOf(organiser.id)).map((row) => row.sid)).toEqual([kept.sid])
    } finally {
      hub.close()
    }
  })
})
