import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { addSeatBlock, seatId } from '../helpers/seats.js'
import { expectRedirect } from '../events/support.js'

/**
 * The buyer's cancellation and the organiser's cancellation of the event give
 * back the same things through one release: tickets to every capacity, and seats.
 */
describeEachDatabase('releasing what cancelled orders held', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  async function seatedEventWithOrders() {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      capacity: 100,
      ticketTypes: [
        { name: 'Stalls', priceMinor: 4000, capacity: 1, maxPerOrder: 4 },
        { name: 'Standing', priceMinor: 1000, capacity: 20, maxPerOrder: 4 },
      ],
    })
    const [stalls, standing] = [ticketTypes[0]!.id, ticketTypes[1]!.id]
    await addSeatBlock(t.db, me.user, event.id, { section: 'Stalls', rows: ['A'], seatsPerRow: 6, ticketTypeId: stalls })
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const seats = [String(await seatId(t.db, event.id, 'A', '2')), String(await seatId(t.db, event.id, 'A', '3'))]
    const bought = await buyer.submit(`/buy-tickets/${event.id}`, `/purchase/${event.id}`, {
      seat: seats,
      [`qty_${standing}`]: '3',
      name: 'Sam Seat',
      email: 'sam@example.test',
    })
    expectRedirect(bought, /^\/purchase\/success/)
    return { event, stalls, standing }
  }

  it('frees the seats and the tickets of every order when the organiser cancels the event', async () => {
    const { event, stalls, standing } = await seatedEventWithOrders()
    expect(await t.db.selectFrom('seatBookings').select('seatId').where('eventId', '=', event.id).execute()).toHaveLength(2)

    expectRedirect(await me.browser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`), `/edit-event/${event.id}`)

    expect(await t.db.selectFrom('seatBookings').select('seatId').where('eventId', '=', event.id).execute()).toEqual([])
    expect(await t.db.selectFrom('events').select(['sold', 'held']).where('id', '=', event.id).executeTakeFirstOrThrow()).toEqual({
      sold: 0,
      held: 0,
    })
    const types = await t.db
      .selectFrom('ticketTypes')
      .select(['id', 'sold', 'held'])
      .where('eventId', '=', event.id)
      .orderBy('id')
      .execute()
    expect(types).toEqual([
      { id: stalls, sold: 0, held: 0 },
      { id: standing, sold: 0, held: 0 },
    ])
    expect(await t.db.selectFrom('orders').select('status').where('eventId', '=', event.id).execute()).toEqual([{ status: 'cancelled' }])
  })
})
