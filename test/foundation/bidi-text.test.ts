import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { addTicketType, createDraft, expectRedirect } from '../events/support.js'

// U+202E (right-to-left override) makes "live" show as "evil"; U+202C ends it.
const RLO = '\u202e'
const PDF = '\u202c'

describeEachDatabase('text that reorders itself for display', (kind) => {
  const t = useTestApp(kind)

  it('loses its bidi controls as it arrives: event titles and venues, buyer names, account names', async () => {
    const organiser = await loginAs(t, 'organiser')
    const eventId = await createDraft(organiser.browser, {
      title: `Open ${RLO}live${PDF} Mic\u2066\u2069`,
      venue: `\u2067Hall\u2069 \u200e7\u200f\u061c`,
      description: `Poems \u202a\u202b\u202d.`,
    })
    expect(
      await t.db.selectFrom('events').select(['title', 'venue', 'description']).where('id', '=', eventId).executeTakeFirstOrThrow(),
    ).toEqual({
      title: 'Open live Mic',
      venue: 'Hall 7',
      description: 'Poems .',
    })
    await addTicketType(organiser.browser, eventId, { name: `${RLO}PIV` })
    expectRedirect(await organiser.browser.submit(`/edit-event/${eventId}`, `/publish-event/${eventId}`, { when: 'now' }), /./)

    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${eventId}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    const type = await t.db.selectFrom('ticketTypes').select(['id', 'name']).where('eventId', '=', eventId).executeTakeFirstOrThrow()
    expect(type.name).toBe('PIV')
    const bought = await buyer.post(`/purchase/${eventId}`, {
      key,
      [`qty_${type.id}`]: '1',
      name: `Mallory ${RLO}live${PDF}`,
      email: `mallory${RLO}@example.test`,
    })
    expect(bought.headers.location).toMatch(/^\/purchase\/success/)
    expect(
      await t.db.selectFrom('orders').select(['buyerName', 'buyerEmail']).where('eventId', '=', eventId).executeTakeFirstOrThrow(),
    ).toEqual({
      buyerName: 'Mallory live',
      buyerEmail: 'mallory@example.test',
    })

    const registered = await new TestBrowser(t.app).submit('/register', '/register', {
      name: `\u200fRoza ${RLO}vone`,
      email: 'roza@example.test',
      password: 'violet lantern orbit',
    })
    expect(registered.statusCode).toBe(303)
    expect(await t.db.selectFrom('users').select('name').where('email', '=', 'roza@example.test').executeTakeFirstOrThrow()).toEqual({
      name: 'Roza vone',
    })
  })

  it('keeps a password exactly as typed, marks and all', async () => {
    const password = 'violet\u200elantern orbit'
    const browser = new TestBrowser(t.app)
    expect((await browser.submit('/register', '/register', { name: 'Pat Password', email: 'pat@example.test', password })).statusCode).toBe(
      303,
    )
    expect((await new TestBrowser(t.app).submit('/login', '/login', { email: 'pat@example.test', password })).statusCode).toBe(303)
    const without = await new TestBrowser(t.app).submit('/login', '/login', { email: 'pat@example.test', password: 'violetlantern orbit' })
    expect(without.statusCode).toBe(401)
  })

  it('is isolated where pages list it: orders, door list, dashboard, event cards, user list, audit log', async () => {
    const organiser = await loginAs(t, 'organiser')
    // Stored before the controls were taken out at the door: isolation keeps them inside their own text.
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { title: `Old ${RLO}title`, venue: `Old ${RLO}venue` })
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    await buyer.post(`/purchase/${event.id}`, { key, [`qty_${ticketTypes[0]!.id}`]: '1', name: 'عمر Omar', email: 'omar@example.test' })

    const orders = (await organiser.browser.get(`/events/${event.id}/orders`)).body
    expect(orders).toContain(`<bdi>Old ${RLO}title</bdi>`)
    expect(orders).toContain(
      '<td data-label="Buyer"><bdi>عمر Omar</bdi><br><a href="mailto:omar@example.test"><bdi>omar@example.test</bdi></a></td>',
    )
    expect(orders).toContain('<li><bdi>Standard</bdi> · ')
    const doorList = (await organiser.browser.get(`/events/${event.id}/door-list`)).body
    expect(doorList).toContain(`<h1>Door list: <bdi>Old ${RLO}title</bdi></h1>`)
    expect(doorList).toContain('<td data-label="Name" dir="auto">عمر Omar</td><td data-label="Ticket type" dir="auto">Standard</td>')
    const dashboard = (await organiser.browser.get('/organiser')).body
    expect(dashboard).toContain(`<h3 dir="auto"><a href="/edit-event/${event.id}">Old ${RLO}title</a></h3>`)
    expect(dashboard).toContain(`· <bdi>Old ${RLO}venue</bdi></p>`)
    expect(dashboard).toContain('<th scope="row" dir="auto">Standard</th>')
    const list = (await new TestBrowser(t.app).get('/attendee')).body
    expect(list).toContain(`<h3 class="event-card__title" dir="auto"><a href="/event/${event.id}">Old ${RLO}title</a></h3>`)
    expect(list).toContain(`<p class="event-card__venue" dir="auto">Old ${RLO}venue</p>`)

    const admin = await loginAs(t, 'admin')
    const users = (await admin.browser.get('/users/list-users?q=roza')).body
    expect(users).toContain('<strong><bdi>Roza vone</bdi></strong><br><span class="muted"><bdi>roza@example.test</bdi></span>')
    const audit = (await admin.browser.get('/admin/audit?action=account.registered')).body
    expect(audit).toContain('<td dir="auto">roza@example.test</td>')
    expect(audit).toMatch(/<code>account.registered<\/code><br><bdi>user #\d+<\/bdi>/)
  })
})
