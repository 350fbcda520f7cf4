import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { queriesDuring } from '../helpers/queries.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { signDoorCode } from '../../src/lib/door-code.js'
import { checkInSecretOf } from '../../src/features/events/event.repository.js'
import { searchText } from '../../src/lib/search.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { settle } from '../../src/features/upkeep/settle.js'

const DAY = 24 * 60 * 60 * 1000

describeEachDatabase('GET /events/:id/attendees.csv', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('exports one row per ticket, as UTF-8 with RFC 4180 quoting, prices in each order’s currency, times in ISO 8601 with the offset in the event time zone', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      timeZone: 'Asia/Tokyo',
      ticketTypes: [
        { name: 'Standard', priceMinor: 1250 },
        { name: 'VIP, front row', priceMinor: 9900 },
      ],
    })
    const first = await placeOrder(t.db, event.id, ticketTypes[0]!.id, {
      buyerName: 'Zoë "Zed" Müller',
      buyerEmail: 'zoe@example.test',
      quantity: 2,
      createdAt: Date.UTC(2026, 0, 2, 3, 4),
    })
    const second = await placeOrder(t.db, event.id, ticketTypes[1]!.id, {
      buyerName: 'Kenji',
      buyerEmail: 'kenji@example.test',
      status: 'cancelled',
      createdAt: Date.UTC(2026, 0, 1, 0, 0),
      currency: 'JPY',
    })

    const response = await me.browser.get(`/events/${event.id}/attendees.csv`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toBe(`attachment; filename="attendees-event-${event.id}.csv"`)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.body.startsWith('\uFEFF')).toBe(true)
    const [z0, z1] = await doorCodesOfOrder(t.db, first.id)
    const [k0] = await doorCodesOfOrder(t.db, second.id)
    expect(response.body.slice(1).split('\r\n')).toEqual([
      'Order code,Status,Payment method,Sold through,Buyer name,Email,Ticket type,Ticket code,Price,Currency,Ordered at (Asia/Tokyo),Checked in at (Asia/Tokyo)',
      `${first.code},pending,at-door,online,"Zoë ""Zed"" Müller",zoe@example.test,Standard,${z0},12.50,EUR,2026-01-02T12:04:00+09:00,`,
      `${first.code},pending,at-door,online,"Zoë ""Zed"" Müller",zoe@example.test,Standard,${z1},12.50,EUR,2026-01-02T12:04:00+09:00,`,
      `${second.code},cancelled,at-door,online,Kenji,kenji@example.test,"VIP, front row",${k0},9900,JPY,2026-01-01T09:00:00+09:00,`,
      '',
    ])
  })

  it('gives each order’s state and payment method: waiting, paid by hand, lapsed, free', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      ticketTypes: [{ name: 'Standard' }, { name: 'Guest', priceMinor: 0 }],
    })
    const typeId = ticketTypes[0]!.id
    const now = Date.now()
    const transfer = (deadline: number) => ({ method: 'bank-transfer', deadline })
    const waiting = await placeOrder(t.db, event.id, typeId, { payment: transfer(now + DAY), createdAt: now - 4000 })
    const paid = await placeOrder(t.db, event.id, typeId, { payment: transfer(now + DAY), createdAt: now - 3000 })
    await recordPaymentByHand(t.db, paid.id, 'bank-transfer', { userId: me.user.id, label: me.user.email, isAdmin: false, ip: null })
    const lapsed = await placeOrder(t.db, event.id, typeId, { payment: transfer(now - 1000), createdAt: now - 2000 })
    await settle(t.db, (await findEvent(t.db, event.id))!)
    const free = await placeOrder(t.db, event.id, ticketTypes[1]!.id, { createdAt: now - 1000 })

    const rows = (await me.browser.get(`/events/${event.id}/attendees.csv`)).body.slice(1).split('\r\n').slice(1, -1)
    expect(rows.map((row) => row.split(',').slice(0, 3))).toEqual([
      [free.code, 'paid', 'free'],
      [lapsed.code, 'expired', 'bank-transfer'],
      [paid.code, 'paid', 'bank-transfer'],
      [waiting.code, 'pending', 'bank-transfer'],
    ])
  })

  it('says when each ticket was checked in, in the event’s time zone', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { timeZone: 'Asia/Tokyo' })
    const order = await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2 })
    const [inside] = await t.db.selectFrom('tickets').select('id').where('orderId', '=', order.id).orderBy('id').execute()
    await t.db
      .updateTable('tickets')
      .set({ checkedInAt: Date.UTC(2026, 0, 2, 10, 30), checkedInBy: 'Door', checkedInGate: 'North' })
      .where('id', '=', inside!.id)
      .execute()
    const rows = (await me.browser.get(`/events/${event.id}/attendees.csv`)).body.slice(1).split('\r\n').slice(1, -1)
    expect(rows.map((row) => row.split(',').at(-1))).toEqual(['2026-01-02T19:30:00+09:00', ''])
  })

  it('neutralises cells that a spreadsheet would run as formulas', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: '=cmd|" /C calc"!A0', priceMinor: 0 }] })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, {
      buyerName: '=HYPERLINK("http://evil.example","click")',
      buyerEmail: '@evil.example',
    })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: '+1+2', buyerEmail: '-3@x.example' })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: '\tTabbed', buyerEmail: 'plain@x.example' })

    const body = (await me.browser.get(`/events/${event.id}/attendees.csv`)).body
    const cells = body.slice(1).split('\r\n').slice(1, -1)
    expect(cells).toHaveLength(3)
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")",'@evil.example,"'=cmd|"" /C calc""!A0"`)
    expect(body).toContain(`'+1+2,'-3@x.example,`)
    expect(body).toContain(`'\tTabbed,plain@x.example,`)
    expect(body).toContain(',0.00,')
    for (const line of cells) {
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/)
    }
  })

  it('exports just the header for an event without orders', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft' })
    const body = (await me.browser.get(`/events/${event.id}/attendees.csv`)).body
    expect(body.slice(1).split('\r\n')).toHaveLength(2)
  })

  it('reads the orders a batch at a time and writes every ticket once, in order, across the batches', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ capacity: 5000 }] })
    // Three orders share each instant, so that batches of 500 end in the middle of a tie; every fourth order has two tickets.
    const base = Date.UTC(2026, 0, 1)
    const placed = await t.db
      .insertInto('orders')
      .values(
        Array.from({ length: 1100 }, (_, i) => ({
          code: `BULK${i}`,
          accessKey: `key-bulk-${i}`,
          idempotencyKey: `idem-bulk-${i}`,
          eventId: event.id,
          userId: null,
          buyerName: `Bulk Buyer ${i}`,
          buyerEmail: `bulk${i}@example.test`,
          searchText: searchText(`BULK${i}`, `Bulk Buyer ${i}`, `bulk${i}@example.test`),
          totalMinor: 2500,
          currency: 'EUR',
          status: 'paid' as const,
          createdAt: base + Math.floor(i / 3) * 60_000,
          cancelledAt: null,
        })),
      )
      .returning(['id', 'code', 'createdAt'])
      .execute()
    const tickets = placed.flatMap((order, i) =>
      Array.from({ length: i % 4 === 0 ? 2 : 1 }, (_, n) => ({
        orderId: order.id,
        ticketTypeId: ticketTypes[0]!.id,
        code: `TKT${order.code}N${n}`,
        priceMinor: 2500,
      })),
    )
    const inserted = await t.db.insertInto('tickets').values(tickets).returning(['id', 'orderId']).execute()
    const secret = await checkInSecretOf(t.db, { id: event.id, checkInSecret: null })
    const newestFirst = [...placed].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    const expected = newestFirst.flatMap((order) =>
      inserted
        .filter((ticket) => ticket.orderId === order.id)
        .sort((a, b) => a.id - b.id)
        .map((ticket) => signDoorCode(secret, event.id, ticket.id)),
    )

    const { result: response, queries } = await queriesDuring(t.db, () => me.browser.get(`/events/${event.id}/attendees.csv`))
    // Sent as it is written: a file built whole would go out with its length.
    expect(response.headers['transfer-encoding']).toBe('chunked')
    expect(response.headers['content-length']).toBeUndefined()
    const records = response.body.slice(1).split('\r\n')
    expect(records.shift()).toBe(
      'Order code,Status,Payment method,Sold through,Buyer name,Email,Ticket type,Ticket code,Price,Currency,Ordered at (Europe/Berlin),Checked in at (Europe/Berlin)',
    )
    expect(records.pop()).toBe('')
    expect(records.map((record) => record.split(',')[7])).toEqual(expected)

    const ordersPerRead = queries
      .filter((query) => query.sql.includes('inner join "tickets"'))
      .map((query) => new Set((query.rows as { orderId: number }[]).map((row) => row.orderId)).size)
    expect(ordersPerRead).toEqual([500, 500, 100, 0])
  })
})
