import { beforeAll, expect, it } from 'vitest'
import type { EventRow, TicketTypeRow } from '../../src/db/schema.js'
import { TestBrowser } from '../helpers/browser.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { createPersonas } from '../helpers/personas.js'
import { eventFields, ticketTypeFields } from './support.js'

describeEachDatabase('who may use the organiser pages', (kind) => {
  const t = useTestApp(kind)
  let personas: Awaited<ReturnType<typeof createPersonas>>
  let event: EventRow
  let type: TicketTypeRow

  beforeAll(async () => {
    personas = await createPersonas(t.db)
    const created = await createEvent(t.db, personas.organiser.id, { title: 'Private Affair' })
    event = created.event
    type = created.ticketTypes[0]!
  })

  const pages = () => [
    `/edit-event/${event.id}`,
    `/events/${event.id}/cancel`,
    `/events/${event.id}/delete`,
    `/events/${event.id}/ticket-types/new`,
    `/ticket-types/${type.id}/edit`,
    `/events/${event.id}/preview`,
    `/events/${event.id}/orders`,
    `/events/${event.id}/attendees.csv`,
  ]

  /** Every form, filled in as the owner would, so that only the ownership check can stop it. */
  const actions = (): [string, Record<string, string>][] => [
    [`/edit-event/${event.id}`, eventFields({ title: 'Hijacked' })],
    [`/publish-event/${event.id}`, { when: 'now' }],
    [`/unpublish-event/${event.id}`, {}],
    [`/cancel-event/${event.id}`, {}],
    [`/delete-event/${event.id}`, {}],
    [`/events/${event.id}/ticket-types/new`, ticketTypeFields({ name: 'Hijacked' })],
    [`/ticket-types/${type.id}/edit`, ticketTypeFields({ name: 'Hijacked', capacity: '1' })],
    [`/ticket-types/${type.id}/delete`, {}],
  ]

  async function snapshot() {
    return {
      events: await t.db.selectFrom('events').selectAll().orderBy('id').execute(),
      ticketTypes: await t.db.selectFrom('ticketTypes').selectAll().orderBy('id').execute(),
      orders: await t.db.selectFrom('orders').selectAll().orderBy('id').execute(),
      audit: await t.db.selectFrom('auditLog').select('id').where('subjectType', 'in', ['event', 'ticket_type']).execute(),
    }
  }

  it('answers 404 to another organiser on every page and every form, and changes nothing', async () => {
    const { browser: other } = await loginAs(t, personas.otherOrganiser)
    const before = await snapshot()
    for (const url of pages()) {
      const response = await other.get(url)
      expect(response.statusCode, `GET ${url}`).toBe(404)
      expect(response.body).not.toContain('Private Affair')
    }
    await other.get('/organiser')
    for (const [url, fields] of actions()) {
      const response = await other.post(url, fields)
      expect(response.statusCode, `POST ${url}`).toBe(404)
    }
    expect(await snapshot()).toEqual(before)
    expect((await other.get('/organiser')).body).not.toContain('Private Affair')
  })

  it('sends anonymous visitors to log in, and changes nothing', async () => {
    const anonymous = new TestBrowser(t.app)
    const before = await snapshot()
    for (const url of ['/organiser', '/create-event', ...pages()]) {
      const response = await anonymous.get(url)
      expect(response.statusCode, `GET ${url}`).toBe(303)
      expect(response.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`)
    }
    await anonymous.get('/login')
    for (const [url, fields] of [...actions(), ['/create-event', eventFields()] as [string, Record<string, string>]]) {
      const response = await anonymous.post(url, fields)
      expect(response.statusCode, `POST ${url}`).toBe(303)
      expect(String(response.headers.location)).toMatch(/^\/login/)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('refuses attendees with 403, and changes nothing', async () => {
    const { browser: attendee } = await loginAs(t, personas.attendee)
    const before = await snapshot()
    for (const url of ['/organiser', '/create-event', ...pages()]) {
      expect((await attendee.get(url)).statusCode, `GET ${url}`).toBe(403)
    }
    for (const [url, fields] of [...actions(), ['/create-event', eventFields()] as [string, Record<string, string>]]) {
      expect((await attendee.post(url, fields)).statusCode, `POST ${url}`).toBe(403)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('lets an admin see and change any event', async () => {
    const { browser: admin } = await loginAs(t, personas.admin)
    for (const url of pages()) expect((await admin.get(url)).statusCode, `GET ${url}`).toBe(200)
    const fields = eventFields({ title: 'Fixed by admin' })
    const response = await admin.submit(`/edit-event/${event.id}`, `/edit-event/${event.id}`, fields)
    expect(response.statusCode).toBe(303)
    const row = await t.db.selectFrom('events').select(['title', 'ownerId']).where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ title: 'Fixed by admin', ownerId: personas.organiser.id })
    const audit = await t.db
      .selectFrom('auditLog')
      .select('actorId')
      .where('action', '=', 'event.updated')
      .where('subjectId', '=', event.id)
      .executeTakeFirstOrThrow()
    expect(audit.actorId).toBe(personas.admin.id)
  })
})
