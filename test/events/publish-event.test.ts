import { beforeAll, expect, it } from 'vitest'
import { publishEvent } from '../../src/features/organiser/event.service.js'
import { eventRefusalText } from '../../src/features/organiser/event.refusals.js'
import { instantToLocalInput } from '../../src/lib/time.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { auditActions, createDraft, DAY, expectRedirect, ZONE } from './support.js'

describeEachDatabase('POST /publish-event/:id', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')
  const notified: number[] = []

  beforeAll(async () => {
    t.app.eventChanges.on('changed', (id) => notified.push(id))
  })

  const eventRow = (id: number) => t.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('publishes now: status published, publishedAt now, audited, live pages told', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft' })
    const before = Date.now()
    expectRedirect(
      await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'now' }),
      `/edit-event/${event.id}`,
    )
    const row = await eventRow(event.id)
    expect(row.status).toBe('published')
    expect(row.publishedAt).toBeGreaterThanOrEqual(before)
    expect(row.publishedAt).toBeLessThanOrEqual(Date.now())
    expect(await auditActions(t.db, 'event', event.id)).toEqual(['event.published'])
    expect(notified).toContain(event.id)
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('Published: the event is on sale now.')
  })

  it('publishes now from the dashboard button', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', title: 'Dashboard Publish' })
    const dashboard = await me.browser.get('/organiser')
    expect(dashboard.body).toContain(`action="/publish-event/${event.id}"`)
    expectRedirect(await me.browser.post(`/publish-event/${event.id}`, { when: 'now' }), `/edit-event/${event.id}`)
    expect((await eventRow(event.id)).status).toBe('published')
  })

  it('schedules for a moment in the future, read in the event time zone', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', timeZone: ZONE, startsAt: Date.UTC(2099, 5, 12, 16, 0) })
    const response = await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, {
      when: 'later',
      publishAt: '2099-03-01T10:00',
    })
    expectRedirect(response, `/edit-event/${event.id}`)
    const row = await eventRow(event.id)
    expect(row.status).toBe('published')
    expect(row.publishedAt).toBe(Date.UTC(2099, 2, 1, 9, 0))
    expect(await auditActions(t.db, 'event', event.id)).toEqual(['event.scheduled'])
    const page = await me.browser.get(`/edit-event/${event.id}`)
    expect(page.body).toContain('Scheduled: the event goes on sale')
    expect(page.body).toContain('Goes on sale')
  })

  it('shows the schedule as it stands: "At a set time" chosen, with the set time, so that the button does not publish at once', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', timeZone: ZONE, startsAt: Date.UTC(2099, 5, 12, 16, 0) })
    expectRedirect(
      await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'later', publishAt: '2099-03-01T10:00' }),
      `/edit-event/${event.id}`,
    )
    const page = await me.browser.get(`/edit-event/${event.id}`)
    expect(page.body).toMatch(/<input type="radio" id="f-when-later" name="when" value="later" checked>/)
    expect(page.body).toMatch(/<input type="radio" id="f-when-now" name="when" value="now">/)
    expect(page.body).toMatch(/id="f-publishAt" name="publishAt" type="datetime-local" value="2099-03-01T10:00"/)

    // Sent as the page shows it, the form keeps the schedule.
    const form = { when: /id="f-when-later"[^>]* checked/.test(page.body) ? 'later' : 'now', publishAt: '2099-03-01T10:00' }
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, form), `/edit-event/${event.id}`)
    expect((await eventRow(event.id)).publishedAt).toBe(Date.UTC(2099, 2, 1, 9, 0))

    const draft = await me.browser.get(`/edit-event/${(await createEvent(t.db, me.user.id, { status: 'draft' })).event.id}`)
    expect(draft.body, 'a draft offers "Now" first').toMatch(/id="f-when-now" name="when" value="now" checked>/)
  })

  it('refuses a scheduled moment in the past or missing, with 422 and the value kept', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft' })
    const past = instantToLocalInput(Date.now() - DAY, event.timeZone)
    const response = await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'later', publishAt: past })
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-publishAt-error".*Choose a moment in the future/)
    expect(response.body).toContain(`value="${past}"`)
    expect(response.body).toMatch(/id="f-when-later"[^>]* checked/)
    const missing = await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'later', publishAt: '' })
    expect(missing.statusCode).toBe(422)
    expect(missing.body).toContain('Enter when the event should go on sale.')
    expect(await eventRow(event.id)).toMatchObject({ status: 'draft', publishedAt: null })
  })

  it('refuses a scheduled moment at or after the event’s end, next to the field', async () => {
    const endsAt = Date.UTC(2099, 5, 12, 21, 30)
    const { event } = await createEvent(t.db, me.user.id, {
      status: 'draft',
      timeZone: ZONE,
      startsAt: endsAt - 3 * 60 * 60 * 1000,
      endsAt,
    })
    for (const publishAt of ['2099-06-12T23:30', '2099-06-13T09:00']) {
      const response = await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'later', publishAt })
      expect(response.statusCode).toBe(422)
      expect(response.body).toMatch(/id="f-publishAt-error".*The event ends Fri, 12 Jun 2099, 23:30 CEST: choose a moment before that\./)
      expect(response.body).toContain(`value="${publishAt}"`)
    }
    expect(await eventRow(event.id)).toMatchObject({ status: 'draft', publishedAt: null })
    expectRedirect(
      await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'later', publishAt: '2099-06-12T23:29' }),
      `/edit-event/${event.id}`,
    )
    expect((await eventRow(event.id)).publishedAt).toBe(endsAt - 60_000)
  })

  it('refuses in the transaction too, on the end as it is then, when the form was read against an older one', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft' })
    const actor = { userId: me.user.id, label: me.user.email, isAdmin: false, ip: null }
    const refusal = await publishEvent({ db: t.db, afterCommit: t.app.afterCommit }, actor, event.id, event.endsAt)
    expect(refusal && eventRefusalText(refusal)).toBe(
      'This event ends before that moment, so it could never go on sale. Choose an earlier moment.',
    )
    expect(await eventRow(event.id)).toMatchObject({ status: 'draft', publishedAt: null })
    expect(await auditActions(t.db, 'event', event.id)).toEqual([])
  })

  it('refuses publishing an event that has ended', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', startsAt: Date.now() - 2 * DAY, endsAt: Date.now() - DAY })
    const response = await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'now' })
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-when-error".*This event has ended, so it can no longer go on sale\./)
    expect(await eventRow(event.id)).toMatchObject({ status: 'draft', publishedAt: null })
    expect(await auditActions(t.db, 'event', event.id)).toEqual([])
  })

  it('refuses an event without ticket types, saying why', async () => {
    const id = await createDraft(me.browser)
    const response = await me.browser.submit(`/edit-event/${id}`, `/publish-event/${id}`, { when: 'now' })
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('Add at least one ticket type before publishing.')
    expect(await eventRow(id)).toMatchObject({ status: 'draft', publishedAt: null })
    expect(await auditActions(t.db, 'event', id)).toEqual(['event.created'])
  })

  it('lets a scheduled event be published now, but never pushes a public one back into the future', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'published', publishedAt: Date.now() + DAY })
    expectRedirect(
      await me.browser.submit(`/edit-event/${event.id}`, `/publish-event/${event.id}`, { when: 'now' }),
      `/edit-event/${event.id}`,
    )
    const publishedAt = (await eventRow(event.id)).publishedAt!
    expect(publishedAt).toBeLessThanOrEqual(Date.now())

    const later = instantToLocalInput(Date.now() + 5 * DAY, event.timeZone)
    const refused = await me.browser.post(`/publish-event/${event.id}`, { when: 'later', publishAt: later })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('This event is already public.')
    expect((await eventRow(event.id)).publishedAt).toBe(publishedAt)
  })

  it('refuses a cancelled event', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'cancelled' })
    const page = await me.browser.get(`/edit-event/${event.id}`)
    expect(page.body).not.toContain(`action="/publish-event/${event.id}"`)
    const response = await me.browser.post(`/publish-event/${event.id}`, { when: 'now' })
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('This event is cancelled and cannot be published again.')
    expect((await eventRow(event.id)).status).toBe('cancelled')
  })
})
