import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'
import { addDoorStaff, sellAtDesk, setDeskSettings, soldOrder } from '../helpers/box-office.js'

const HOUR = 60 * 60 * 1000

/** Who sells at an event's desk: its organiser, its door staff when the organiser lets them, nobody else; and what the desk may sell. */
describeEachDatabase('who sells at the box office', (kind) => {
  const t = useTestApp(kind)
  let organiser: LoggedIn
  let staff: LoggedIn
  let otherOrganiser: LoggedIn
  let staffElsewhere: LoggedIn
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    organiser = await loginAs(t, 'organiser')
    staff = await loginAs(t, await createUser(t.db, 'attendee', { name: 'Sam Steward' }))
    otherOrganiser = await loginAs(t, 'organiser')
    staffElsewhere = await loginAs(t, 'attendee')
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { title: 'Staffed Gala', ticketTypes: [{ capacity: 50 }] })
    eventId = event.id
    typeId = ticketTypes[0]!.id
    await addDoorStaff(t.db, eventId, staff.user, organiser.user.id)
    const { event: elsewhere } = await createEvent(t.db, otherOrganiser.user.id, { title: 'Elsewhere' })
    await addDoorStaff(t.db, elsewhere.id, staffElsewhere.user, otherOrganiser.user.id)
  })

  const desk = () => `/events/${eventId}/box-office`
  const sale = (name: string) => ({ [`qty_${typeId}`]: '1', name, payment: 'cash' })

  async function ordersNamed(name: string) {
    return t.db.selectFrom('orders').select('id').where('buyerName', '=', name).execute()
  }

  it('is the organiser’s to allow: door staff get a 404 until the event form lets them sell, then sell under their own name', async () => {
    expect((await staff.browser.get(desk())).statusCode).toBe(404)
    // The check-in page, theirs already, offers no desk.
    expect((await staff.browser.get(`/events/${eventId}/check-in`)).body).not.toContain(`href="/events/${eventId}/box-office"`)
    await staff.browser.get(`/events/${eventId}/check-in`)
    const refused = await staff.browser.post(desk(), { ...sale('Sneaky Sale'), key: 'k'.repeat(24) })
    expect(refused.statusCode).toBe(404)
    expect(refused.body).not.toContain('Staffed Gala')
    expect(await ordersNamed('Sneaky Sale')).toEqual([])

    // The organiser ticks the box on the event's form; the door staff page says where.
    const form = await organiser.browser.get(`/edit-event/${eventId}`)
    expect(form.body).toMatch(/id="f-staffMaySell"(?![^>]* checked)/)
    expect((await organiser.browser.get(`/events/${eventId}/door-staff`)).body).toContain('they do not sell at the box office')
    await setDeskSettings(t.db, eventId, { staffMaySell: true })
    expect((await organiser.browser.get(`/events/${eventId}/door-staff`)).body).toContain('may also sell tickets at the box office')
    expect((await staff.browser.get(`/events/${eventId}/check-in`)).body).toContain(`href="/events/${eventId}/box-office"`)
    const sold = await sellAtDesk(staff.browser, eventId, sale('Staff Sale'))
    expect(sold.statusCode, sold.body).toBe(303)
    const { order, payments } = await soldOrder(t.db, sold.headers.location as string)
    expect(order).toMatchObject({ soldBy: staff.user.email, salesChannel: 'box-office', userId: null })
    expect(payments).toEqual([expect.objectContaining({ method: 'cash', recordedBy: staff.user.email })])
    const audit = await t.db
      .selectFrom('auditLog')
      .select(['actorId', 'actorLabel'])
      .where('action', '=', 'order.placed')
      .where('subjectId', '=', order.id)
      .executeTakeFirstOrThrow()
    expect(audit).toEqual({ actorId: staff.user.id, actorLabel: staff.user.email })

    // Staff print by the order's own link; the organiser's print pages are not theirs (an organiser's page refuses an attendee's account).
    const page = await staff.browser.get(sold.headers.location as string)
    expect(page.body).toContain(`href="/orders/${order.code}/tickets?key=${order.accessKey}"`)
    expect((await staff.browser.get(`/orders/${order.code}/tickets?key=${order.accessKey}`)).statusCode).toBe(200)
    expect((await staff.browser.get(`/events/${eventId}/orders/${order.code}/tickets`)).statusCode).toBe(403)

    // Taken back: a 404 again.
    await setDeskSettings(t.db, eventId, { staffMaySell: false })
    expect((await staff.browser.get(desk())).statusCode).toBe(404)
    expect((await staff.browser.get(sold.headers.location as string)).statusCode).toBe(404)
  })

  it('the event form’s box, ticked and saved, lets door staff sell; it is off for a new event', async () => {
    await setDeskSettings(t.db, eventId, { staffMaySell: false })
    expect((await organiser.browser.get('/create-event')).body).toMatch(/id="f-staffMaySell"(?![^>]* checked)/)
    const form = await organiser.browser.get(`/edit-event/${eventId}`)
    const fields = Object.fromEntries(
      [...form.body.matchAll(/<input id="f-(\w+)" name="\w+" type="(?:text|datetime-local|url)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    )
    const saved = await organiser.browser.post(`/edit-event/${eventId}`, {
      ...fields,
      description: '',
      timeZone: 'Europe/Berlin',
      'paymentMethod-at-door': '1',
      staffMaySell: '1',
    })
    expect(saved.statusCode, saved.body).toBe(303)
    const event = await t.db
      .selectFrom('events')
      .select(['staffMaySell', 'deskIgnoresSalesWindows'])
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow()
    expect(event).toEqual({ staffMaySell: 1, deskIgnoresSalesWindows: 0 })
    const audit = await t.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'event.updated')
      .where('subjectId', '=', eventId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(audit.details).changed).toMatchObject({ staffMaySell: { from: false, to: true } })
    expect((await staff.browser.get(desk())).statusCode).toBe(200)
  })

  it('answers 404 to another organiser, to door staff of another event, to a staff link and to a logged-out visitor, even when staff may sell', async () => {
    await setDeskSettings(t.db, eventId, { staffMaySell: true })
    await organiser.browser.get(`/events/${eventId}/door-staff`)
    const made = await organiser.browser.post(`/events/${eventId}/door-staff/links`, { label: 'Desk tablet' })
    const link = /data-staff-link>([^<]+)</.exec(made.body)![1]!
    const tablet = new TestBrowser(t.app)
    await tablet.get(new URL(link).pathname)
    expect((await tablet.get(`/events/${eventId}/check-in`)).statusCode).toBe(200)
    const anonymous = new TestBrowser(t.app)
    await anonymous.get('/login')

    for (const [who, browser] of [
      ['another organiser', otherOrganiser.browser],
      ['staff of another event', staffElsewhere.browser],
      ['a staff link', tablet],
      ['a logged-out visitor', anonymous],
    ] as const) {
      await browser.get('/login')
      const page = await browser.get(desk())
      expect(page.statusCode, who).toBe(404)
      expect(page.body, who).not.toContain('Staffed Gala')
      const post = await browser.post(desk(), { ...sale(`Outsider ${who}`), key: 'k'.repeat(24) })
      expect(post.statusCode, who).toBe(404)
      expect(await ordersNamed(`Outsider ${who}`), who).toEqual([])
    }
  })

  it('refuses a form without its token (CSRF), as every form', async () => {
    await organiser.browser.get(desk())
    const forged = await organiser.browser.post(desk(), { ...sale('Forged Sale'), _csrf: 'forged' })
    expect(forged.statusCode).toBe(403)
    expect(await ordersNamed('Forged Sale')).toEqual([])
  })

  it('keeps the sales windows unless the organiser lets the desk sell outside them, and never sells after the event', async () => {
    const now = Date.now()
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Closed Online',
      ticketTypes: [{ name: 'Early', salesEndAt: now - HOUR, capacity: 10 }],
    })
    const early = ticketTypes[0]!.id
    const closed = await sellAtDesk(organiser.browser, event.id, { [`qty_${early}`]: '1', name: 'Late Larry', payment: 'cash' })
    expect(closed.statusCode).toBe(409)
    expect(closed.body).toContain('Early: sales have ended.')
    expect(closed.body).toContain('value="Late Larry"')

    await setDeskSettings(t.db, event.id, { deskIgnoresSalesWindows: true })
    const sold = await sellAtDesk(organiser.browser, event.id, { [`qty_${early}`]: '1', name: 'Late Larry', payment: 'cash' })
    expect(sold.statusCode, sold.body).toBe(303)
    expect((await soldOrder(t.db, sold.headers.location as string)).order.status).toBe('paid')

    const { event: past } = await createEvent(t.db, organiser.user.id, { startsAt: now - 3 * HOUR, endsAt: now - HOUR })
    const over = await organiser.browser.get(`/events/${past.id}/box-office`)
    expect(over.statusCode).toBe(200)
    expect(over.body).toContain('This event is over.')
    expect(over.body).not.toContain('Sell tickets')
  })
})
