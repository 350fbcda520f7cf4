import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { addSeatBlock, seatId } from '../helpers/seats.js'
import { sellAtDesk, soldOrder } from '../helpers/box-office.js'

/** The desk of a seated event: seats ticked on the same map as the buy form's, or best available, each seat sold once. */
describeEachDatabase('a seated sale at the box office', (kind) => {
  const t = useTestApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number
  let stalls: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Seated Play',
      ticketTypes: [{ name: 'Stalls', priceMinor: 4000, capacity: 1, maxPerOrder: 2 }],
    })
    eventId = event.id
    stalls = ticketTypes[0]!.id
    await addSeatBlock(t.db, organiser.user, event.id, { section: 'Stalls', rows: ['A', 'B'], seatsPerRow: 6, ticketTypeId: stalls })
  })

  async function seatsOf(orderId: number) {
    const rows = await t.db
      .selectFrom('seatBookings')
      .innerJoin('tickets', 'tickets.id', 'seatBookings.ticketId')
      .innerJoin('seats', 'seats.id', 'seatBookings.seatId')
      .select(['seats.rowLabel', 'seats.seatLabel'])
      .where('tickets.orderId', '=', orderId)
      .orderBy('seats.rowLabel')
      .orderBy('seats.seatLabel')
      .execute()
    return rows.map((row) => `${row.rowLabel}${row.seatLabel}`)
  }

  it('shows the seat map, sells the seats ticked, and shows them on the sale’s page', async () => {
    const page = await organiser.browser.get(`/events/${eventId}/box-office`)
    const a3 = await seatId(t.db, eventId, 'A', '3')
    expect(page.body).toContain(`<input type="checkbox" class="seat__box" name="seat" value="${a3}" id="seat-${a3}"`)
    expect(page.body).toContain('Stalls: best available seats')
    const a4 = await seatId(t.db, eventId, 'A', '4')
    const sold = await organiser.browser.post(`/events/${eventId}/box-office`, {
      seat: [String(a3), String(a4)],
      name: 'Seated Sue',
      payment: 'card-terminal',
    })
    expect(sold.statusCode, sold.body).toBe(303)
    const { order, payments } = await soldOrder(t.db, sold.headers.location as string)
    expect(order).toMatchObject({ status: 'paid', totalMinor: 8000, paymentMethod: 'card-terminal' })
    expect(payments).toEqual([expect.objectContaining({ amountMinor: 8000 })])
    expect(await seatsOf(order.id)).toEqual(['A3', 'A4'])
    const shown = await organiser.browser.get(sold.headers.location as string)
    expect(shown.body).toContain('Stalls, row A, seat 3')
  })

  it('sells best available seats side by side, past the type’s per-order limit', async () => {
    const sold = await sellAtDesk(organiser.browser, eventId, { [`qty_${stalls}`]: '3', name: 'Best Ben', payment: 'cash' })
    expect(sold.statusCode, sold.body).toBe(303)
    const { order } = await soldOrder(t.db, sold.headers.location as string)
    const seats = await seatsOf(order.id)
    expect(seats).toHaveLength(3)
    expect(new Set(seats.map((seat) => seat[0])).size).toBe(1)
  })

  it('refuses a seat taken since the map was shown, with the form back, the seat marked and the rest kept', async () => {
    const page = await organiser.browser.get(`/events/${eventId}/box-office`)
    expect(page.statusCode).toBe(200)
    const [b5, b6] = [await seatId(t.db, eventId, 'B', '5'), await seatId(t.db, eventId, 'B', '6')]
    // Someone else takes B5 meanwhile, at the same desk in another tab.
    const first = await sellAtDesk(organiser.browser, eventId, { seat: String(b5), name: 'Quick Quinn', payment: 'cash' })
    expect(first.statusCode).toBe(303)
    const before = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', stalls).executeTakeFirstOrThrow()
    const late = await organiser.browser.post(`/events/${eventId}/box-office`, {
      seat: [String(b5), String(b6)],
      name: 'Slow Sid',
      payment: 'cash',
      key: /name="key" value="([^"]+)"/.exec(page.body)![1]!,
    })
    expect(late.statusCode).toBe(409)
    expect(late.body).toContain('Stalls, row B, seat 5')
    expect(late.body).toContain('value="Slow Sid"')
    expect(late.body).toMatch(new RegExp(`value="${b6}" id="seat-${b6}"[^>]* checked`))
    expect(await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', stalls).executeTakeFirstOrThrow()).toEqual(before)
  })
})
