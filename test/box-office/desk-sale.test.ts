import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { sellAtDesk, soldOrder } from '../helpers/box-office.js'
import { audienceOf } from '../../src/features/holder-messages/holder-message.repository.js'

/** Selling at the box office's desk: paid at once by cash or card terminal, or given away with a reason; bad input comes back as typed. */
describeEachDatabase('a sale at the box office', (kind) => {
  const t = useTestApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number
  let standard: number
  let balcony: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Desk Night',
      ticketTypes: [
        { name: 'Standard', priceMinor: 2500, capacity: 40, maxPerOrder: 2 },
        { name: 'Balcony', priceMinor: 1500, capacity: 3 },
      ],
    })
    eventId = event.id
    standard = ticketTypes[0]!.id
    balcony = ticketTypes[1]!.id
  })

  async function counts() {
    const event = await t.db.selectFrom('events').select('sold').where('id', '=', eventId).executeTakeFirstOrThrow()
    const types = await t.db.selectFrom('ticketTypes').select(['id', 'sold']).where('eventId', '=', eventId).orderBy('id').execute()
    return { event: event.sold, types: Object.fromEntries(types.map((type) => [type.id, type.sold])) }
  }

  async function auditOf(orderId: number) {
    const entry = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'order.placed')
      .where('subjectId', '=', orderId)
      .executeTakeFirstOrThrow()
    return { ...entry, details: JSON.parse(entry.details) as Record<string, unknown> }
  }

  it('sells two tickets for cash: the order paid at once, a payment recorded by the seller, capacity taken, the sale audited', async () => {
    const before = await counts()
    const sold = await sellAtDesk(organiser.browser, eventId, {
      [`qty_${standard}`]: '2',
      name: 'Walk-in Wanda',
      email: '',
      payment: 'cash',
    })
    expect(sold.statusCode, sold.body).toBe(303)
    const { order, tickets, payments } = await soldOrder(t.db, sold.headers.location as string)

    expect(order).toMatchObject({
      status: 'paid',
      paymentMethod: 'cash',
      paymentDeadline: null,
      salesChannel: 'box-office',
      soldBy: organiser.user.email,
      complimentaryReason: null,
      buyerName: 'Walk-in Wanda',
      buyerEmail: '',
      totalMinor: 5000,
      // Sold to someone else: the organiser's own tickets page does not list it.
      userId: null,
    })
    expect(order.paidAt).toBe(order.createdAt)
    expect(tickets.map((ticket) => [ticket.ticketTypeId, ticket.priceMinor])).toEqual([
      [standard, 2500],
      [standard, 2500],
    ])
    expect(payments).toEqual([
      expect.objectContaining({ method: 'cash', state: 'paid', amountMinor: 5000, recordedBy: organiser.user.email, providerRef: null }),
    ])
    const after = await counts()
    expect(after.event).toBe(before.event + 2)
    expect(after.types[standard]).toBe(before.types[standard]! + 2)

    const audit = await auditOf(order.id)
    expect(audit.actorId).toBe(organiser.user.id)
    expect(audit.actorLabel).toBe(organiser.user.email)
    expect(audit.details).toMatchObject({
      code: order.code,
      tickets: 2,
      totalMinor: 5000,
      salesChannel: 'box-office',
      paymentMethod: 'cash',
      ticketTypes: { [standard]: 2 },
    })
    // Nobody to write to: no address was given.
    const mails = await t.db.selectFrom('outbox').select('recipient').where('data', 'like', `%"orderId":${order.id},%`).execute()
    expect(mails).toEqual([])

    // The sale's page: the order, each ticket's QR code, and where its tickets print.
    const page = await organiser.browser.get(sold.headers.location as string)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`Sold: order ${order.code}`)
    expect(page.body).toContain('2 tickets for Walk-in Wanda, €50.00.')
    expect(page.body).toContain('No email was given: print the tickets, or show their QR codes below.')
    expect(page.body.match(/<img src="\/tickets\/[0-9A-Z]{16}\/qr\.svg"/g)).toHaveLength(2)
    expect(page.body).toContain(`href="/events/${eventId}/orders/${order.code}/tickets"`)
    expect(page.body).toContain(`href="/events/${eventId}/orders/${order.code}/tickets.pdf"`)
    expect((await organiser.browser.get(`/events/${eventId}/orders/${order.code}/tickets`)).statusCode).toBe(200)
  })

  it('sells past a ticket type’s per-order limit (the organiser’s judgement), and mails the confirmation to an address given', async () => {
    const sold = await sellAtDesk(organiser.browser, eventId, {
      [`qty_${standard}`]: '3',
      name: 'Group Leader',
      email: 'Leader@Example.TEST',
      payment: 'card-terminal',
    })
    expect(sold.statusCode, sold.body).toBe(303)
    const { order, payments } = await soldOrder(t.db, sold.headers.location as string)
    expect(order).toMatchObject({ status: 'paid', paymentMethod: 'card-terminal', totalMinor: 7500, buyerEmail: 'leader@example.test' })
    expect(payments).toEqual([expect.objectContaining({ method: 'card-terminal', amountMinor: 7500, recordedBy: organiser.user.email })])
    const mails = await t.db.selectFrom('outbox').select(['kind', 'recipient']).where('data', 'like', `%"orderId":${order.id},%`).execute()
    expect(mails).toEqual([{ kind: 'order-confirmation', recipient: 'leader@example.test' }])
  })

  it('gives complimentary tickets only with a reason: without one the form comes back as typed, and nothing is sold', async () => {
    const before = await counts()
    const refused = await sellAtDesk(organiser.browser, eventId, { [`qty_${balcony}`]: '1', name: 'Press Pat', payment: 'complimentary' })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('Say why the tickets are complimentary.')
    expect(refused.body).toContain('value="Press Pat"')
    expect(refused.body).toMatch(new RegExp(`name="qty_${balcony}"[^>]*value="1"`))
    expect(refused.body).toMatch(/id="f-payment-complimentary" value="complimentary" checked/)
    expect(await counts()).toEqual(before)

    const given = await organiser.browser.post(`/events/${eventId}/box-office`, {
      [`qty_${balcony}`]: '1',
      name: 'Press Pat',
      payment: 'complimentary',
      reason: 'Review for the Gazette',
    })
    expect(given.statusCode, given.body).toBe(303)
    const { order, tickets, payments } = await soldOrder(t.db, given.headers.location as string)
    expect(order).toMatchObject({
      status: 'paid',
      paymentMethod: 'complimentary',
      totalMinor: 0,
      complimentaryReason: 'Review for the Gazette',
      soldBy: organiser.user.email,
    })
    expect(tickets.map((ticket) => ticket.priceMinor)).toEqual([0])
    expect(payments).toEqual([])
    expect((await counts()).types[balcony]).toBe(before.types[balcony]! + 1)
    expect((await auditOf(order.id)).details).toMatchObject({
      paymentMethod: 'complimentary',
      complimentaryReason: 'Review for the Gazette',
    })
    const page = await organiser.browser.get(given.headers.location as string)
    expect(page.body).toContain('Review for the Gazette')
  })

  it('refuses bad input with a clear message and the form as typed: no tickets, no way it was paid, more than remain', async () => {
    const before = await counts()
    const none = await sellAtDesk(organiser.browser, eventId, { [`qty_${standard}`]: '0', name: 'Nobody Much', payment: 'cash' })
    expect(none.statusCode).toBe(422)
    expect(none.body).toContain('Choose at least one ticket.')
    expect(none.body).toContain('value="Nobody Much"')

    const unpaid = await sellAtDesk(organiser.browser, eventId, {
      [`qty_${standard}`]: '1',
      name: 'Forgetful Fred',
      email: 'not-an-address',
    })
    expect(unpaid.statusCode).toBe(422)
    expect(unpaid.body).toContain('Choose how it was paid: cash, card terminal, or complimentary.')
    expect(unpaid.body).toContain('value="not-an-address"')
    expect(unpaid.body).toMatch(/<div class="error-summary"/)

    const left = 3 - ((await counts()).types[balcony] ?? 0)
    const tooMany = await sellAtDesk(organiser.browser, eventId, {
      [`qty_${balcony}`]: String(left + 1),
      name: 'Greedy Greta',
      payment: 'cash',
    })
    expect(tooMany.statusCode).toBe(409)
    expect(tooMany.body).toContain(`Balcony: you asked for ${left + 1}, only ${left} ${left === 1 ? 'is' : 'are'} left.`)
    expect(tooMany.body).toContain('value="Greedy Greta"')
    expect(tooMany.body).toMatch(new RegExp(`name="qty_${balcony}"[^>]*value="${left + 1}"`))
    expect(tooMany.body).toMatch(/id="f-payment-cash" value="cash" checked/)

    const hackedType = await sellAtDesk(organiser.browser, eventId, { qty_999999: '1', name: 'Hand Made', payment: 'cash' })
    expect(hackedType.statusCode).toBe(422)
    const hackedMethod = await sellAtDesk(organiser.browser, eventId, { [`qty_${standard}`]: '1', name: 'Hand Made', payment: 'bitcoin' })
    expect(hackedMethod.statusCode).toBe(422)
    expect(hackedMethod.body).toContain('Choose how it was paid')
    expect(await counts()).toEqual(before)
  })

  it('is not held to the caps per buyer, which keep hoarders off the shop; the site’s limit per order still holds', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { ticketTypes: [{ capacity: 200, maxPerOrder: 4 }] })
    await t.db.updateTable('events').set({ maxOrdersPerBuyer: 1, maxTicketsPerBuyer: 2 }).where('id', '=', event.id).execute()
    const type = ticketTypes[0]!.id
    for (const name of ['First Walk-in', 'Second Walk-in']) {
      const sold = await sellAtDesk(organiser.browser, event.id, {
        [`qty_${type}`]: '3',
        name,
        email: 'family@example.test',
        payment: 'cash',
      })
      expect(sold.statusCode, sold.body).toBe(303)
    }
    const huge = await sellAtDesk(organiser.browser, event.id, { [`qty_${type}`]: '51', name: 'Coach Party', payment: 'cash' })
    expect(huge.statusCode).toBe(422)
    expect(huge.body).toContain('One order may hold at most 50 tickets.')
    expect(huge.body).toContain('value="Coach Party"')
  })

  it('writes to a buyer who gave no address never: a message to ticket holders leaves their order out', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { ticketTypes: [{ priceMinor: 1000 }] })
    const type = ticketTypes[0]!.id
    const sold = await sellAtDesk(organiser.browser, event.id, { [`qty_${type}`]: '1', name: 'No Address', payment: 'cash' })
    const mailed = await sellAtDesk(organiser.browser, event.id, {
      [`qty_${type}`]: '1',
      name: 'Has Address',
      email: 'has@example.test',
      payment: 'cash',
    })
    const audience = await audienceOf(t.db, event.id, { ticketTypeIds: null, checkIn: 'any' })
    expect(audience.map((recipient) => recipient.code)).toEqual([(await soldOrder(t.db, mailed.headers.location as string)).order.code])
    expect((await soldOrder(t.db, sold.headers.location as string)).order.buyerEmail).toBe('')
  })

  it('shows the same sale again when the form is sent twice', async () => {
    await organiser.browser.get(`/events/${eventId}/box-office`)
    const fields = { [`qty_${standard}`]: '1', name: 'Double Clicker', payment: 'cash' }
    const first = await organiser.browser.post(`/events/${eventId}/box-office`, fields)
    const second = await organiser.browser.post(`/events/${eventId}/box-office`, fields)
    expect(first.statusCode).toBe(303)
    expect(second.headers.location).toBe(first.headers.location)
    const orders = await t.db.selectFrom('orders').select('id').where('buyerName', '=', 'Double Clicker').execute()
    expect(orders).toHaveLength(1)
  })
})
