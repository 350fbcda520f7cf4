import { expect, it } from 'vitest'
import { cancelEvent } from '../../src/features/organiser/event.service.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { placeOrder } from '../../src/features/purchase/purchase.service.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

const ORDERS = 30

describeEachDatabase('buyers cancelling while the organiser cancels the event', (kind) => {
  const t = useTestApp(kind)

  it('all finish without a deadlock, and every counter ends at zero', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ capacity: 100 }, { capacity: 100 }] })
    const orders = []
    for (let i = 0; i < ORDERS; i++) {
      orders.push(
        await placeOrder(t.db, {
          cart: {
            eventId: event.id,
            quantities: new Map([
              [ticketTypes[0]!.id, 1],
              [ticketTypes[1]!.id, 1],
            ]),
            seen: { currency: 'EUR', prices: new Map(ticketTypes.map((type) => [type.id, type.priceMinor])) },
            formKey: `cancel-race-key-${i}-xxxxxxxx`,
          },
          buyer: { name: `Buyer ${i}`, email: `b${i}@example.test`, browser: null },
          actor: { userId: null, label: `b${i}@example.test`, isAdmin: false, ip: null },
          settings: { currency: 'EUR', maxTicketsPerOrder: 50, siteUrl: 'http://admit-one.test' },
          channel: { kind: 'online' },
        }),
      )
    }

    const audit = { actorId: null, actorLabel: 'buyer', action: 'order.cancelled_by_buyer' }
    const actor = { userId: organiser.id, label: organiser.email, isAdmin: false, ip: null }
    const results = await Promise.allSettled([
      ...orders.map((order) =>
        cancelOrder(
          t.db,
          { id: order.id, eventId: event.id, buyerEmail: 'buyer@example.test', locale: 'en' },
          audit,
          'http://admit-one.test',
        ),
      ),
      cancelEvent({ db: t.db, afterCommit: t.app.afterCommit }, actor, event.id, 'http://admit-one.test'),
    ])

    expect(results.filter((result) => result.status === 'rejected')).toEqual([])
    const after = await t.db.selectFrom('events').select(['status', 'sold']).where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(after).toEqual({ status: 'cancelled', sold: 0 })
    const types = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).execute()
    expect(types.map((type) => type.sold)).toEqual([0, 0])
    const paid = await t.db.selectFrom('orders').select('id').where('eventId', '=', event.id).where('status', '=', 'paid').execute()
    expect(paid).toEqual([])
  })
})
