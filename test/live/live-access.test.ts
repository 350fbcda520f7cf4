import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createPersonas, type Persona } from '../helpers/personas.js'
import { quietWindow, sell, useLiveClients } from './live-client.js'
import { searchText } from '../../src/lib/search.js'

const DAY = 24 * 60 * 60 * 1000

describeEachDatabase('who may follow what live', (kind) => {
  const t = useTestApp(kind)
  const { connect } = useLiveClients(t)
  let people: Awaited<ReturnType<typeof createPersonas>>

  beforeAll(async () => {
    people = await createPersonas(t.db)
  })

  async function connectAs(person?: Persona) {
    let cookie: string | undefined
    if (person) {
      const browser = new TestBrowser(t.app)
      await browser.login(person.email, person.password)
      cookie = browser.cookieHeader()
    }
    return connect({ cookie })
  }

  it('refuses a draft to a public socket with an error and no state', async () => {
    const { event } = await createEvent(t.db, people.organiser.id, { status: 'draft' })
    const client = await connectAs()
    client.subscribe(event.id)
    const refusal = await client.waitFor((m) => m.type === 'error')
    expect(refusal).toEqual({ type: 'error', event: event.id, message: 'There is no such event.' })

    // Not followed: a later change to the draft is not pushed either.
    t.app.eventChanges.notify(event.id)
    await quietWindow()
    expect(client.messages.filter((m) => m.type === 'state')).toEqual([])
  })

  it('refuses a draft, a scheduled event and an event that does not exist in the same words, so ids cannot be probed for drafts', async () => {
    const draft = (await createEvent(t.db, people.organiser.id, { status: 'draft' })).event
    const scheduled = (await createEvent(t.db, people.organiser.id, { publishedAt: Date.now() + DAY })).event
    const client = await connectAs()
    client.subscribe(draft.id, scheduled.id, 999_999)
    const words: string[] = []
    for (const id of [draft.id, scheduled.id, 999_999]) {
      const refusal = await client.waitFor((m) => m.type === 'error' && m.event === id)
      if (refusal.type === 'error') words.push(refusal.message)
    }
    expect(words).toEqual(Array(3).fill('There is no such event.'))
    expect(client.messages.filter((m) => m.type === 'state')).toEqual([])
  })

  it('never sends sold counts or revenue to a public socket, or to another organiser', async () => {
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 10 }] })
    const anonymous = await connectAs()
    const otherOrganiser = await connectAs(people.otherOrganiser)
    for (const client of [anonymous, otherOrganiser]) client.subscribe(event.id)
    await sell(t.app, ticketTypes[0]!.id, event.id, 2)
    for (const client of [anonymous, otherOrganiser]) {
      await client.waitForRemaining(event.id, 8)
      const raw = JSON.stringify(client.messages)
      expect(raw).not.toContain('sold"')
      expect(raw).not.toContain('revenue')
    }
  })

  it("sends sold counts and revenue to the owner's socket, identified by the page session cookie", async () => {
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 10, priceMinor: 1500 }] })
    const owner = await connectAs(people.organiser)
    owner.subscribe(event.id)
    await owner.waitForRemaining(event.id, 10)

    const paid = await t.db
      .insertInto('orders')
      .values({
        code: 'LIVE000001',
        accessKey: 'key',
        idempotencyKey: `live-${event.id}`,
        eventId: event.id,
        userId: null,
        buyerName: 'Bea Buyer',
        buyerEmail: 'bea@example.test',
        searchText: searchText('LIVE000001', 'Bea Buyer', 'bea@example.test'),
        totalMinor: 3000,
        currency: 'EUR',
        status: 'paid',
        createdAt: Date.now(),
        cancelledAt: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    // Revenue is money received: the order's payment, taken at the door.
    await t.db
      .insertInto('payments')
      .values({
        orderId: paid.id,
        method: 'at-door',
        state: 'paid',
        amountMinor: 3000,
        currency: 'EUR',
        attemptKey: `live-${event.id}`,
        createdAt: Date.now(),
        paidAt: Date.now(),
      })
      .execute()
    await sell(t.app, ticketTypes[0]!.id, event.id, 2)

    const state = await owner.waitForRemaining(event.id, 8)
    expect(state).toMatchObject({ sold: 2, orders: 1, revenue: '€30.00', awaiting: '€0.00', dueAtDoor: '€0.00' })
    expect(state.ticketTypes[0]).toMatchObject({ sold: 2, remaining: 8 })
  })

  it('lets the owner and an admin follow a draft, with its figures', async () => {
    const { event } = await createEvent(t.db, people.organiser.id, { status: 'draft', ticketTypes: [{ capacity: 7 }] })
    for (const person of [people.organiser, people.admin]) {
      const client = await connectAs(person)
      client.subscribe(event.id)
      const state = await client.waitForRemaining(event.id, 7)
      expect(state).toMatchObject({ status: 'draft', sold: 0, orders: 0, revenue: '€0.00' })
    }
  })

  it('tells public sockets an unpublished event is no longer available, without figures, and resumes when it is public again', async () => {
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 10 }] })
    const client = await connectAs()
    const owner = await connectAs(people.organiser)
    client.subscribe(event.id)
    owner.subscribe(event.id)
    await client.waitForRemaining(event.id, 10)
    await owner.waitForRemaining(event.id, 10)

    await t.db.updateTable('events').set({ status: 'draft', publishedAt: null }).where('id', '=', event.id).execute()
    t.app.eventChanges.notify(event.id)
    const gone = await client.waitFor((m) => m.type === 'state' && m.event.status === 'unavailable')
    expect(gone).toEqual({
      type: 'state',
      event: { id: event.id, status: 'unavailable', statusLabel: 'No longer available', remaining: 0, ticketTypes: [] },
    })
    await owner.waitFor((m) => m.type === 'state' && m.event.status === 'draft')

    // While a draft, changes reach the owner and not the public socket.
    const seen = client.messages.length
    await sell(t.app, ticketTypes[0]!.id, event.id, 1)
    await owner.waitForRemaining(event.id, 9)
    await quietWindow()
    expect(client.messages.slice(seen)).toEqual([])

    await t.db
      .updateTable('events')
      .set({ status: 'published', publishedAt: Date.now() - 1000 })
      .where('id', '=', event.id)
      .execute()
    t.app.eventChanges.notify(event.id)
    expect(await client.waitForRemaining(event.id, 9, seen)).toMatchObject({ status: 'on_sale' })
  })
})
