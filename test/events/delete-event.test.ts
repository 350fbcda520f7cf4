import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { auditActions, expectRedirect } from './support.js'

describeEachDatabase('GET /events/:id/delete and POST /delete-event/:id', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('deletes an event nobody ordered from, with its ticket types, and audits it', async () => {
    const { event } = await createEvent(t.db, me.user.id, { title: 'Gone Soon', ticketTypes: [{}, {}] })
    const page = await me.browser.get(`/events/${event.id}/delete`)
    expect(page.body).toContain(`action="/delete-event/${event.id}"`)
    expectRedirect(await me.browser.post(`/delete-event/${event.id}`), '/organiser')
    expect(await t.db.selectFrom('events').select('id').where('id', '=', event.id).execute()).toEqual([])
    expect(await t.db.selectFrom('ticketTypes').select('id').where('eventId', '=', event.id).execute()).toEqual([])
    expect(await auditActions(t.db, 'event', event.id)).toEqual(['event.deleted'])
    expect((await me.browser.get('/organiser')).body).toContain('“Gone Soon” is deleted.')
    expect((await me.browser.get(`/edit-event/${event.id}`)).statusCode).toBe(404)
  })

  it('refuses an event with orders, even cancelled ones, and offers to cancel instead', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { status: 'cancelled' })
    const page = await me.browser.get(`/events/${event.id}/delete`)
    expect(page.body).not.toContain(`action="/delete-event/${event.id}"`)
    expect(page.body).toContain(`href="/events/${event.id}/cancel"`)
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).not.toContain(`href="/events/${event.id}/delete"`)

    expectRedirect(await me.browser.post(`/delete-event/${event.id}`), `/events/${event.id}/delete`)
    expect(await t.db.selectFrom('events').select('id').where('id', '=', event.id).execute()).toHaveLength(1)
    expect(await auditActions(t.db, 'event', event.id)).toEqual([])
    const after = await me.browser.get(`/events/${event.id}/delete`)
    expect(after.body).toContain('This event has an order, so it cannot be deleted. Cancel it instead')
  })
})
