import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { auditActions, expectRedirect } from './support.js'

describeEachDatabase('POST /unpublish-event/:id', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('makes a public event a draft again, hidden from the public, its orders kept', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2 })
    const notified: number[] = []
    t.app.eventChanges.on('changed', (id) => notified.push(id))

    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/unpublish-event/${event.id}`), `/edit-event/${event.id}`)
    const row = await t.db.selectFrom('events').selectAll().where('id', '=', event.id).executeTakeFirstOrThrow()
    expect([row.status, row.publishedAt, row.sold]).toEqual(['draft', null, 2])
    // Kept as it was: a reservation still to be paid at the door.
    expect(await t.db.selectFrom('orders').select('status').where('eventId', '=', event.id).execute()).toEqual([{ status: 'pending' }])
    expect(await auditActions(t.db, 'event', event.id)).toEqual(['event.unpublished'])
    expect(notified).toEqual([event.id])
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).statusCode).toBe(404)
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('Unpublished: the event is a draft again')
  })

  it('unpublishes a scheduled event', async () => {
    const { event } = await createEvent(t.db, me.user.id, { publishedAt: Date.now() + 60 * 60 * 1000 })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/unpublish-event/${event.id}`), `/edit-event/${event.id}`)
    expect(await t.db.selectFrom('events').select(['status', 'publishedAt']).where('id', '=', event.id).executeTakeFirstOrThrow()).toEqual({
      status: 'draft',
      publishedAt: null,
    })
  })

  it('refuses a draft or a cancelled event, saying why, and changes nothing', async () => {
    for (const status of ['draft', 'cancelled'] as const) {
      const { event } = await createEvent(t.db, me.user.id, { status })
      expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/unpublish-event/${event.id}`), `/edit-event/${event.id}`)
      expect((await t.db.selectFrom('events').select('status').where('id', '=', event.id).executeTakeFirstOrThrow()).status).toBe(status)
      expect(await auditActions(t.db, 'event', event.id)).toEqual([])
      expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('Only a published or scheduled event can be unpublished.')
    }
  })
})
