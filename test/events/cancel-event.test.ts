import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { auditActions, auditDetails, expectRedirect } from './support.js'

describeEachDatabase('GET /events/:id/cancel and POST /cancel-event/:id', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('asks first, saying how many orders go with it', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const page = await me.browser.get(`/events/${event.id}/cancel`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('All 2 orders are marked cancelled')
    expect(page.body).toContain(`action="/cancel-event/${event.id}"`)
  })

  it('cancels the event and every order at once, gives the tickets back, and keeps the page public with a notice', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: 'A' }, { name: 'B' }] })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2 })
    await placeOrder(t.db, event.id, ticketTypes[1]!.id, { quantity: 1 })
    await placeOrder(t.db, event.id, ticketTypes[1]!.id, { status: 'cancelled' })
    const notified: number[] = []
    t.app.eventChanges.on('changed', (id) => notified.push(id))

    expectRedirect(await me.browser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`), `/edit-event/${event.id}`)
    const row = await t.db.selectFrom('events').selectAll().where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('cancelled')
    expect(row.cancelledAt).not.toBeNull()
    expect(row.publishedAt).toBe(event.publishedAt)
    expect(row.sold).toBe(0)
    const orders = await t.db.selectFrom('orders').select(['status', 'cancelledAt']).where('eventId', '=', event.id).execute()
    expect(orders).toHaveLength(3)
    expect(orders.every((order) => order.status === 'cancelled' && order.cancelledAt !== null)).toBe(true)
    expect(
      (await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).execute()).map((type) => type.sold),
    ).toEqual([0, 0])
    expect(await auditActions(t.db, 'event', event.id)).toEqual(['event.cancelled'])
    const audit = await auditDetails(t.db, 'event.cancelled', event.id)
    expect(audit).toEqual({ ordersCancelled: 2 })
    expect(notified).toEqual([event.id])

    const publicPage = await new TestBrowser(t.app).get(`/event/${event.id}`)
    expect(publicPage.statusCode).toBe(200)
    expect(publicPage.body).toContain('cancelled')
    expect((await me.browser.get('/organiser')).body).toMatch(
      new RegExp(`data-live-event="${event.id}"[\\s\\S]*?data-live-status="cancelled">Cancelled<`),
    )
  })

  it('keeps an event that was never public out of sight', async () => {
    const { event } = await createEvent(t.db, me.user.id, { publishedAt: Date.now() + 24 * 60 * 60 * 1000 })
    expectRedirect(await me.browser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`), `/edit-event/${event.id}`)
    expect(
      await t.db.selectFrom('events').select(['status', 'publishedAt', 'wasPublic']).where('id', '=', event.id).executeTakeFirstOrThrow(),
    ).toEqual({
      status: 'cancelled',
      publishedAt: null,
      wasPublic: 0,
    })
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).statusCode).toBe(404)
  })

  it("shows no counts and no way to buy on a cancelled event's page, only what the tickets were", async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      ticketTypes: [{ name: 'Standard', capacity: 50, salesEndAt: Date.now() + 20 * 24 * 60 * 60 * 1000 }],
    })
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    expectRedirect(await me.browser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`), `/edit-event/${event.id}`)

    for (const path of [`/event/${event.id}`, `/buy-tickets/${event.id}`]) {
      const page = await new TestBrowser(t.app).get(path)
      expect(page.statusCode, path).toBe(200)
      expect(page.body).toContain('This event has been cancelled.')
      expect(page.body, path).not.toMatch(/\d+ left|Sold out|Available|On sale until/)
      expect(page.body).not.toContain('data-live-remaining')
      expect(page.body).not.toContain(`href="/buy-tickets/${event.id}"`)
      expect(page.body).not.toContain('waiting-list')
    }
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).body, 'what the tickets were').toMatch(/Standard[\s\S]*€25\.00/)
    const preview = await me.browser.get(`/events/${event.id}/preview`)
    expect(preview.body).not.toMatch(/\d+ left|Available/)
  })

  it('keeps a public page with the notice for an event cancelled after it was unpublished, whether it had orders or not', async () => {
    const sold = await createEvent(t.db, me.user.id, { title: 'Sold Then Hidden' })
    await placeOrder(t.db, sold.event.id, sold.ticketTypes[0]!.id, { buyerEmail: 'kept@example.test' })
    const seen = await createEvent(t.db, me.user.id, { title: 'Seen Then Hidden' })
    for (const { event } of [sold, seen]) {
      expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/unpublish-event/${event.id}`), `/edit-event/${event.id}`)
      expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).statusCode, 'an unpublished event is hidden').toBe(404)
      expectRedirect(await me.browser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`), `/edit-event/${event.id}`)

      const row = await t.db.selectFrom('events').select(['status', 'wasPublic']).where('id', '=', event.id).executeTakeFirstOrThrow()
      expect(row).toEqual({ status: 'cancelled', wasPublic: 1 })
      const page = await new TestBrowser(t.app).get(`/event/${event.id}`)
      expect(page.statusCode, event.title).toBe(200)
      expect(page.body).toContain('This event has been cancelled.')
      expect(page.body).not.toContain('Only you can see this page')
      expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain(`href="/event/${event.id}">Public page</a>`)
    }
  })

  it('keeps private a scheduled event that was unpublished before its time, then cancelled', async () => {
    const { event } = await createEvent(t.db, me.user.id, { publishedAt: Date.now() + 24 * 60 * 60 * 1000 })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/unpublish-event/${event.id}`), `/edit-event/${event.id}`)
    expectRedirect(await me.browser.submit(`/events/${event.id}/cancel`, `/cancel-event/${event.id}`), `/edit-event/${event.id}`)
    expect(await t.db.selectFrom('events').select('wasPublic').where('id', '=', event.id).executeTakeFirstOrThrow()).toEqual({
      wasPublic: 0,
    })
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).statusCode).toBe(404)
    expect((await new TestBrowser(t.app).get('/attendee')).body).not.toContain(`/event/${event.id}"`)
  })

  it('refuses to cancel twice', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'cancelled' })
    expectRedirect(await me.browser.post(`/cancel-event/${event.id}`), `/edit-event/${event.id}`)
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('This event is already cancelled.')
    expect(await auditActions(t.db, 'event', event.id)).toEqual([])
  })
})
