import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { capacityViolations, join } from './support.js'

describeEachDatabase('seats added to a sold-out type', (kind) => {
  const t = useTestApp(kind)

  it('are offered to its waiting list first, in the same change', async () => {
    const { user, browser } = await loginAs(t, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, user.id, {
      title: 'Seated Gala',
      ticketTypes: [{ name: 'Stalls', capacity: 1 }],
    })
    const typeId = ticketTypes[0]!.id
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    const addRow = async (rows: string, seatsPerRow: string) => {
      await browser.get(`/events/${event.id}/seat-map`)
      return browser.post(`/events/${event.id}/seat-map/blocks`, {
        section: 'Stalls',
        rows,
        seatsPerRow,
        ticketTypeId: String(typeId),
        firstSeat: '1',
        aisles: '',
        wheelchair: '',
        companion: '',
        blocked: '',
      })
    }
    expect((await addRow('A', '1')).statusCode).toBe(303)
    await placeOrder(t.db, event.id, typeId)
    await join(t.app, event.id, typeId, { name: 'Sam Seated', email: 'sam@example.test', quantity: 1 })

    expect((await addRow('B', '2')).statusCode).toBe(303)
    expect(
      await t.db.selectFrom('ticketTypes').select(['capacity', 'sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow(),
    ).toEqual({
      capacity: 3,
      sold: 1,
      held: 1,
    })
    expect(
      await t.db.selectFrom('waitingListEntries').select('state').where('email', '=', 'sam@example.test').executeTakeFirstOrThrow(),
    ).toEqual({
      state: 'offered',
    })
    expect(await capacityViolations(t.db, event.id)).toEqual([])
  })
})
