import { expect, it } from 'vitest'
import { instantToLocalInput } from '../../src/lib/time.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { eventFields, expectRedirect } from './support.js'

describeEachDatabase('the event form’s time zones', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('are offered by their current names, and an event’s zone stored under its old name stays', async () => {
    const created = await me.browser.get('/create-event')
    expect(created.body).toContain('<option>Asia/Kolkata</option>')
    expect(created.body).not.toContain('<option>Asia/Calcutta</option>')

    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', timeZone: 'Europe/Kiev' })
    const page = (await me.browser.get(`/edit-event/${event.id}`)).body
    expect(page).toContain('<option selected>Europe/Kiev</option>')
    expect(page).toContain('<option>Europe/Kyiv</option>')
    const kept = eventFields({
      title: 'Kyiv Evening',
      timeZone: 'Europe/Kiev',
      startsAt: instantToLocalInput(event.startsAt, 'Europe/Kiev'),
      endsAt: instantToLocalInput(event.endsAt, 'Europe/Kiev'),
    })
    expectRedirect(await me.browser.post(`/edit-event/${event.id}`, kept), `/edit-event/${event.id}`)
    const saved = await t.db
      .selectFrom('events')
      .select(['title', 'timeZone', 'startsAt'])
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow()
    // To the minute, as the form shows it.
    expect(saved).toEqual({ title: 'Kyiv Evening', timeZone: 'Europe/Kiev', startsAt: event.startsAt - (event.startsAt % 60_000) })
  })
})
