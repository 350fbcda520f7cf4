import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app.js'
import { requestPasswordReset } from '../../src/features/accounts/password-reset.js'
import { testConfig, useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { type Persona, createPersonas } from '../helpers/personas.js'
import { addSeatBlock } from '../helpers/seats.js'
import { eventFields, ticketTypeFields } from '../events/support.js'

/**
 * What a form sent with mistakes shows: one error summary, at the top of the
 * page's content before any form (where a page loaded without script is seen),
 * listing each message with a link to its field (#f-<name>), every link
 * leading to an element of the page, and every message at a field listed.
 */
function expectSummaryAtTop(response: LightMyRequestResponse, fields: string[]): void {
  const main = response.body.slice(response.body.indexOf('<main'))
  const summaries = main.match(/data-error-summary/g) ?? []
  expect(summaries, 'one error summary').toHaveLength(1)
  const summary = /<div class="error-summary"[^>]*data-error-summary>([\s\S]*?)<\/div>/.exec(main)![1]!
  expect(main.indexOf('data-error-summary'), 'the summary comes before every form of the page').toBeLessThan(main.indexOf('<form'))
  const links = [...summary.matchAll(/<li><a href="#([^"]+)">[^<]+<\/a><\/li>/g)].map((match) => match[1]!)
  expect(links, 'a link to each field with a mistake').toEqual(expect.arrayContaining(fields.map((field) => `f-${field}`)))
  for (const id of links) expect(main, `#${id} is on the page`).toContain(`id="${id}"`)
  const atFields = [...main.matchAll(/<p class="field-error" id="([^"]+)-error">/g)].map((match) => match[1]!)
  expect([...atFields].sort(), 'every message at a field is in the summary').toEqual([...links].sort())
}

describeEachDatabase('error summaries: every form that comes back with mistakes', (kind) => {
  const t = useTestApp(kind)
  let people: Awaited<ReturnType<typeof createPersonas>>
  let as: Record<'organiser' | 'admin', TestBrowser>
  let eventId: number
  let typeId: number
  let soldOut: { eventId: number; typeId: number }
  let seated: { eventId: number }

  beforeAll(async () => {
    people = await createPersonas(t.db)
    as = { organiser: (await loginAs(t, people.organiser)).browser, admin: (await loginAs(t, people.admin)).browser }
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { status: 'draft', title: 'Summary Draft' })
    eventId = event.id
    typeId = ticketTypes[0]!.id
    const full = await createEvent(t.db, people.organiser.id, { title: 'Full House', ticketTypes: [{ name: 'Seat', capacity: 1 }] })
    await t.db.updateTable('events').set({ waitingList: 1, sold: 1 }).where('id', '=', full.event.id).execute()
    await t.db.updateTable('ticketTypes').set({ sold: 1 }).where('id', '=', full.ticketTypes[0]!.id).execute()
    soldOut = { eventId: full.event.id, typeId: full.ticketTypes[0]!.id }
    const hall = await createEvent(t.db, people.organiser.id, { status: 'draft', title: 'Seated Hall' })
    await addSeatBlock(t.db, people.organiser as Persona, hall.event.id, {
      section: 'Stalls',
      rows: ['A'],
      seatsPerRow: 4,
      ticketTypeId: hall.ticketTypes[0]!.id,
    })
    seated = { eventId: hall.event.id }
  })

  const anonymous = () => new TestBrowser(t.app)

  const cases: [string, () => Promise<LightMyRequestResponse>, number, string[]][] = [
    [
      'new event',
      () => as.organiser.submit('/create-event', '/create-event', eventFields({ title: '', venue: '' })),
      422,
      ['title', 'venue'],
    ],
    [
      'event details, far down the event page',
      () =>
        as.organiser.submit(
          `/edit-event/${eventId}`,
          `/edit-event/${eventId}`,
          eventFields({ venue: '', waitingList: '1', offerHours: '1000' }),
        ),
      422,
      ['venue', 'offerHours'],
    ],
    [
      'publishing',
      () => as.organiser.submit(`/edit-event/${eventId}`, `/publish-event/${eventId}`, { when: 'later', publishAt: '' }),
      422,
      ['publishAt'],
    ],
    [
      'new ticket type',
      () =>
        as.organiser.submit(
          `/events/${eventId}/ticket-types/new`,
          `/events/${eventId}/ticket-types/new`,
          ticketTypeFields({ price: 'free', capacity: '' }),
        ),
      422,
      ['price', 'capacity'],
    ],
    [
      'ticket type',
      () => as.organiser.submit(`/ticket-types/${typeId}/edit`, `/ticket-types/${typeId}/edit`, ticketTypeFields({ maxPerOrder: '0' })),
      422,
      ['maxPerOrder'],
    ],
    [
      'buy',
      async () => {
        const id = await publicEventId()
        return anonymous().submit(`/buy-tickets/${id}`, `/purchase/${id}`, { name: '', email: 'nobody' })
      },
      422,
      ['tickets', 'name', 'email'],
    ],
    [
      'join the waiting list',
      () => {
        const url = `/event/${soldOut.eventId}/waiting-list`
        return anonymous().submit(`${url}?type=${soldOut.typeId}`, url, {
          type: String(soldOut.typeId),
          name: '',
          email: 'x',
          quantity: '1',
        })
      },
      422,
      ['name', 'email'],
    ],
    [
      'seat map: a block of seats',
      () => {
        const url = `/events/${seated.eventId}/seat-map`
        return as.organiser.submit(url, `${url}/blocks`, { section: '', rows: 'A', seatsPerRow: 'many', firstSeat: '1', ticketTypeId: '' })
      },
      422,
      ['section', 'seatsPerRow'],
    ],
    [
      'seat map: a CSV',
      () => {
        const url = `/events/${seated.eventId}/seat-map`
        return as.organiser.submit(url, `${url}/import`, { csv: 'not,a,seat,map' })
      },
      422,
      ['csv'],
    ],
    [
      "seat map: another event's map",
      () => as.organiser.submit(`/events/${eventId}/seat-map`, `/events/${eventId}/seat-map/copy`, { from: '' }),
      422,
      ['from'],
    ],
    [
      'seat map: block or free seats',
      () => {
        const url = `/events/${seated.eventId}/seat-map`
        return as.organiser.submit(url, `${url}/marks`, { markSection: '', marks: '', action: 'block' })
      },
      422,
      ['markSection', 'marks'],
    ],
    [
      'door staff: an account',
      () => as.organiser.submit(`/events/${eventId}/door-staff`, `/events/${eventId}/door-staff`, { email: 'not an address' }),
      422,
      ['email'],
    ],
    [
      'door staff: a link',
      () => as.organiser.submit(`/events/${eventId}/door-staff`, `/events/${eventId}/door-staff/links`, { label: '' }),
      422,
      ['label'],
    ],
    [
      'site settings',
      () => as.admin.submit('/site-settings', '/update-settings', { siteName: '', contactEmail: 'nobody' }),
      422,
      ['siteName', 'contactEmail'],
    ],
    [
      'register',
      () => anonymous().submit('/register', '/register', { name: '', email: 'x', password: 'short' }),
      422,
      ['name', 'email', 'password'],
    ],
    ['log in', () => anonymous().submit('/login', '/login', { email: '', password: '' }), 422, ['email', 'password']],
    [
      'log in with a wrong password',
      () => anonymous().submit('/login', '/login', { email: people.attendee.email, password: 'not the password' }),
      401,
      ['password'],
    ],
    ['forgot password', () => anonymous().submit('/forgot-password', '/forgot-password', { email: 'nobody' }), 422, ['email']],
    [
      'reset password',
      async () => {
        const token = await resetToken(people.attendee.email)
        return anonymous().submit(`/reset-password?token=${token}`, '/reset-password', { token, password: 'short', confirmation: '' })
      },
      422,
      ['password'],
    ],
    ['search events', () => anonymous().get('/attendee?from=soon&to=later'), 422, ['from', 'to']],
    ['audit log filters', () => as.admin.get('/admin/audit?from=yesterday'), 422, ['from']],
  ]

  /** A public event on sale, to buy from. */
  let onSale: number | undefined
  async function publicEventId(): Promise<number> {
    onSale ??= (await createEvent(t.db, people.organiser.id, { title: 'On Sale Now' })).event.id
    return onSale
  }

  /** A live password reset link's token, read from the message it wrote to the outbox. */
  async function resetToken(email: string): Promise<string> {
    await requestPasswordReset(t.db, { email, siteUrl: 'http://admit-one.test', timeZone: 'Europe/Berlin', ip: '127.0.0.1' })
    const message = await t.db
      .selectFrom('outbox')
      .select('data')
      .where('kind', '=', 'password-reset')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    return new URL((JSON.parse(message.data) as { link: string }).link).searchParams.get('token')!
  }

  it.each(cases)('%s: the summary at the top, a link to each field', async (_name, send, status, fields) => {
    const response = await send()
    expect(response.statusCode, response.body.slice(0, 300)).toBe(status)
    expectSummaryAtTop(response, fields)
  })

  it('first-run setup: the summary at the top, a link to each field', async () => {
    const database = await createTestDatabase(kind)
    const app = await buildApp(testConfig(database))
    try {
      const warn = vi.spyOn(app.log, 'warn')
      await app.ready()
      const printed = warn.mock.calls.map((call) => String(call[0])).find((message) => message.includes('/setup?token='))
      const link = /http:\/\/[^/\s]+(\/setup\?token=[\w-]+)/.exec(printed!)![1]!
      const response = await new TestBrowser(app).submit(link, link, { name: '', email: 'x', password: 'short' })
      expect(response.statusCode).toBe(422)
      expectSummaryAtTop(response, ['name', 'email', 'password'])
    } finally {
      await app.close()
      await database.drop()
    }
  })
})
