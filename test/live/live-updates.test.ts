import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createPersonas } from '../helpers/personas.js'
import { cancelEvent } from '../../src/features/organiser/event.service.js'
import { quietWindow, sell, useLiveClients } from './live-client.js'

describeEachDatabase('live availability updates', (kind) => {
  const t = useTestApp(kind)
  const { connect } = useLiveClients(t)
  let ownerId: number

  beforeAll(async () => {
    ownerId = (await createPersonas(t.db)).organiser.id
  })

  /** A new event with one ticket type, followed by a fresh client that has had its first state. */
  async function followNewEvent(ticketType: { capacity: number; maxPerOrder?: number }) {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [ticketType] })
    const client = await connect()
    client.subscribe(event.id)
    await client.waitForRemaining(event.id, ticketType.capacity)
    return { event, ticketTypes, client, seen: client.messages.length }
  }

  it('sends the current state right after a subscribe', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 50, maxPerOrder: 4 }, { capacity: 5 }] })
    const client = await connect()
    client.subscribe(event.id)
    const state = await client.waitForRemaining(event.id, 50)
    expect(state).toMatchObject({ id: event.id, status: 'on_sale', statusLabel: 'On sale', remaining: 55 })
    expect(state.ticketTypes).toEqual([
      { id: ticketTypes[0]!.id, remaining: 50, soldOut: false, onSale: true, salesOpen: true, waitingList: false, maxSelectable: 4 },
      { id: ticketTypes[1]!.id, remaining: 5, soldOut: false, onSale: true, salesOpen: true, waitingList: false, maxSelectable: 5 },
    ])
  })

  it('pushes the new remaining count after a committed change is notified', async () => {
    const { event, ticketTypes, client, seen } = await followNewEvent({ capacity: 20 })

    await sell(t.app, ticketTypes[0]!.id, event.id, 3)

    const state = await client.waitForRemaining(event.id, 17, seen)
    expect(state.remaining).toBe(17)
    const row = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', ticketTypes[0]!.id).executeTakeFirstOrThrow()
    expect(row.sold).toBe(3)
  })

  it('sends nothing for a change nobody notified, as after a rolled-back purchase', async () => {
    const { ticketTypes, client, seen } = await followNewEvent({ capacity: 20 })

    await t.db.transaction().execute(async (trx) => {
      await trx.updateTable('ticketTypes').set({ sold: 5 }).where('id', '=', ticketTypes[0]!.id).execute()
    })
    await quietWindow()

    expect(client.messages.slice(seen)).toEqual([])
  })

  /** Buys through the buy form, as a buyer's browser does, and returns where the purchase sent them. */
  async function buyThroughTheForm(eventId: number, ticketTypeId: number, quantity: number): Promise<string> {
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${eventId}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
    const response = await buyer.post(`/purchase/${eventId}`, {
      key,
      [`qty_${ticketTypeId}`]: quantity,
      name: 'Bea Buyer',
      email: 'bea@example.test',
    })
    return String(response.headers.location)
  }

  it('pushes the new count after a purchase through the buy form commits', async () => {
    const { event, ticketTypes, client, seen } = await followNewEvent({ capacity: 20, maxPerOrder: 4 })

    expect(await buyThroughTheForm(event.id, ticketTypes[0]!.id, 3)).toMatch(/^\/purchase\/success\?order=/)

    expect((await client.waitForRemaining(event.id, 17, seen)).ticketTypes[0]).toMatchObject({ remaining: 17, maxSelectable: 4 })
  })

  it('sends nothing for a purchase through the buy form that is refused and rolled back', async () => {
    const { event, ticketTypes, client, seen } = await followNewEvent({ capacity: 3, maxPerOrder: 4 })
    // Changed without a notification: had the refused purchase notified, the client would be sent "2 left".
    await t.db.updateTable('ticketTypes').set({ sold: 1 }).where('id', '=', ticketTypes[0]!.id).execute()

    expect(await buyThroughTheForm(event.id, ticketTypes[0]!.id, 3)).toBe('/purchase/fail')
    await quietWindow()

    expect(client.messages.slice(seen)).toEqual([])
    expect(await t.db.selectFrom('orders').select('id').where('eventId', '=', event.id).execute()).toEqual([])
  })

  it('shows a sold-out ticket type and event, and a cancellation, to a subscribed page', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 2 }] })
    const client = await connect()
    client.subscribe(event.id)
    await client.waitForRemaining(event.id, 2)

    await sell(t.app, ticketTypes[0]!.id, event.id, 2)
    const soldOut = await client.waitForRemaining(event.id, 0)
    expect(soldOut).toMatchObject({ status: 'sold_out', statusLabel: 'Sold out', remaining: 0 })
    expect(soldOut.ticketTypes[0]).toMatchObject({ soldOut: true, onSale: false, maxSelectable: 0 })

    const seen = client.messages.length
    await t.db
      .updateTable('events')
      .set({ status: 'cancelled', cancelledAt: Date.now(), wasPublic: 1 })
      .where('id', '=', event.id)
      .execute()
    t.app.eventChanges.notify(event.id)
    const cancelled = await client.waitFor((m) => m.type === 'state' && m.event.status === 'cancelled', seen)
    expect(cancelled).toMatchObject({ event: { statusLabel: 'Cancelled' } })
  })

  it('sends no counts of what is left once the event is cancelled, though its tickets went back', async () => {
    const people = await createPersonas(t.db)
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 50 }] })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const client = await connect()
    client.subscribe(event.id)
    await client.waitForRemaining(event.id, 49)
    const seen = client.messages.length

    const actor = { userId: people.organiser.id, label: people.organiser.email, isAdmin: false, ip: null }
    expect(await cancelEvent({ db: t.db, afterCommit: t.app.afterCommit }, actor, event.id, 'http://admit-one.test')).toBeNull()
    const cancelled = await client.waitFor((m) => m.type === 'state' && m.event.status === 'cancelled', seen)
    expect(cancelled).toEqual({
      type: 'state',
      event: {
        id: event.id,
        status: 'cancelled',
        statusLabel: 'Cancelled',
        ticketTypes: [{ id: ticketTypes[0]!.id, onSale: false, salesOpen: false, waitingList: false, maxSelectable: 0 }],
      },
    })
  })

  it('re-reads the current state on a new connection, as a reconnecting page does', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 10 }] })
    const first = await connect()
    first.subscribe(event.id)
    await first.waitForRemaining(event.id, 10)
    await first.close()

    await sell(t.app, ticketTypes[0]!.id, event.id, 4)

    const again = await connect()
    again.subscribe(event.id)
    expect((await again.waitForRemaining(event.id, 6)).remaining).toBe(6)
  })

  it('stops pushing an event after an unsubscribe', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 10 }] })
    const other = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 30 }] })
    const client = await connect()
    client.subscribe(event.id, other.event.id)
    await client.waitForRemaining(event.id, 10)
    await client.waitForRemaining(other.event.id, 30)
    client.unsubscribe(event.id)
    // A subscribe sends the state again: once it is back, the server has read the unsubscribe before it.
    const before = client.messages.length
    client.subscribe(other.event.id)
    await client.waitForRemaining(other.event.id, 30, before)
    const seen = client.messages.length

    await sell(t.app, ticketTypes[0]!.id, event.id)
    await sell(t.app, other.ticketTypes[0]!.id, other.event.id)
    await client.waitForRemaining(other.event.id, 29, seen)

    expect(client.messages.slice(seen).filter((m) => m.type === 'state' && m.event.id === event.id)).toEqual([])
  })
})
