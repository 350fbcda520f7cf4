import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'
import { type Persona, createPersonas } from '../helpers/personas.js'
import { eventFields } from '../events/support.js'
import { cancelAsBuyer, capacityViolations, join, soldOutEvent } from './support.js'

describeEachDatabase("the organiser's waiting list", (kind) => {
  const t = useTestApp(kind)
  let personas: Awaited<ReturnType<typeof createPersonas>>
  let owner: Persona
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    personas = await createPersonas(t.db)
    const created = await soldOutEvent(t.db, { capacity: 1 })
    owner = created.owner
    eventId = created.eventId
    typeId = created.typeId
    await join(t.app, eventId, typeId, { name: 'Ada First', email: 'ada@example.test', quantity: 1 })
    await join(t.app, eventId, typeId, { name: '=HYPERLINK("x")', email: 'formula@example.test', quantity: 2 })
    await join(t.app, eventId, typeId, { name: 'Cy Third', email: 'cy@example.test', quantity: 1 })
    await cancelAsBuyer(t.app, t.db, created.orders[0]!.id)
  })

  it('turns the list on with an offer time on the event form, audited, and re-shows a bad offer time', async () => {
    const { browser } = await loginAs(t, personas.organiser)
    const response = await browser.submit('/create-event', '/create-event', eventFields({ title: 'Listed' }))
    const id = Number(/\/edit-event\/(\d+)/.exec(response.headers.location as string)![1])
    const page = await browser.get(`/edit-event/${id}`)
    expect(page.body).toContain('name="waitingList"')
    expect(page.body).toContain('name="offerHours" type="text" value="24"')

    const bad = await browser.post(`/edit-event/${id}`, eventFields({ title: 'Listed', waitingList: '1', offerHours: '0' }))
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('id="f-offerHours-error"')
    expect(bad.body).toContain('value="0"')

    const saved = await browser.post(`/edit-event/${id}`, eventFields({ title: 'Listed', waitingList: '1', offerHours: '48' }))
    expect(saved.statusCode).toBe(303)
    expect(await t.db.selectFrom('events').select(['waitingList', 'offerHours']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      waitingList: 1,
      offerHours: 48,
    })
    const audit = await t.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'event.updated')
      .where('subjectId', '=', id)
      .execute()
    expect(audit.at(-1)!.details).toContain('"waitingList":{"from":false,"to":true}')
    expect(audit.at(-1)!.details).toContain('"offerHours":{"from":24,"to":48}')
  })

  it('checks the offer time only while the list is on, and keeps the stored one while it is off', async () => {
    const { browser } = await loginAs(t, personas.organiser)
    const response = await browser.submit(
      '/create-event',
      '/create-event',
      eventFields({ title: 'Unlisted', waitingList: '1', offerHours: '48' }),
    )
    const id = Number(/\/edit-event\/(\d+)/.exec(response.headers.location as string)![1])
    const stored = () => t.db.selectFrom('events').select(['waitingList', 'offerHours']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(await stored()).toEqual({ waitingList: 1, offerHours: 48 })

    const off = await browser.post(`/edit-event/${id}`, eventFields({ title: 'Unlisted', offerHours: '1000' }))
    expect(off.statusCode, 'an offer time the list does not use blocks nothing').toBe(303)
    expect(await stored()).toEqual({ waitingList: 0, offerHours: 48 })
    const created = await browser.post('/create-event', eventFields({ title: 'Never listed', offerHours: 'forever' }))
    expect(created.statusCode).toBe(303)

    const on = await browser.post(`/edit-event/${id}`, eventFields({ title: 'Unlisted', waitingList: '1', offerHours: '1000' }))
    expect(on.statusCode).toBe(422)
    expect(on.body).toMatch(/id="f-offerHours-error".*Enter a whole number from 1 to 336\./)
    expect(await stored()).toEqual({ waitingList: 0, offerHours: 48 })
  })

  it('shows the owner each person with their place, when they joined and where they stand, and what is held', async () => {
    const browser = new TestBrowser(t.app)
    await browser.login(owner.email, owner.password)
    const manage = await browser.get(`/edit-event/${eventId}`)
    expect(manage.body).toContain(`href="/events/${eventId}/waiting-list"`)
    expect(manage.body).toContain('1 held for the waiting list')
    const page = await browser.get(`/events/${eventId}/waiting-list`)
    expect(page.statusCode).toBe(200)
    const rows = [...page.body.matchAll(/<tr class="waiting-list-row waiting-list-row--(\w+)">([\s\S]*?)<\/tr>/g)]
    expect(rows.map((row) => row[1])).toEqual(['offered', 'waiting', 'waiting'])
    expect(rows[0]![2]).toMatch(/Offered 1 until .*\d\d:\d\d (CET|CEST)/)
    expect(rows[1]![2]).toMatch(/<td>1<\/td>/)
    expect(rows[2]![2]).toMatch(/<td>2<\/td>/)
    expect(page.body).toContain('ada@example.test')
  })

  it('exports the list as CSV, formulas defused, instants in ISO 8601 with the offset in the event’s time zone', async () => {
    const { browser } = await loginAs(t, owner)
    await t.db
      .updateTable('waitingListEntries')
      .set({ createdAt: Date.UTC(2026, 0, 2, 3, 4, 5) })
      .where('email', '=', 'cy@example.test')
      .execute()
    const csv = await browser.get(`/events/${eventId}/waiting-list.csv`)
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    const lines = csv.body.replace('\uFEFF', '').trim().split('\r\n')
    expect(lines[0]).toBe('Position,Name,Email,Ticket type,Quantity,Joined at (Europe/Berlin),State')
    expect(lines).toHaveLength(4)
    const iso = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d`
    expect(lines[1]).toMatch(new RegExp(`^,Ada First,ada@example.test,Seat,1,${iso},Offered 1 until ${iso}$`))
    expect(lines[2]).toMatch(new RegExp(`^1,"'=HYPERLINK\\(""x""\\)",formula@example.test,Seat,2,${iso},Waiting$`))
    // As the attendee export writes it (test/events/attendees-csv.test.ts).
    expect(lines[3]).toBe('2,Cy Third,cy@example.test,Seat,1,2026-01-02T04:04:05+01:00,Waiting')
  })

  it('answers 404 to another organiser and sends anonymous visitors to log in, changing nothing', async () => {
    const { browser: other } = await loginAs(t, personas.otherOrganiser)
    const entry = await t.db.selectFrom('waitingListEntries').select('id').where('email', '=', 'cy@example.test').executeTakeFirstOrThrow()
    for (const url of [`/events/${eventId}/waiting-list`, `/events/${eventId}/waiting-list.csv`]) {
      expect((await other.get(url)).statusCode, url).toBe(404)
      const anonymous = await new TestBrowser(t.app).get(url)
      expect(anonymous.statusCode, url).toBe(303)
      expect(anonymous.headers.location).toMatch(/^\/login/)
    }
    await other.get('/organiser')
    expect((await other.post(`/waiting-list/${entry.id}/remove`)).statusCode).toBe(404)
    const attendee = await loginAs(t, personas.attendee)
    await attendee.browser.get('/')
    expect((await attendee.browser.post(`/waiting-list/${entry.id}/remove`)).statusCode).toBe(403)
    expect(await t.db.selectFrom('waitingListEntries').select('state').where('id', '=', entry.id).executeTakeFirstOrThrow()).toEqual({
      state: 'waiting',
    })
  })

  it('removes a person, audited; removing the holder of an offer passes it to the next in line', async () => {
    const admin = await loginAs(t, personas.admin)
    await admin.browser.get(`/events/${eventId}/waiting-list`)
    const ada = await t.db.selectFrom('waitingListEntries').select('id').where('email', '=', 'ada@example.test').executeTakeFirstOrThrow()
    const removed = await admin.browser.post(`/waiting-list/${ada.id}/remove`)
    expect(removed.statusCode).toBe(303)
    expect(removed.headers.location).toBe(`/events/${eventId}/waiting-list`)
    const states = await t.db
      .selectFrom('waitingListEntries')
      .select(['email', 'state', 'offeredQuantity'])
      .where('eventId', '=', eventId)
      .orderBy('id')
      .execute()
    expect(states).toEqual([
      { email: 'ada@example.test', state: 'removed', offeredQuantity: 1 },
      { email: 'formula@example.test', state: 'offered', offeredQuantity: 1 },
      { email: 'cy@example.test', state: 'waiting', offeredQuantity: null },
    ])
    const audit = await t.db.selectFrom('auditLog').selectAll().where('action', '=', 'waiting_list.removed').executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actorLabel: personas.admin.email, subjectId: ada.id })
    expect(await capacityViolations(t.db, eventId)).toEqual([])
    const again = await admin.browser.post(`/waiting-list/${ada.id}/remove`)
    expect(again.statusCode).toBe(303)
    expect(await t.db.selectFrom('auditLog').select('id').where('action', '=', 'waiting_list.removed').execute()).toHaveLength(1)
  })

  it('ends the list with the event: cancelling releases every hold', async () => {
    const { browser } = await loginAs(t, owner)
    await browser.get(`/events/${eventId}/cancel`)
    expect((await browser.post(`/cancel-event/${eventId}`)).statusCode).toBe(303)
    const open = await t.db
      .selectFrom('waitingListEntries')
      .select('id')
      .where('eventId', '=', eventId)
      .where('state', 'in', ['waiting', 'offered'])
      .execute()
    expect(open).toEqual([])
    expect(await capacityViolations(t.db, eventId)).toEqual([])
    // The people still on the list are told; the one removed before is not.
    const told = await t.db
      .selectFrom('outbox')
      .select('recipient')
      .where('kind', '=', 'waiting-list-event-cancelled')
      .orderBy('recipient')
      .execute()
    expect(told.map((mail) => mail.recipient)).toEqual(['cy@example.test', 'formula@example.test'])
  })
})
