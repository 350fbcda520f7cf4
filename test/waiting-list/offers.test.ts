import { expect, it } from 'vitest'
import { createDatabase } from '../../src/db/database.js'
import { settleAll } from '../../src/features/upkeep/settle.js'
import { joinWaitingList } from '../../src/features/waiting-list/waiting-list.service.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { cancelAsBuyer, capacityViolations, soldOutEvent } from './support.js'

describeEachDatabase('offers of freed tickets', (kind) => {
  const t = useTestApp(kind)

  async function listedEvent(fixture: Parameters<typeof createEvent>[2]) {
    const owner = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, owner.id, fixture)
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    return { eventId: event.id, types: ticketTypes.map((type) => type.id) }
  }

  function joinAs(eventId: number, ticketTypeId: number, email: string, quantity = 1) {
    return joinWaitingList(t.db, { eventId, ticketTypeId, name: email, email, quantity, siteUrl: 'http://admit-one.test' })
  }

  const stateOf = async (email: string) =>
    (await t.db.selectFrom('waitingListEntries').select('state').where('email', '=', email).executeTakeFirstOrThrow()).state

  it("go in the order people joined across ticket types, within the event's overall capacity", async () => {
    const { eventId, types } = await listedEvent({
      capacity: 2,
      ticketTypes: [
        { name: 'A', capacity: 5 },
        { name: 'B', capacity: 5 },
      ],
    })
    const a = await placeOrder(t.db, eventId, types[0]!)
    const b = await placeOrder(t.db, eventId, types[1]!)
    expect(await joinAs(eventId, types[1]!, 'bea@example.test')).toEqual({ joined: true })
    expect(await joinAs(eventId, types[0]!, 'abe@example.test')).toEqual({ joined: true })

    // A ticket of type A comes back: the overall capacity it frees goes to Bea, who joined first for B.
    await cancelAsBuyer(t.app, t.db, a.id)
    expect([await stateOf('bea@example.test'), await stateOf('abe@example.test')]).toEqual(['offered', 'waiting'])
    await cancelAsBuyer(t.app, t.db, b.id)
    expect(await stateOf('abe@example.test')).toBe('offered')
    expect(await capacityViolations(t.db, eventId)).toEqual([])
  })

  it('keep the place of a person whose type has no room while a later person of a type with room is offered', async () => {
    const { eventId, types } = await listedEvent({
      ticketTypes: [
        { name: 'A', capacity: 1 },
        { name: 'B', capacity: 1 },
      ],
    })
    await placeOrder(t.db, eventId, types[0]!)
    const b = await placeOrder(t.db, eventId, types[1]!)
    await joinAs(eventId, types[0]!, 'first-a@example.test')
    await joinAs(eventId, types[1]!, 'second-b@example.test')
    await cancelAsBuyer(t.app, t.db, b.id)
    expect([await stateOf('first-a@example.test'), await stateOf('second-b@example.test')]).toEqual(['waiting', 'offered'])
  })

  // Two instances on PostgreSQL; on SQLite, which serves one instance, four rounds of one.
  it('are released once when several senders release the same expired offers at once', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 10 })
    for (let i = 0; i < 20; i++) await joinAs(eventId, typeId, `waiter${i}@example.test`)
    for (const order of orders) await cancelAsBuyer(t.app, t.db, order.id)
    await t.db
      .updateTable('waitingListEntries')
      .set({ offerExpiresAt: Date.now() - 1 })
      .where('state', '=', 'offered')
      .where('eventId', '=', eventId)
      .execute()
    const other = kind === 'postgres' ? createDatabase(t.database.url).db : t.db
    try {
      await Promise.all([settleAll(t.db), settleAll(other), settleAll(t.db), settleAll(other)])
    } finally {
      if (other !== t.db) await other.destroy()
    }
    const entries = await t.db
      .selectFrom('waitingListEntries')
      .select(['email', 'state'])
      .where('eventId', '=', eventId)
      .orderBy('id')
      .execute()
    expect(entries.map((entry) => entry.state)).toEqual([...Array(10).fill('expired'), ...Array(10).fill('offered')])
    expect(await capacityViolations(t.db, eventId)).toEqual([])
    const expiredMails = await t.db
      .selectFrom('outbox')
      .select('recipient')
      .where('kind', '=', 'waiting-list-expired')
      .where('recipient', 'like', 'waiter%')
      .execute()
    expect(expiredMails.map((mail) => mail.recipient).sort()).toEqual(
      entries
        .slice(0, 10)
        .map((entry) => entry.email)
        .sort(),
    )
  })
})
