import { beforeAll, expect, it } from 'vitest'
import type { Actor } from '../../src/features/audit/actor.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { refundOrder } from '../../src/features/payments/refunds.js'
import { settle } from '../../src/features/upkeep/settle.js'
import { formatDateTime } from '../../src/lib/format.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { type Persona, createUser } from '../helpers/personas.js'

const HOUR = 60 * 60 * 1000
const BANK_DETAILS = 'Harbour & Sons Events\nIBAN DE89 3704 0044 0532 0130 00'

/**
 * The order page and My tickets for each state of an order's payment: what
 * the buyer is told to do (pay now, transfer, pay at the door), what they
 * have (tickets, or none yet), and what happened (paid, expired, refunded).
 */
describeEachDatabase('an order’s payment, as its buyer sees it', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona
  let eventId: number
  let typeId: number
  const actor = (): Actor => ({ userId: organiser.id, label: organiser.email, isAdmin: false, ip: null })

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Harbour Lights', timeZone: 'Europe/Berlin' })
    await t.db.updateTable('events').set({ bankDetails: BANK_DETAILS }).where('id', '=', event.id).execute()
    eventId = event.id
    typeId = ticketTypes[0]!.id
  })

  /** An order of two €25.00 tickets placed by the purchase, paid by `method` by `deadline`. */
  async function order(method: string, deadline: number | null, buyerEmail?: string) {
    const { id } = await placeOrder(t.db, eventId, typeId, { quantity: 2, buyerEmail, payment: { method, deadline } })
    return t.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  }

  async function pageOf(placed: { code: string; accessKey: string }): Promise<string> {
    const response = await new TestBrowser(t.app).get(`/orders/${placed.code}?key=${placed.accessKey}`)
    expect(response.statusCode).toBe(200)
    return response.body
  }

  const qrCodes = (page: string) => page.match(/class="ticket__qr"/g)?.length ?? 0
  const paymentRow = (page: string) => /<dt>Payment<\/dt><dd>([^<]*)<\/dd>/.exec(page)?.[1]

  it('by card, unpaid: when the hold ends and a button to pay; no tickets yet', async () => {
    const placed = await order('card', Date.now() + HOUR)
    const page = await pageOf(placed)
    const deadline = formatDateTime(placed.paymentDeadline!, 'Europe/Berlin')
    expect(page).toContain(`This order is waiting for its payment. Its tickets are held for you until ${deadline}.`)
    expect(page).toContain(`<form method="post" action="/orders/${placed.code}/pay">`)
    expect(page).toContain('Pay now (€50.00)')
    expect(page).toContain('Your tickets will be here once your payment has arrived.')
    expect(qrCodes(page)).toBe(0)
    expect(page).not.toContain('Bank details')
    expect(paymentRow(page)).toBe('Card · Awaiting payment')
  })

  it('by bank transfer, unpaid: the organiser’s bank details, what to pay and the order code as the reference; no button to pay', async () => {
    const placed = await order('bank-transfer', Date.now() + 72 * HOUR)
    const page = await pageOf(placed)
    expect(page).toContain('<h2 id="bank-details">Bank details</h2>')
    expect(page).toContain(`>Harbour &amp; Sons Events\nIBAN DE89 3704 0044 0532 0130 00</p>`)
    expect(page).toMatch(/<dt>To pay<\/dt><dd><strong>€50\.00<\/strong><\/dd>/)
    expect(page).toContain(`<dt>Reference</dt><dd><strong><code>${placed.code}</code></strong></dd>`)
    expect(page).not.toContain('Pay now')
    expect(qrCodes(page)).toBe(0)
    expect(paymentRow(page)).toBe('Bank transfer · Awaiting payment')
  })

  it('at the door: what to pay there, and the tickets, which the door takes', async () => {
    const placed = await order('at-door', null)
    const page = await pageOf(placed)
    expect(page).toContain('Pay €50.00 at the door. Your tickets are reserved.')
    expect(qrCodes(page)).toBe(2)
    expect(page).not.toContain('Pay now')
    expect(paymentRow(page)).toBe('Pay at the door · Awaiting payment')
  })

  it('paid: when, once, and the tickets', async () => {
    const placed = await order('bank-transfer', Date.now() + 72 * HOUR)
    expect(await recordPaymentByHand(t.db, placed.id, 'bank-transfer', actor())).toMatchObject({ kind: 'paid' })
    const page = await pageOf(placed)
    expect(paymentRow(page)).toMatch(/^Bank transfer · Paid on \w{3}, \d+ \w{3} \d{4}, \d\d:\d\d \w+$/)
    expect(qrCodes(page)).toBe(2)
    expect(page).not.toContain('waiting for its payment')
    expect(page).not.toContain('Bank details')
  })

  it('expired: why, the way to order again, and no tickets', async () => {
    const placed = await order('card', Date.now() + HOUR)
    await lapse(placed.id)
    const page = await pageOf(placed)
    expect(page).toContain('This order expired: it was not paid in time, and its tickets went back on sale.')
    expect(page).toContain(`<a href="/event/${eventId}">Order again from the event’s page</a>`)
    expect(page).not.toContain('<h2>Tickets</h2>')
    expect(page).not.toContain('Your tickets will be here')
    expect(page).not.toContain('Pay now')
    expect(paymentRow(page)).toBe('Card · Expired')
  })

  it('paid, then cancelled and refunded: the refund is listed, and nothing says the payment came too late', async () => {
    const placed = await order('bank-transfer', Date.now() + 72 * HOUR)
    await recordPaymentByHand(t.db, placed.id, 'bank-transfer', actor())
    const audit = {
      actorId: organiser.id,
      actorLabel: organiser.email,
      action: 'order.cancelled_by_organiser',
      subjectType: 'order',
      subjectId: placed.id,
    }
    await cancelOrder(t.db, placed, audit, 'http://localhost:80', (trx) =>
      refundOrder(trx, placed.id, 'rest', { reason: 'organiser', actor: actor() }).then(() => {}),
    )
    const page = await pageOf(placed)
    expect(page).toContain('This order is cancelled.')
    expect(page).toMatch(/<h2>Refunds<\/h2>\s*<ul>\s*<li>€50\.00 refunded on /)
    expect(page).not.toContain('after the order had expired')
  })

  it('free: says so, with no state of a payment', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ priceMinor: 0 }] })
    const { id } = await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const placed = await t.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(paymentRow(await pageOf(placed))).toBe('Free')
  })

  it('right after buying: an order to pay is placed, one paid at the door is booked', async () => {
    await t.db.updateTable('events').set({ paymentMethods: 'bank-transfer,at-door' }).where('id', '=', eventId).execute()
    const headingAfter = async (payment: string) => {
      const browser = new TestBrowser(t.app)
      const bought = await browser.submit(`/buy-tickets/${eventId}`, `/purchase/${eventId}`, {
        [`qty_${typeId}`]: '1',
        name: 'Robin Buyer',
        email: `${payment}@example.test`,
        payment,
      })
      const page = await browser.get(bought.headers.location!)
      return /<h1>([^<]*)<\/h1>/.exec(page.body)![1]
    }
    expect(await headingAfter('bank-transfer')).toBe('Thank you, your order is placed')
    expect(await headingAfter('at-door')).toBe('Thank you, your tickets are booked')
  })

  it('My tickets shows each order’s state, and what an unpaid one asks of its buyer', async () => {
    const buyer = await createUser(t.db, 'attendee', { email: 'mine@example.test' })
    const mine = async (method: string, deadline: number | null) => {
      const placed = await order(method, deadline, buyer.email)
      await t.db.updateTable('orders').set({ userId: buyer.id }).where('id', '=', placed.id).execute()
      return placed
    }
    const card = await mine('card', Date.now() + HOUR)
    const door = await mine('at-door', null)
    const paid = await mine('bank-transfer', Date.now() + 72 * HOUR)
    await recordPaymentByHand(t.db, paid.id, 'bank-transfer', actor())
    const expired = await mine('card', Date.now() + HOUR)
    await lapse(expired.id)
    const cancelled = await mine('at-door', null)
    const audit = {
      actorId: null,
      actorLabel: buyer.email,
      action: 'order.cancelled_by_buyer',
      subjectType: 'order',
      subjectId: cancelled.id,
    }
    await cancelOrder(t.db, cancelled, audit, 'http://localhost:80')

    const browser = new TestBrowser(t.app)
    await browser.login(buyer.email, buyer.password)
    const page = (await browser.get('/my-tickets')).body
    const statusOf = (code: string) => {
      const row = page.split('<tr>').find((candidate) => candidate.includes(`>${code}</a>`))!
      return /data-label="Status">(.*?)<\/td>/
        .exec(row)![1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    }
    expect(statusOf(card.code)).toBe(`Awaiting payment Pay by ${formatDateTime(card.paymentDeadline!, 'Europe/Berlin')}`)
    expect(statusOf(door.code)).toBe('Awaiting payment Pay at the door')
    expect(statusOf(paid.code)).toBe('Paid')
    expect(statusOf(expired.code)).toBe('Expired')
    expect(statusOf(cancelled.code)).toBe('Cancelled')
    expect(page).toContain('<span class="status-badge status-badge--pending">Awaiting payment</span>')
  })

  /** The order's deadline passes, and the next look at the event lapses it. */
  async function lapse(orderId: number) {
    const past = Date.now() - 1000
    await t.db.updateTable('orders').set({ paymentDeadline: past }).where('id', '=', orderId).execute()
    await t.db.updateTable('events').set({ nextExpiryAt: past }).where('id', '=', eventId).execute()
    expect(await settle(t.db, { id: eventId, held: 0, nextExpiryAt: past })).toBe(true)
  }
})
