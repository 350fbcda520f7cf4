import { beforeAll, expect, it } from 'vitest'
import { PHASE_ORDER, eventPhase, phaseRank } from '../../src/features/events/event.rules.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { createPersonas, createUser } from '../helpers/personas.js'
import { queriesDuring } from '../helpers/queries.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { refundOrder } from '../../src/features/payments/refunds.js'
import { DAY, servicesAs } from './support.js'

describeEachDatabase('GET /organiser', (kind) => {
  const t = useTestApp(kind)
  let personas: Awaited<ReturnType<typeof createPersonas>>
  const ids: Record<string, number> = {}
  let soldTypeId: number

  beforeAll(async () => {
    personas = await createPersonas(t.db)
    const owner = personas.organiser.id
    const now = Date.now()
    ids.draft = (await createEvent(t.db, owner, { title: 'Draft Event', status: 'draft' })).event.id
    ids.scheduled = (await createEvent(t.db, owner, { title: 'Scheduled Event', publishedAt: now + DAY })).event.id
    const onSale = await createEvent(t.db, owner, {
      title: 'Selling Event',
      capacity: 150,
      ticketTypes: [
        { name: 'Standard', priceMinor: 2500, capacity: 100 },
        { name: 'Student', priceMinor: 1000, capacity: 50 },
      ],
    })
    ids.onSale = onSale.event.id
    soldTypeId = onSale.ticketTypes[0]!.id
    await placeOrder(t.db, onSale.event.id, onSale.ticketTypes[0]!.id, { quantity: 3 })
    await placeOrder(t.db, onSale.event.id, onSale.ticketTypes[1]!.id, { quantity: 1 })
    await placeOrder(t.db, onSale.event.id, onSale.ticketTypes[1]!.id, { quantity: 1, status: 'cancelled' })
    ids.past = (
      await createEvent(t.db, owner, { title: 'Past Event', startsAt: now - 3 * DAY, endsAt: now - 2 * DAY, publishedAt: now - 10 * DAY })
    ).event.id
    ids.cancelled = (await createEvent(t.db, owner, { title: 'Cancelled Event', status: 'cancelled' })).event.id
    ids.others = (await createEvent(t.db, personas.otherOrganiser.id, { title: 'Someone Else’s Event' })).event.id
  })

  /** The HTML of one event's block on the dashboard. */
  function blockOf(body: string, id: number): string {
    const start = body.indexOf(`data-live-event="${id}"`)
    expect(start, `event ${id} on the dashboard`).toBeGreaterThan(0)
    const next = body.indexOf('data-live-event="', start + 1)
    return body.slice(start, next === -1 ? undefined : next)
  }

  it('groups the organiser’s events by phase, in order, and shows only theirs', async () => {
    const { browser } = await loginAs(t, personas.organiser)
    const page = await browser.get('/organiser')
    expect(page.statusCode).toBe(200)
    const headings = [...page.body.matchAll(/<h2 id="group-([a-z_]+)">/g)].map((match) => match[1])
    expect(headings).toEqual(['draft', 'scheduled', 'on_sale', 'past', 'cancelled'])
    const order = ['Draft Event', 'Scheduled Event', 'Selling Event', 'Past Event', 'Cancelled Event'].map((title) =>
      page.body.indexOf(title),
    )
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(page.body).not.toContain('Someone Else’s Event')
    expect(page.body).not.toContain('You are an admin')
  })

  it('shows sold / capacity per ticket type, revenue, and money due at the door apart, marked for live updates', async () => {
    const { browser } = await loginAs(t, personas.organiser)
    const block = blockOf((await browser.get('/organiser')).body, ids.onSale!)
    expect(block).toContain(`<span data-live-sold="${soldTypeId}">3</span> / 100`)
    expect(block).toMatch(/data-live-sold="\d+">1<\/span> \/ 50/)
    expect(block).toMatch(/data-live-status="on_sale">On sale</)
    expect(block).toContain('Sold <strong data-live-sold-total>4</strong> of 150')
    // Reservations to be paid at the door: money due, none of it received yet.
    expect(block).toContain('revenue <strong data-live-revenue>€0.00</strong>')
    expect(block).toContain('Awaiting payment <strong data-live-awaiting>€0.00</strong>')
    expect(block).toContain('due at the door <strong data-live-due-at-door>€85.00</strong>')
    for (const href of [`/edit-event/${ids.onSale}`, `/events/${ids.onSale}/preview`, `/events/${ids.onSale}/orders`])
      expect(block).toContain(`href="${href}"`)
  })

  it('shows revenue in the currency each order was paid in, one sum per currency, on the dashboard and the event’s page', async () => {
    const owner = await createUser(t.db, 'organiser')
    const mixed = await createEvent(t.db, owner.id, { title: 'Mixed Currencies', ticketTypes: [{ priceMinor: 2500 }] })
    const typeId = mixed.ticketTypes[0]!.id
    const paidAtDoor = (order: { id: number }) => recordPaymentByHand(t.db, order.id, 'at-door', servicesAs(t, owner).actor)
    await paidAtDoor(await placeOrder(t.db, mixed.event.id, typeId, { quantity: 2 }))
    await paidAtDoor(await placeOrder(t.db, mixed.event.id, typeId, { quantity: 1, currency: 'USD' }))
    await placeOrder(t.db, mixed.event.id, typeId, { quantity: 1, currency: 'GBP', status: 'cancelled' })
    const older = await createEvent(t.db, owner.id, { title: 'Sold Before The Change', ticketTypes: [{ priceMinor: 1000 }] })
    await paidAtDoor(await placeOrder(t.db, older.event.id, older.ticketTypes[0]!.id, { quantity: 3, currency: 'JPY' }))

    const { browser } = await loginAs(t, owner)
    const page = (await browser.get('/organiser')).body
    expect(blockOf(page, mixed.event.id)).toContain('3 orders</span> · revenue <strong data-live-revenue>€50.00 + US$25.00</strong>')
    expect(blockOf(page, older.event.id)).toContain('revenue <strong data-live-revenue>JP¥3,000</strong>')
    expect((await browser.get(`/edit-event/${mixed.event.id}`)).body).toContain('revenue <strong>€50.00 + US$25.00</strong>')
  })

  it('counts as revenue only money received, less refunds, and shows money awaited and due at the door apart', async () => {
    const owner = await createUser(t.db, 'organiser')
    const { actor } = servicesAs(t, owner)
    const { event, ticketTypes } = await createEvent(t.db, owner.id, { title: 'Honest Figures', ticketTypes: [{ priceMinor: 2500 }] })
    const typeId = ticketTypes[0]!.id
    const transfer = { method: 'bank-transfer', deadline: Date.now() + 7 * DAY }
    // Waiting for a transfer, and reserved to be paid at the door: money due, not received.
    await placeOrder(t.db, event.id, typeId, { payment: transfer })
    await placeOrder(t.db, event.id, typeId, { quantity: 2 })
    // Paid by transfer, then refunded in part: what was kept is revenue.
    const refunded = await placeOrder(t.db, event.id, typeId, { quantity: 2, payment: transfer })
    await recordPaymentByHand(t.db, refunded.id, 'bank-transfer', actor)
    await refundOrder(t.db, refunded.id, 1500, { reason: 'organiser', actor })
    // Paid at the door, refunded in full: nothing received.
    const returned = await placeOrder(t.db, event.id, typeId)
    await recordPaymentByHand(t.db, returned.id, 'at-door', actor)
    await refundOrder(t.db, returned.id, 'rest', { reason: 'organiser', actor })

    const { browser } = await loginAs(t, owner)
    const block = blockOf((await browser.get('/organiser')).body, event.id)
    expect(block).toContain('<span data-live-orders>4 orders</span> · revenue <strong data-live-revenue>€35.00</strong>')
    expect(block).toContain('Awaiting payment <strong data-live-awaiting>€25.00</strong>')
    expect(block).toContain('due at the door <strong data-live-due-at-door>€50.00</strong>')
    const manage = (await browser.get(`/edit-event/${event.id}`)).body
    expect(manage).toContain('revenue <strong>€35.00</strong>')
    expect(manage).toContain('Awaiting payment <strong>€25.00</strong> · due at the door <strong>€50.00</strong>')
  })

  it('badges a sold-out event as sold out, as its live updates will, and shows no revenue as an amount', async () => {
    const owner = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, owner.id, { title: 'Tiny Gig', ticketTypes: [{ priceMinor: 0, capacity: 1 }] })
    const { browser } = await loginAs(t, owner)
    expect(blockOf((await browser.get('/organiser')).body, event.id)).toContain('revenue <strong data-live-revenue>€0.00</strong>')
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 1 })
    const block = blockOf((await browser.get('/organiser')).body, event.id)
    expect(block).toMatch(/data-live-status="sold_out">Sold out</)
    expect(block).toContain('<span data-live-orders>1 order</span>')
  })

  it('offers publishing for drafts and scheduled events', async () => {
    const { browser } = await loginAs(t, personas.organiser)
    const page = (await browser.get('/organiser')).body
    expect(blockOf(page, ids.draft!)).toContain(`action="/publish-event/${ids.draft}"`)
    expect(blockOf(page, ids.scheduled!)).toContain('Goes on sale')
    expect(blockOf(page, ids.onSale!)).not.toContain('action="/publish-event/')
  })

  it('shows an admin every organiser’s events, and says so', async () => {
    const { browser } = await loginAs(t, personas.admin)
    const page = await browser.get('/organiser')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('You are an admin: this lists every organiser')
    expect(page.body).toContain('Someone Else’s Event')
    expect(page.body).toContain('Selling Event')
    expect(page.body).toContain(`by <bdi>${personas.otherOrganiser.name}</bdi>`)
  })

  it('invites an organiser without events to create one', async () => {
    const { browser } = await loginAs(t, personas.otherOrganiser)
    await t.db.deleteFrom('ticketTypes').where('eventId', '=', ids.others!).execute()
    await t.db.deleteFrom('events').where('id', '=', ids.others!).execute()
    expect((await browser.get('/organiser')).body).toContain('No events yet.')
  })

  it('sorts each event in SQL by the phase it is grouped under', async () => {
    const now = Date.now()
    await createEvent(t.db, personas.organiser.id, { title: 'Published, no date', publishedAt: null })
    const rows = await t.db
      .selectFrom('events')
      .selectAll()
      .select((eb) => phaseRank(now)(eb).as('rank'))
      .execute()
    expect(new Set(rows.map((row) => eventPhase(row, now)))).toEqual(new Set(PHASE_ORDER))
    for (const row of rows) expect(PHASE_ORDER[Number(row.rank)], row.title).toBe(eventPhase(row, now))
  })

  it('shows 25 events a page, a group running on into the next page, and reads ticket types and orders of that page’s events only', async () => {
    const owner = await createUser(t.db, 'organiser')
    const now = Date.now()
    const titles = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix} ${String(i + 1).padStart(2, '0')}`)
    // The drafts start later than the events on sale, and are still listed first: the groups come in their order, then the dates.
    for (const [i, title] of titles('Draft', 20).entries())
      await createEvent(t.db, owner.id, { title, status: 'draft', startsAt: now + (30 + i) * DAY })
    for (const [i, title] of titles('Selling', 10).entries()) await createEvent(t.db, owner.id, { title, startsAt: now + (10 + i) * DAY })
    const { browser } = await loginAs(t, owner)
    const listed = (body: string) =>
      [...body.matchAll(/<h3 dir="auto"><a href="\/edit-event\/(\d+)">([^<]+)<\/a><\/h3>/g)].map((match) => ({
        id: Number(match[1]),
        title: match[2],
      }))
    const groups = (body: string) =>
      [...body.matchAll(/<h2 id="group-([a-z_]+)">[^<]+<span class="muted">\((\d+)\)<\/span>/g)].map((match) => `${match[1]} ${match[2]}`)

    const { result, queries } = await queriesDuring(t.db, () => browser.get('/organiser'))
    const first = result.body
    const onFirst = listed(first)
    expect(onFirst.map((event) => event.title)).toEqual([...titles('Draft', 20), ...titles('Selling', 5)])
    expect(groups(first)).toEqual(['draft 20', 'on_sale 10'])
    expect(first).not.toContain('Continued from the previous page.')
    expect(first).toContain('<a href="/organiser?page=2" rel="next">')
    expect(first).not.toContain('rel="prev"')
    const pageIds = onFirst.map((event) => event.id).sort((a, b) => a - b)
    const perEvent = queries.filter((query) => /from "(ticket_types|orders)"/.test(query.sql))
    expect(perEvent).toHaveLength(2)
    for (const query of perEvent) {
      const ids = query.parameters.filter((value) => typeof value === 'number').sort((a, b) => a - b)
      expect(ids, query.sql).toEqual(pageIds)
    }

    const second = (await browser.get('/organiser?page=2')).body
    expect(listed(second).map((event) => event.title)).toEqual(titles('Selling', 10).slice(5))
    expect(groups(second)).toEqual(['on_sale 10'])
    expect(second).toContain('Continued from the previous page.')
    expect(second).toContain('<a href="/organiser" rel="prev">')
    expect(second).not.toContain('rel="next"')

    const beyond = await browser.get('/organiser?page=3')
    expect(beyond.statusCode).toBe(200)
    expect(beyond.body).toContain('No events on this page.')
    expect(beyond.body).toContain('<a href="/organiser?page=2" rel="prev">')
  })
})
