import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

/** The key the buy form carries; a resubmitted form sends the same one. */
function formKey(html: string): string {
  const key = /name="key" value="([^"]+)"/.exec(html)?.[1]
  if (!key) throw new Error('the buy page has no form key')
  return key
}

describeEachDatabase('buying tickets with plain forms', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  it('finds an event by search, buys three tickets, sees the order with QR codes, and a resubmit buys nothing more', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Harbour Jazz Night',
      ticketTypes: [
        { name: 'Standing', priceMinor: 1250, capacity: 20 },
        { name: 'Seated', priceMinor: 3000, capacity: 5 },
      ],
    })
    const [standing, seated] = ticketTypes
    const visitor = new TestBrowser(t.app)

    const search = await visitor.get('/attendee?q=harbour')
    expect(search.body).toContain(`href="/event/${event.id}"`)
    const page = await visitor.get(`/event/${event.id}`)
    expect(page.body).toContain('20 left')
    const form = await visitor.get(`/buy-tickets/${event.id}`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('We send a confirmation with the link to your order to this address.')
    expect(form.body).not.toContain('No email is sent')

    const fields = {
      key: formKey(form.body),
      [`qty_${standing!.id}`]: '2',
      [`qty_${seated!.id}`]: '1',
      name: 'Jo Buyer',
      email: 'jo@example.test',
    }
    const sessionsBefore = await t.db.selectFrom('sessions').selectAll().execute()
    const bought = await visitor.post(`/purchase/${event.id}`, fields)
    // The order remembers its browser, so buying does not rewrite the session row.
    expect(await t.db.selectFrom('sessions').selectAll().execute()).toEqual(sessionsBefore)
    expect(bought.statusCode).toBe(303)
    expect(bought.headers.location).toMatch(/^\/purchase\/success\?order=[0-9A-Z]{10}$/)

    const success = await visitor.get(bought.headers.location!)
    expect(success.statusCode).toBe(200)
    expect(success.headers['cache-control']).toBe('private, no-store')
    const order = await t.db.selectFrom('orders').selectAll().where('eventId', '=', event.id).executeTakeFirstOrThrow()
    expect(order.totalMinor).toBe(2 * 1250 + 3000)
    expect(order.buyerEmail).toBe('jo@example.test')
    // As the form's hint says: a confirmation with the order's link goes to the address typed.
    const confirmation = await t.db.selectFrom('outbox').select(['recipient', 'data']).where('kind', '=', 'order-confirmation').execute()
    expect(confirmation.filter((row) => JSON.parse(row.data).orderId === order.id).map((row) => row.recipient)).toEqual(['jo@example.test'])
    const tickets = await t.db.selectFrom('tickets').selectAll().where('orderId', '=', order.id).execute()
    expect(tickets).toHaveLength(3)
    expect(new Set(tickets.map((ticket) => ticket.code)).size).toBe(3)
    expect(success.body).toContain(order.code)
    for (const ticket of tickets) expect(success.body).toContain(ticket.code)
    expect(success.body.match(/<img src="\/tickets\/[0-9A-Z]{16}\/qr\.svg"/g)).toHaveLength(3)
    const qr = await visitor.get(`/tickets/${tickets[0]!.code}/qr.svg`)
    expect(qr.headers['content-type']).toBe('image/svg+xml')
    expect(qr.body).toMatch(/^<svg /)
    expect(success.body).toContain('€55.00')

    // The same form again (refresh after POST, back and submit, double click): the same order.
    const again = await visitor.post(`/purchase/${event.id}`, fields)
    expect(again.headers.location).toBe(bought.headers.location)
    expect(await t.db.selectFrom('orders').select('id').where('eventId', '=', event.id).execute()).toHaveLength(1)
    const types = await t.db.selectFrom('ticketTypes').select(['id', 'sold']).where('eventId', '=', event.id).orderBy('id').execute()
    expect(types.map((type) => type.sold)).toEqual([2, 1])
    const audit = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'order.placed')
      .where('subjectId', '=', order.id)
      .execute()
    expect(audit, 'one audit entry for the order, none for the resubmit').toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorLabel: 'jo@example.test', subjectType: 'order', ip: '127.0.0.1' })
    expect(JSON.parse(audit[0]!.details)).toEqual({
      code: order.code,
      eventId: event.id,
      tickets: 3,
      totalMinor: 5500,
      currency: 'EUR',
      paymentMethod: 'at-door',
    })

    // The kept link opens the order later in another browser; without the key it is 404.
    const link = `/orders/${order.code}?key=${order.accessKey}`
    expect(success.body).toContain(link)
    const later = new TestBrowser(t.app)
    const reopened = await later.get(link)
    expect(reopened.statusCode).toBe(200)
    expect(reopened.body).toContain('Harbour Jazz Night')
    expect((await later.get(`/orders/${order.code}`)).statusCode).toBe(404)
    expect((await later.get(`/orders/${order.code}?key=wrong`)).statusCode).toBe(404)
    // The browser that bought it opens it without the key.
    expect((await visitor.get(`/orders/${order.code}`)).statusCode).toBe(200)
    // The success page is the buying browser's only: the same URL elsewhere is 404.
    expect((await new TestBrowser(t.app).get(bought.headers.location!)).statusCode).toBe(404)
    expect((await visitor.get('/purchase/success')).statusCode).toBe(404)

    // Cancelling asks first, then gives the capacity back, once.
    expect(reopened.body).toContain(`href="/orders/${order.code}/cancel?key=${order.accessKey}"`)
    const confirm = await later.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)
    expect(confirm.body).toContain(`Cancel order ${order.code}?`)
    // An order without seats says nothing of seats.
    expect(confirm.body).toMatch(/\) stop being valid and go back on sale\. This cannot be undone\./)
    // Placed, not cancelled: priced, on an event that offers only the door, it waits for its payment there.
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('pending')
    expect((await new TestBrowser(t.app).get(`/orders/${order.code}/cancel`)).statusCode).toBe(404)
    const cancelled = await later.post(`/orders/${order.code}/cancel`, { key: order.accessKey })
    expect(cancelled.statusCode).toBe(303)
    const afterCancel = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).orderBy('id').execute()
    expect(afterCancel.map((type) => type.sold)).toEqual([0, 0])
    expect((await t.db.selectFrom('events').select('sold').where('id', '=', event.id).executeTakeFirstOrThrow()).sold).toBe(0)
    const cancelledTwice = await later.post(`/orders/${order.code}/cancel`, { key: order.accessKey })
    expect(cancelledTwice.statusCode).toBe(303)
    const afterTwice = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).orderBy('id').execute()
    expect(afterTwice.map((type) => type.sold)).toEqual([0, 0])
    const orderPage = await later.get(link)
    expect(orderPage.body).toContain('This order is cancelled')
    expect(orderPage.body).toContain('already cancelled')
  })

  it('links a logged-in buyer’s order to their account, prefills the form and lists it under My tickets', async () => {
    const attendee = await createUser(t.db, 'attendee', { name: 'Lee Logged' })
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Members Evening' })
    const browser = new TestBrowser(t.app)
    await browser.login(attendee.email, attendee.password)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    expect(form.body).toContain('value="Lee Logged"')
    expect(form.body).toContain(`value="${attendee.email}"`)
    await browser.post(`/purchase/${event.id}`, {
      key: formKey(form.body),
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'Lee Logged',
      email: attendee.email,
    })
    const order = await t.db.selectFrom('orders').selectAll().where('eventId', '=', event.id).executeTakeFirstOrThrow()
    expect(order.userId).toBe(attendee.id)
    const mine = await browser.get('/my-tickets')
    expect(mine.body).toContain('Members Evening')
    expect(mine.body).toContain(order.code)
  })

  it('keeps My tickets to its owner: a visitor is sent to log in, another account sees none of them', async () => {
    const owner = await createUser(t.db, 'attendee')
    const other = await createUser(t.db, 'attendee')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Private Viewing' })
    const browser = new TestBrowser(t.app)
    await browser.login(owner.email, owner.password)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    await browser.post(`/purchase/${event.id}`, {
      key: formKey(form.body),
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'A Friend',
      email: 'friend@example.test',
    })
    expect((await browser.get('/my-tickets')).body).toContain('Private Viewing')
    const placed = await t.db
      .selectFrom('auditLog')
      .select(['actorId', 'actorLabel'])
      .where('action', '=', 'order.placed')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(placed, 'the audit log names the account, not the email typed for a friend').toEqual({
      actorId: owner.id,
      actorLabel: owner.email,
    })

    const anonymous = await new TestBrowser(t.app).get('/my-tickets')
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe('/login?next=%2Fmy-tickets')
    const someoneElse = new TestBrowser(t.app)
    await someoneElse.login(other.email, other.password)
    const theirs = await someoneElse.get('/my-tickets')
    expect(theirs.statusCode).toBe(200)
    expect(theirs.body).not.toContain('Private Viewing')
  })

  it('refuses cancellation when the organiser turned it off, and after the event started', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { allowBuyerCancellation: false })
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/buy-tickets/${event.id}`)
    await browser.post(`/purchase/${event.id}`, {
      key: formKey(form.body),
      [`qty_${ticketTypes[0]!.id}`]: '1',
      name: 'No Refund',
      email: 'n@example.test',
    })
    const order = await t.db.selectFrom('orders').selectAll().where('eventId', '=', event.id).executeTakeFirstOrThrow()
    const page = await browser.get(`/orders/${order.code}`)
    expect(page.body).toContain('does not allow buyers to cancel')
    expect(page.body).not.toContain('Cancel this order')
    await browser.post(`/orders/${order.code}/cancel`, { key: order.accessKey })
    const still = await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()
    // Still the reservation it was (to be paid at the door), not cancelled.
    expect(still.status).toBe('pending')
  })
})
