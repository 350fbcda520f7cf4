import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { DateTime } from 'luxon'
import { instantToLocalInput } from '../../src/lib/time.js'
import { auditActions, auditDetails, DAY, eventFields, expectRedirect } from './support.js'

describeEachDatabase('GET/POST /edit-event/:id', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  const eventRow = (id: number) => t.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('shows the event with its values, ticket types and lifecycle actions', async () => {
    const { event } = await createEvent(t.db, me.user.id, {
      title: 'Spring Fair',
      status: 'draft',
      capacity: 80,
      ticketTypes: [{ name: 'Early bird' }],
    })
    const page = await me.browser.get(`/edit-event/${event.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('value="Spring Fair"')
    expect(page.body).toContain(`value="${instantToLocalInput(event.startsAt, event.timeZone)}"`)
    expect(page.body).toContain('<option selected>Europe/Berlin</option>')
    expect(page.body).toContain('value="80"')
    expect(page.body).toContain('Early bird')
    expect(page.body).toContain(`action="/publish-event/${event.id}"`)
    expect(page.body).toContain(`href="/events/${event.id}/preview"`)
  })

  it('saves changes, audits what changed and tells the live pages', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft' })
    const notified: number[] = []
    t.app.eventChanges.on('changed', (id) => notified.push(id))
    const fields = eventFields({
      title: 'Renamed',
      description: 'Line one\nLine two',
      capacity: '40',
      timeZone: 'America/New_York',
      startsAt: '2099-07-04T18:00',
      endsAt: '2099-07-04T22:00',
    })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields), `/edit-event/${event.id}`)
    expect(await eventRow(event.id)).toMatchObject({
      title: 'Renamed',
      description: 'Line one\nLine two',
      capacity: 40,
      timeZone: 'America/New_York',
      startsAt: Date.UTC(2099, 6, 4, 22, 0),
      endsAt: Date.UTC(2099, 6, 5, 2, 0),
    })
    expect(await auditActions(t.db, 'event', event.id)).toEqual(['event.updated'])
    const audit = await auditDetails(t.db, 'event.updated', event.id)
    expect(audit.changed).toMatchObject({ capacity: { from: null, to: 40 } })
    expect(audit.changed, 'an unchanged setting is not reported').not.toHaveProperty('allowBuyerCancellation')
    expect(notified).toEqual([event.id])
  })

  it('keeps the wall time of every date when the time zone changes: sales starts and ends, past or to come, and a scheduled publication', async () => {
    const later = Date.now() + 20 * DAY
    const passed = Date.now() - DAY
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      timeZone: 'Europe/Berlin',
      publishedAt: later - 5 * DAY,
      ticketTypes: [
        { name: 'Later', salesStartAt: later - 2 * DAY, salesEndAt: later },
        { name: 'Open', salesStartAt: passed, salesEndAt: later },
      ],
    })
    const typed = (ms: number) => instantToLocalInput(ms, 'Europe/Berlin')
    const inTokyo = (ms: number | null) => instantToLocalInput(ms!, 'Asia/Tokyo')
    const fields = eventFields({ timeZone: 'Asia/Tokyo', startsAt: typed(event.startsAt), endsAt: typed(event.endsAt) })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields), `/edit-event/${event.id}`)

    const after = await eventRow(event.id)
    expect(inTokyo(after.startsAt)).toBe(typed(event.startsAt))
    expect(inTokyo(after.endsAt)).toBe(typed(event.endsAt))
    expect(inTokyo(after.publishedAt)).toBe(typed(event.publishedAt!))
    const types = await t.db.selectFrom('ticketTypes').selectAll().where('eventId', '=', event.id).orderBy('id').execute()
    for (const [i, type] of types.entries()) {
      expect(inTokyo(type.salesStartAt), type.name).toBe(typed(ticketTypes[i]!.salesStartAt!))
      expect(inTokyo(type.salesEndAt), type.name).toBe(typed(ticketTypes[i]!.salesEndAt!))
    }
    expect(types[1]!.salesStartAt, 'a sales start that has passed keeps its wall time, not its instant').not.toBe(passed)
    const audit = await auditDetails(t.db, 'event.updated', event.id)
    expect(audit.datesKeptInNewTimeZone).toBe(5)
    // The form shows every date as it was typed.
    const form = await me.browser.get(`/ticket-types/${ticketTypes[1]!.id}/edit`)
    expect(form.body).toContain(`value="${typed(passed)}"`)
    expect(form.body).toContain(`value="${typed(later)}"`)
  })

  it('keeps the wall time of a running event too: its start stays as typed, in the past, in the new zone', async () => {
    const start = Date.now() - 60 * 60 * 1000
    const { event } = await createEvent(t.db, me.user.id, {
      timeZone: 'Europe/Berlin',
      startsAt: start - (start % 60_000),
      endsAt: Date.now() + DAY,
    })
    const typed = (ms: number) => instantToLocalInput(ms, 'Europe/Berlin')
    const fields = eventFields({ timeZone: 'Asia/Tokyo', startsAt: typed(event.startsAt), endsAt: typed(event.endsAt) })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields), `/edit-event/${event.id}`)
    expect(instantToLocalInput((await eventRow(event.id)).startsAt, 'Asia/Tokyo')).toBe(typed(event.startsAt))
  })

  it('refuses a new end before sales that fitted the old one, at the end field, writing nothing', async () => {
    // 18:00 to midnight in Berlin: sales of Evening end at 23:00, those of Late start at 23:30.
    const startsAt = Date.UTC(2099, 5, 12, 16, 0)
    const { event } = await createEvent(t.db, me.user.id, {
      timeZone: 'Europe/Berlin',
      startsAt,
      endsAt: startsAt + 6 * 60 * 60 * 1000,
      ticketTypes: [
        { name: 'Evening', salesEndAt: startsAt + 5 * 60 * 60 * 1000 },
        { name: 'Late', salesStartAt: startsAt + 5.5 * 60 * 60 * 1000 },
      ],
    })
    const url = `/edit-event/${event.id}`
    const fields = eventFields({ startsAt: '2099-06-12T18:00', endsAt: '2099-06-12T21:00', venue: 'Elsewhere' })
    const response = await me.browser.submit(url, url, fields)
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-endsAt-error".*Sales of “Evening” run until Fri, 12 Jun 2099, 23:00 CEST, after this end\./)
    expect(await eventRow(event.id)).toMatchObject({ venue: 'Town Hall', endsAt: startsAt + 6 * 60 * 60 * 1000 })
    expect(await auditActions(t.db, 'event', event.id)).toEqual([])

    const late = await me.browser.submit(url, url, { ...fields, endsAt: '2099-06-12T23:00' })
    expect(late.statusCode).toBe(422)
    expect(late.body).toMatch(/id="f-endsAt-error".*Sales of “Late” start Fri, 12 Jun 2099, 23:30 CEST, after this end\./)

    expectRedirect(await me.browser.submit(url, url, { ...fields, endsAt: '2099-06-12T23:45' }), url)
    expect((await eventRow(event.id)).venue).toBe('Elsewhere')
  })

  it('checks a scheduled publication against the end where the new time zone puts it', async () => {
    // On sale at 12:00 and over at 18:00 the same day, both typed in Berlin; in Tokyo 18:00 comes before 12:00 Berlin time.
    const day = DateTime.now().setZone('Europe/Berlin').plus({ days: 20 }).startOf('day')
    const { event } = await createEvent(t.db, me.user.id, {
      timeZone: 'Europe/Berlin',
      publishedAt: day.set({ hour: 12 }).toMillis(),
      startsAt: day.set({ hour: 16 }).toMillis(),
      endsAt: day.set({ hour: 18 }).toMillis(),
    })
    const fields = eventFields({
      timeZone: 'Asia/Tokyo',
      startsAt: day.toFormat("yyyy-LL-dd'T'16:00"),
      endsAt: day.toFormat("yyyy-LL-dd'T'18:00"),
    })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields), `/edit-event/${event.id}`)
    const after = await eventRow(event.id)
    expect(instantToLocalInput(after.publishedAt!, 'Asia/Tokyo')).toBe(day.toFormat("yyyy-LL-dd'T'12:00"))
    expect(after.publishedAt!).toBeLessThan(after.endsAt)
  })

  it('refuses invalid input with 422, messages next to the fields and the values kept', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', title: 'Unchanged' })
    const response = await me.browser.submit(
      `/edit-event/${event.id}`,
      `/edit-event/${event.id}`,
      eventFields({ title: 'New <b>title</b>', venue: '', endsAt: '2001-01-01T00:00' }),
    )
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-venue-error".*Enter where the event takes place\./)
    expect(response.body).toMatch(/id="f-endsAt-error".*The end must be after the start\./)
    expect(response.body).toContain('value="New &lt;b&gt;title&lt;/b&gt;"')
    expect((await eventRow(event.id)).title).toBe('Unchanged')
  })

  it('keeps a start already in the past (a running event), but refuses moving it into the past', async () => {
    const start = Date.now() - 60 * 60 * 1000
    const { event } = await createEvent(t.db, me.user.id, { startsAt: start - (start % 60_000), endsAt: Date.now() + DAY })
    const kept = eventFields({
      startsAt: instantToLocalInput(event.startsAt, event.timeZone),
      endsAt: instantToLocalInput(event.endsAt, event.timeZone),
      venue: 'New hall',
    })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, kept), `/edit-event/${event.id}`)
    expect((await eventRow(event.id)).venue).toBe('New hall')

    const moved = { ...kept, startsAt: instantToLocalInput(event.startsAt - 60 * 60 * 1000, event.timeZone) }
    const response = await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, moved)
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('The start cannot be in the past.')
  })

  it('refuses moving the end of a scheduled event to or before the moment it goes on sale', async () => {
    const startsAt = Date.UTC(2099, 5, 12, 16, 0)
    const { event } = await createEvent(t.db, me.user.id, { startsAt, publishedAt: Date.UTC(2099, 5, 1, 8, 0) })
    const fields = eventFields({ startsAt: '2099-05-20T18:00', endsAt: '2099-06-01T10:00' })
    const response = await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields)
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(
      /id="f-endsAt-error".*The event is scheduled to go on sale Mon, 1 Jun 2099, 10:00 CEST: it must end after that\./,
    )
    expect((await eventRow(event.id)).startsAt).toBe(startsAt)

    expectRedirect(
      await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, { ...fields, endsAt: '2099-06-01T10:01' }),
      `/edit-event/${event.id}`,
    )
    expect((await eventRow(event.id)).endsAt).toBe(Date.UTC(2099, 5, 1, 8, 1))
  })

  it('refuses an overall capacity below what is sold, saying why', async () => {
    // On the minute, as the form shows it: the same start sent back is no move (which would lead the page to offer writing to ticket holders).
    const startsAt = Math.floor(Date.now() / 60_000) * 60_000 + 30 * DAY
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { capacity: 10, startsAt, endsAt: startsAt + 3 * 60 * 60 * 1000 })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 4 })
    const fields = eventFields({
      capacity: '3',
      venue: event.venue,
      startsAt: instantToLocalInput(event.startsAt, event.timeZone),
      endsAt: instantToLocalInput(event.endsAt, event.timeZone),
    })
    const response = await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields)
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-capacity-error".*4 tickets are already sold, so the capacity cannot be lower than 4\./)
    expect(response.body).toContain('value="3"')
    expect((await eventRow(event.id)).capacity).toBe(10)
    expect(await auditActions(t.db, 'event', event.id)).toEqual([])

    expectRedirect(
      await me.browser.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, { ...fields, capacity: '4' }),
      `/edit-event/${event.id}`,
    )
    expect((await eventRow(event.id)).capacity).toBe(4)
  })

  it('answers 404 for an id that is not a number or not there', async () => {
    for (const url of ['/edit-event/abc', '/edit-event/0', '/edit-event/99999999']) {
      expect((await me.browser.get(url)).statusCode, url).toBe(404)
    }
  })
})
