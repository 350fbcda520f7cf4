import type { RouteOptions } from 'fastify'
import { beforeAll, expect, it } from 'vitest'
import type { Access } from '../../src/plugins/auth.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { makeCode } from '../helpers/codes.js'
import { askQuestions } from '../helpers/questions.js'
import { type Persona, createPersonas, createUser } from '../helpers/personas.js'

/**
 * Who may use each per-event route, generated from the routes the app
 * registers: every route declaring access 'event-owner' or 'door' is asked as
 * its event's owner, as another organiser, as a logged-out visitor, and at the
 * door as door staff of another event. A new route is covered by being
 * registered; only a new kind of thing an `:id` can name needs a line in
 * `thingsOf` below.
 */
describeEachDatabase('per-event access, for every route that declares it', (kind) => {
  const routes: { method: string; url: string; access: Access; namesEvent: boolean }[] = []
  const t = useTestApp(
    kind,
    {},
    {
      onRoute: (route: RouteOptions) => {
        const access = route.config?.access
        if (route.method === 'HEAD' || (access !== 'event-owner' && access !== 'door')) return
        for (const method of [route.method].flat()) routes.push({ method, url: route.url, access, namesEvent: !route.config?.eventOf })
      },
    },
  )

  let people: Awaited<ReturnType<typeof createPersonas>> & { staffElsewhere: Persona }
  let browsers: Record<'owner' | 'otherOrganiser' | 'admin' | 'staffElsewhere' | 'anonymous', TestBrowser>

  beforeAll(async () => {
    const personas = await createPersonas(t.db)
    people = { ...personas, staffElsewhere: await createUser(t.db, 'attendee', { name: 'Sam Staff' }) }
    // Door staff of an event of the other organiser's: a door of its own, and no other.
    const { event: elsewhere } = await createEvent(t.db, people.otherOrganiser.id, { title: 'Elsewhere' })
    await t.db
      .insertInto('doorStaff')
      .values({
        eventId: elsewhere.id,
        userId: people.staffElsewhere.id,
        tokenHash: null,
        label: people.staffElsewhere.name,
        createdBy: people.otherOrganiser.id,
        createdAt: Date.now(),
        revokedAt: null,
      })
      .execute()
    // Each browser first opens a page with a form, for the CSRF token its posts carry.
    const loggedIn = async (who: Persona, page: string) => {
      const { browser } = await loginAs(t, who)
      await browser.get(page)
      return browser
    }
    const anonymous = new TestBrowser(t.app)
    await anonymous.get('/login')
    browsers = {
      owner: await loggedIn(people.organiser, '/organiser'),
      otherOrganiser: await loggedIn(people.otherOrganiser, '/organiser'),
      admin: await loggedIn(people.admin, '/organiser'),
      staffElsewhere: await loggedIn(people.staffElsewhere, '/door'),
      anonymous,
    }
  })

  /** A fresh event of the owner's with one of everything a route's parameters can name, so that no route's effect spoils another's. */
  async function thingsOf() {
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { title: 'Private Affair' })
    const type = ticketTypes[0]!
    const order = await placeOrder(t.db, event.id, type.id)
    const ticket = await t.db.selectFrom('tickets').select('id').where('orderId', '=', order.id).executeTakeFirstOrThrow()
    await t.db
      .updateTable('tickets')
      .set({ checkedInAt: Date.now(), checkedInBy: 'Door', checkedInGate: 'Door' })
      .where('id', '=', ticket.id)
      .execute()
    const staff = await t.db
      .insertInto('doorStaff')
      .values({
        eventId: event.id,
        userId: null,
        tokenHash: `link-${event.id}`,
        label: 'Phone',
        createdBy: people.organiser.id,
        createdAt: Date.now(),
        revokedAt: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const entry = await t.db
      .insertInto('waitingListEntries')
      .values({
        eventId: event.id,
        ticketTypeId: type.id,
        name: 'Wanda Waiting',
        email: `wanda-${event.id}@example.test`,
        quantity: 1,
        state: 'waiting',
        leaveTokenHash: `leave-${event.id}`,
        siteUrl: 'http://admit-one.test',
        createdAt: Date.now(),
        offeredQuantity: null,
        offerTokenHash: null,
        offeredAt: null,
        offerExpiresAt: null,
        orderId: null,
        closedAt: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const [questionId] = await askQuestions(t.db, event.id, 'off', [{ label: 'Dietary needs', kind: 'short-text' }])
    const code = await makeCode(t.db, event.id, `OWNERS${event.id}`)
    return {
      event: event.id,
      // What an `:id` names when it is not the event, by the URL's first segment.
      byPrefix: { 'ticket-types': type.id, 'waiting-list': entry.id } as Record<string, number>,
      byParam: { staffId: staff.id, ticketId: ticket.id, code: order.code, questionId: questionId!, codeId: code.id } as Record<
        string,
        number | string
      >,
    }
  }

  function urlOf(route: (typeof routes)[number], things: Awaited<ReturnType<typeof thingsOf>>): string {
    const prefix = route.url.split('/')[1]!
    return route.url.replace(/:(\w+)/g, (_, param: string) => {
      if (param === 'id') {
        const id = route.namesEvent ? things.event : things.byPrefix[prefix]
        if (id === undefined) throw new Error(`${route.url}: give thingsOf a ${prefix} for its :id`)
        return String(id)
      }
      const id = things.byParam[param]
      if (id === undefined) throw new Error(`${route.url}: give thingsOf a :${param}`)
      return String(id)
    })
  }

  function send(browser: TestBrowser, method: string, url: string) {
    return method === 'GET' ? browser.get(url) : browser.post(url, {})
  }

  /** Past the access hook: neither its 404 nor a refusal (a form with nothing in it may still be answered 422). */
  function expectLetIn(response: { statusCode: number }, who: string) {
    expect([403, 404], who).not.toContain(response.statusCode)
  }

  /** What an outsider's request must leave as it was. */
  async function traces() {
    const count = async (table: 'auditLog' | 'checkIns' | 'outbox' | 'seats') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    return {
      audit: await count('auditLog'),
      checkIns: await count('checkIns'),
      outbox: await count('outbox'),
      seats: await count('seats'),
      events: await t.db.selectFrom('events').select(['id', 'status', 'title']).orderBy('id').execute(),
    }
  }

  it('finds the per-event routes of the organiser, waiting-list, seating and check-in features', () => {
    const urls = routes.map((route) => route.url)
    for (const url of [
      '/edit-event/:id',
      '/ticket-types/:id/edit',
      '/waiting-list/:id/remove',
      '/events/:id/seat-map',
      '/events/:id/door-staff',
      '/events/:id/questions/:questionId/edit',
    ]) {
      expect(urls).toContain(url)
    }
    expect(routes.filter((route) => route.access === 'door').map((route) => route.url)).toContain('/events/:id/check-in')
  })

  it('answers 404 to another organiser, sends a logged-out visitor to log in, and lets the owner and an admin in, on every event-owner route', async () => {
    for (const route of routes.filter((candidate) => candidate.access === 'event-owner')) {
      const things = await thingsOf()
      const url = urlOf(route, things)
      const name = `${route.method} ${route.url}`
      const before = await traces()
      const other = await send(browsers.otherOrganiser, route.method, url)
      expect(other.statusCode, `${name} as another organiser`).toBe(404)
      expect(other.body, `${name} as another organiser`).not.toContain('Private Affair')
      const anonymous = await send(browsers.anonymous, route.method, url)
      expect(anonymous.statusCode, `${name} logged out`).toBe(303)
      expect(String(anonymous.headers.location), `${name} logged out`).toMatch(/^\/login/)
      expect(await traces(), `${name}: outsiders changed something`).toEqual(before)
      expectLetIn(await send(browsers.admin, route.method, url), `${name} as an admin`)
      expectLetIn(await send(browsers.owner, route.method, urlOf(route, await thingsOf())), `${name} as the owner`)
    }
  })

  it('answers 404 to another organiser, to door staff of another event and to a logged-out visitor, and lets the owner in, on every door route', async () => {
    for (const route of routes.filter((candidate) => candidate.access === 'door')) {
      const things = await thingsOf()
      const url = urlOf(route, things)
      const name = `${route.method} ${route.url}`
      const before = await traces()
      for (const outsider of ['otherOrganiser', 'staffElsewhere', 'anonymous'] as const) {
        const response = await send(browsers[outsider], route.method, url)
        expect(response.statusCode, `${name} as ${outsider}`).toBe(404)
        expect(response.body, `${name} as ${outsider}`).not.toContain('Private Affair')
      }
      expect(await traces(), `${name}: outsiders changed something`).toEqual(before)
      expectLetIn(await send(browsers.owner, route.method, url), `${name} as the owner`)
    }
  })
})
