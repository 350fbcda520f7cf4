import { beforeAll, expect, it } from 'vitest'
import { toEvent } from '../../src/features/events/event.model.js'
import { isPublic } from '../../src/features/events/event.rules.js'
import { instantToLocalInput } from '../../src/lib/time.js'
import { TestBrowser } from '../helpers/browser.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { createPersonas } from '../helpers/personas.js'
import { DAY, ZONE, addTicketType, auditActions, createDraft, expectRedirect, ticketTypeFields } from './support.js'

/**
 * The "Done when", through the HTML forms: draft with two ticket
 * types, preview, schedule, live at the set time, a capacity edit (refused
 * below sold), unpublish, cancel, export; a second organiser sees none of it.
 */
describeEachDatabase('an organiser takes an event from draft to cancelled', (kind) => {
  const t = useTestApp(kind)
  let personas: Awaited<ReturnType<typeof createPersonas>>
  const notified: number[] = []

  beforeAll(async () => {
    personas = await createPersonas(t.db)
    t.app.eventChanges.on('changed', (id) => notified.push(id))
  })

  it('works end to end', async () => {
    const { browser } = await loginAs(t, personas.organiser)
    const anonymous = new TestBrowser(t.app)
    const eventRow = async () => toEvent(await t.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow())

    // A draft with two ticket types.
    const id = await createDraft(browser, { title: 'Harbour Festival' })
    await addTicketType(browser, id, { name: 'Standard', price: '25.00', capacity: '100' })
    await addTicketType(browser, id, { name: 'Student', price: '12.50', capacity: '50', maxPerOrder: '2' })
    const types = await t.db.selectFrom('ticketTypes').selectAll().where('eventId', '=', id).orderBy('id').execute()
    expect(types.map((type) => [type.name, type.priceMinor, type.capacity, type.maxPerOrder])).toEqual([
      ['Standard', 2500, 100, 10],
      ['Student', 1250, 50, 2],
    ])
    expect((await anonymous.get(`/event/${id}`)).statusCode).toBe(404)

    // The preview shows it as attendees will see it.
    const preview = await browser.get(`/events/${id}/preview`)
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('class="preview-banner"')
    expect(preview.body).toContain('Harbour Festival')
    expect(preview.body).toContain('€25.00')
    expect(preview.body).toContain('€12.50')

    // Scheduled: published, but not public until the set time.
    const goesLive = Date.now() + 2 * DAY
    expectRedirect(
      await browser.submit(`/edit-event/${id}`, `/publish-event/${id}`, { when: 'later', publishAt: instantToLocalInput(goesLive, ZONE) }),
      `/edit-event/${id}`,
    )
    let event = await eventRow()
    expect(event.status).toBe('published')
    expect(event.publishedAt).toBeGreaterThan(Date.now())
    expect(isPublic(event)).toBe(false)
    expect((await anonymous.get(`/event/${id}`)).statusCode).toBe(404)

    // Time passes: nothing has to run for it to go live.
    await t.db
      .updateTable('events')
      .set({ publishedAt: Date.now() - 60_000 })
      .where('id', '=', id)
      .execute()
    event = await eventRow()
    expect(isPublic(event)).toBe(true)
    const live = await anonymous.get(`/event/${id}`)
    expect(live.statusCode).toBe(200)
    expect(live.body).toContain('Harbour Festival')

    // Sales happen; a capacity below them is refused, one above is saved.
    const standard = types[0]!
    await placeOrder(t.db, id, standard.id, { quantity: 3, buyerName: 'Ada Buyer' })
    const refused = await browser.submit(
      `/ticket-types/${standard.id}/edit`,
      `/ticket-types/${standard.id}/edit`,
      ticketTypeFields({ capacity: '2' }),
    )
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('3 tickets of this type are already sold, so its capacity cannot be lower than 3.')
    expect(refused.body).toContain('value="2"')
    expect((await t.db.selectFrom('ticketTypes').select('capacity').where('id', '=', standard.id).executeTakeFirstOrThrow()).capacity).toBe(
      100,
    )
    expectRedirect(
      await browser.submit(`/ticket-types/${standard.id}/edit`, `/ticket-types/${standard.id}/edit`, ticketTypeFields({ capacity: '3' })),
      `/edit-event/${id}#ticket-types`,
    )
    expect((await t.db.selectFrom('ticketTypes').select('capacity').where('id', '=', standard.id).executeTakeFirstOrThrow()).capacity).toBe(
      3,
    )

    // Unpublished: hidden again, the order kept.
    expectRedirect(await browser.submit(`/edit-event/${id}`, `/unpublish-event/${id}`), `/edit-event/${id}`)
    event = await eventRow()
    expect([event.status, event.publishedAt]).toEqual(['draft', null])
    expect((await anonymous.get(`/event/${id}`)).statusCode).toBe(404)
    // Kept as it was: a reservation still to be paid at the door.
    expect(await t.db.selectFrom('orders').select('status').where('eventId', '=', id).execute()).toEqual([{ status: 'pending' }])

    // Cancelled: the orders with it.
    expectRedirect(await browser.submit(`/events/${id}/cancel`, `/cancel-event/${id}`), `/edit-event/${id}`)
    event = await eventRow()
    expect(event.status).toBe('cancelled')
    expect(event.cancelledAt).not.toBeNull()
    expect(await t.db.selectFrom('orders').select('status').where('eventId', '=', id).execute()).toEqual([{ status: 'cancelled' }])

    // The export still lists who had tickets.
    const csv = await browser.get(`/events/${id}/attendees.csv`)
    expect(csv.statusCode).toBe(200)
    expect(csv.body.split('\r\n').filter((line) => line.includes('Ada Buyer'))).toHaveLength(3)

    expect(await auditActions(t.db, 'event', id)).toEqual(['event.created', 'event.scheduled', 'event.unpublished', 'event.cancelled'])
    // Two ticket types, schedule, one saved capacity, unpublish, cancel: never the refused edit.
    expect(notified.filter((changed) => changed === id)).toHaveLength(6)

    // A second organiser sees none of it.
    const { browser: other } = await loginAs(t, personas.otherOrganiser)
    for (const url of [`/edit-event/${id}`, `/events/${id}/preview`, `/events/${id}/orders`, `/events/${id}/attendees.csv`]) {
      expect((await other.get(url)).statusCode, url).toBe(404)
    }
    expect((await other.get('/organiser')).body).not.toContain('Harbour Festival')
  })
})
