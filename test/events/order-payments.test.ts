import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findOrderByCode } from '../../src/features/purchase/order.repository.js'
import { useTestApp } from '../helpers/app.js'
import { StripeStandIn } from '../helpers/stripe-stand-in.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { expectRedirect } from './support.js'

/** The organiser's orders page with payments: each order's state, method and money, and its forms to mark paid, refund and cancel. */

const DAY = 24 * 60 * 60 * 1000

describeEachDatabase('the orders page’s payments', (kind) => {
  describe('by transfer, at the door and free', () => byHand(kind))
  describe('by card', () => byCard(kind))
})

function byHand(kind: DatabaseKind) {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ priceMinor: 2500, capacity: 20 }] })
    await t.db
      .updateTable('events')
      .set({ paymentMethods: 'bank-transfer,at-door', bankDetails: 'IBAN DE89 3704 0044 0532 0130 00' })
      .where('id', '=', event.id)
      .execute()
    eventId = event.id
    typeId = ticketTypes[0]!.id
  })

  const ordersPage = () => `/events/${eventId}/orders`
  const action = (code: string, what: string) => `/events/${eventId}/orders/${code}/${what}`

  /** The row of one order on the orders page. */
  async function rowOf(code: string): Promise<string> {
    const body = (await me.browser.get(ordersPage())).body
    const row = body.match(new RegExp(`<tr class="order-row[^"]*">\\s*<th scope="row"><code>${code}</code>[\\s\\S]*?</tr>`))
    expect(row, `order ${code} on the orders page`).not.toBeNull()
    return row![0]
  }

  const transfer = (deadline = Date.now() + 7 * DAY) => ({ method: 'bank-transfer', deadline })

  async function statusOf(code: string) {
    return (await t.db.selectFrom('orders').select('status').where('code', '=', code).executeTakeFirstOrThrow()).status
  }

  async function refundsOf(code: string) {
    return t.db
      .selectFrom('refunds')
      .innerJoin('orders', 'orders.id', 'refunds.orderId')
      .select(['refunds.amountMinor', 'refunds.state', 'refunds.recordedBy', 'refunds.reason'])
      .where('orders.code', '=', code)
      .orderBy('refunds.id')
      .execute()
  }

  /** Posts one of an order's forms from the orders page, and follows the redirect back to it. */
  async function act(code: string, what: string, fields: Record<string, string> = {}): Promise<string> {
    const response = await me.browser.submit(ordersPage(), action(code, what), fields)
    expectRedirect(response, ordersPage())
    return (await me.browser.get(ordersPage())).body
  }

  it('shows each order’s state and method, when a transfer must arrive, and offers to mark unpaid ones paid', async () => {
    const atDoor = await placeOrder(t.db, eventId, typeId)
    const deadline = Date.now() + 3 * DAY
    const byTransfer = await placeOrder(t.db, eventId, typeId, { payment: transfer(deadline) })

    const door = await rowOf(atDoor.code)
    expect(door).toContain('class="order-row order-row--pending"')
    expect(door).toContain('<span class="status-badge status-badge--pending">Awaiting payment</span>')
    expect(door).toContain('<li>Pay at the door</li>')
    expect(door).not.toContain('to be paid by')
    expect(door).toContain(`action="${action(atDoor.code, 'mark-paid')}"`)
    expect(door).toContain(`Mark paid<span class="visually-hidden"> order ${atDoor.code}</span>`)
    // Nothing was paid: nothing to refund, but it may be cancelled, without a refund to ask for.
    expect(door).not.toContain('/refund"')
    expect(door).toContain(`action="${action(atDoor.code, 'cancel')}"`)
    expect(door).not.toContain('name="refund"')

    const bank = await rowOf(byTransfer.code)
    expect(bank).toContain('<li>Bank transfer</li>')
    expect(bank).toMatch(/<li>to be paid by [^<]*\d{4}[^<]*<\/li>/)
    expect(bank).toContain(`action="${action(byTransfer.code, 'mark-paid')}"`)
  })

  it('shows an order whose time ran out as expired, and still offers to mark a transfer paid', async () => {
    const lapsed = await placeOrder(t.db, eventId, typeId, { payment: transfer(Date.now() - 1000) })
    const row = await rowOf(lapsed.code)
    expect(row).toContain('<span class="status-badge status-badge--expired">Expired</span>')
    expect(row).toContain(`action="${action(lapsed.code, 'mark-paid')}"`)
    expect(row).not.toContain(`action="${action(lapsed.code, 'cancel')}"`)
    expect(await statusOf(lapsed.code)).toBe('expired')

    const page = await act(lapsed.code, 'mark-paid')
    expect(page).toContain(`Order ${lapsed.code} is marked paid.`)
    expect(await statusOf(lapsed.code)).toBe('paid')
  })

  it('marks a transfer paid: the order is paid, the payment recorded by the organiser, and the page says so', async () => {
    const order = await placeOrder(t.db, eventId, typeId, { quantity: 2, payment: transfer() })
    const page = await act(order.code, 'mark-paid')
    expect(page).toContain(`Order ${order.code} is marked paid.`)
    expect(await statusOf(order.code)).toBe('paid')
    const payments = await t.db.selectFrom('payments').selectAll().where('orderId', '=', order.id).execute()
    expect(payments).toMatchObject([{ method: 'bank-transfer', state: 'paid', amountMinor: 5000, recordedBy: me.user.email }])

    const row = await rowOf(order.code)
    expect(row).toContain('<span class="status-badge status-badge--paid">Paid</span>')
    expect(row).toContain('<li>€50.00 paid</li>')
    expect(row).not.toContain('/mark-paid"')
    expect(row).toContain(`action="${action(order.code, 'refund')}"`)
    expect(row).toContain('Leave it empty to refund all that is left: €50.00.')
    expect(row).toContain('give the money back yourself, and this records that you did.')
    expect(row).toMatch(/<input type="checkbox" id="cancel-refund-[^"]+" name="refund" value="yes" checked>/)
    expect(row).toContain('Refund what was paid (€50.00)')
  })

  it('records a refund of a transfer or cash as given back by hand, part of it or all that is left, and no more', async () => {
    const order = await placeOrder(t.db, eventId, typeId, { quantity: 2 })
    await act(order.code, 'mark-paid')

    const part = await act(order.code, 'refund', { amount: '12.50' })
    expect(part).toContain(`The refund of order ${order.code} is on its way.`)
    expect(await refundsOf(order.code)).toEqual([{ amountMinor: 1250, state: 'done', recordedBy: me.user.email, reason: 'organiser' }])
    let row = await rowOf(order.code)
    expect(row).toContain('<li>€50.00 paid</li>')
    expect(row).toContain('<li>€12.50 refunded</li>')
    expect(row).toContain('all that is left: €37.50.')
    // Refunded in part, the order stays paid: its tickets are still good.
    expect(await statusOf(order.code)).toBe('paid')

    await act(order.code, 'refund', { amount: '' })
    expect((await refundsOf(order.code)).map((refund) => refund.amountMinor)).toEqual([1250, 3750])
    row = await rowOf(order.code)
    expect(row).toContain('<li>€50.00 refunded</li>')
    expect(row).not.toContain('/refund"')
    expect(row).not.toContain('name="refund"')

    const again = await act(order.code, 'refund', { amount: '1' })
    expect(again).toContain(`Nothing of order ${order.code} is left to refund.`)
    expect(await refundsOf(order.code)).toHaveLength(2)
  })

  it('says so when the amount to refund is not one, or more than is left', async () => {
    const order = await placeOrder(t.db, eventId, typeId)
    await act(order.code, 'mark-paid')
    expect(await act(order.code, 'refund', { amount: 'lots' })).toContain('&quot;lots&quot; is not an amount.')
    expect(await act(order.code, 'refund', { amount: '25.01' })).toContain(`That is more than is left to refund of order ${order.code}.`)
    expect(await refundsOf(order.code)).toEqual([])
  })

  it('cancels a paid order and refunds what was paid with it, giving its tickets back', async () => {
    const order = await placeOrder(t.db, eventId, typeId, { quantity: 2 })
    await act(order.code, 'mark-paid')
    const soldBefore = (await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', typeId).executeTakeFirstOrThrow()).sold

    const page = await act(order.code, 'cancel', { refund: 'yes' })
    expect(page).toContain(`Order ${order.code} is cancelled.`)
    expect(await statusOf(order.code)).toBe('cancelled')
    expect(await refundsOf(order.code)).toEqual([{ amountMinor: 5000, state: 'done', recordedBy: me.user.email, reason: 'organiser' }])
    const soldAfter = (await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', typeId).executeTakeFirstOrThrow()).sold
    expect(soldAfter).toBe(soldBefore - 2)

    const row = await rowOf(order.code)
    expect(row).toContain('<span class="status-badge status-badge--cancelled">Cancelled</span>')
    expect(row).toContain('<li>€50.00 refunded</li>')
    expect(row).not.toContain('<form')
  })

  it('cancels a paid order without a refund when the box is unticked, and the money may still be refunded later', async () => {
    const order = await placeOrder(t.db, eventId, typeId)
    await act(order.code, 'mark-paid')
    await act(order.code, 'cancel')
    expect(await statusOf(order.code)).toBe('cancelled')
    expect(await refundsOf(order.code)).toEqual([])

    const row = await rowOf(order.code)
    expect(row).toContain('<li>€25.00 paid</li>')
    expect(row).toContain(`action="${action(order.code, 'refund')}"`)
    expect(row).not.toContain(`action="${action(order.code, 'cancel')}"`)
    await act(order.code, 'refund')
    expect(await refundsOf(order.code)).toMatchObject([{ amountMinor: 2500, state: 'done' }])
  })

  it('cancels an order that was never paid, refunding nothing', async () => {
    const order = await placeOrder(t.db, eventId, typeId, { payment: transfer() })
    await act(order.code, 'cancel', { refund: 'yes' })
    expect(await statusOf(order.code)).toBe('cancelled')
    expect(await refundsOf(order.code)).toEqual([])
  })

  it('shows a free order as free, with nothing to mark paid or refund', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ priceMinor: 0 }] })
    const order = await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const body = (await me.browser.get(`/events/${event.id}/orders`)).body
    expect(body).toContain('<span class="status-badge status-badge--paid">Paid</span>')
    expect(body).toContain('<li>Free</li>')
    expect(body).not.toContain('/mark-paid"')
    expect(body).not.toContain('/refund"')
    expect(body).toContain(`action="/events/${event.id}/orders/${order.code}/cancel"`)
  })
}

function byCard(kind: DatabaseKind) {
  const standIn = new StripeStandIn()
  beforeAll(() => standIn.start())
  afterAll(() => standIn.close())
  // Read when the app is built, once the stand-in listens.
  const t = useTestApp(kind, {
    get stripe() {
      return { secretKey: standIn.secretKey, webhookSecret: null, apiUrl: standIn.url }
    },
  })
  const me = useLoginAs(t, 'organiser')

  /** An order to pay by card, sent to the stand-in's payment page: the Checkout Session's id. */
  async function cardOrder(): Promise<{ code: string; sessionId: string }> {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ priceMinor: 2500 }] })
    await t.db.updateTable('events').set({ paymentMethods: 'card' }).where('id', '=', event.id).execute()
    const { code } = await placeOrder(t.db, event.id, ticketTypes[0]!.id, {
      quantity: 2,
      payment: { method: 'card', deadline: Date.now() + 60 * 60 * 1000 },
    })
    const { order, event: loaded } = (await findOrderByCode(t.db, code))!
    const page = `http://admit-one.test/orders/${code}?key=${order.accessKey}`
    await t.app.payments.start({ ...order, event: loaded }, 'card', { paid: page, cancelled: page })
    const [session] = [...standIn.sessions.values()].filter((one) => one.client_reference_id === code)
    return { code, sessionId: session!.id }
  }

  /** Waits for the outbox's sender to have tried a task of this kind and failed. */
  async function failedOnce(kind: string): Promise<void> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const row = await t.db.selectFrom('outbox').select(['lastError', 'leaseUntil']).where('kind', '=', kind).executeTakeFirst()
      if (row?.lastError && row.leaseUntil === null) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`the sender never tried the ${kind} task`)
  }

  const eventOfOrder = async (code: string) =>
    (await t.db.selectFrom('orders').select('eventId').where('code', '=', code).executeTakeFirstOrThrow()).eventId

  it('offers no "Mark paid" for a card order: the payment provider says when it is paid', async () => {
    const { code } = await cardOrder()
    const body = (await me.browser.get(`/events/${await eventOfOrder(code)}/orders`)).body
    expect(body).toContain('<li>Card</li>')
    expect(body).toMatch(/<li>to be paid by [^<]+<\/li>/)
    expect(body).not.toContain('/mark-paid"')
  })

  it('refunds a card payment through the provider, shown as on its way until the provider has made it', async () => {
    const { code, sessionId } = await cardOrder()
    await standIn.pay(sessionId)
    expect(await t.app.payments.confirmSession(sessionId)).toMatchObject({ kind: 'paid' })
    const eventId = await eventOfOrder(code)
    const ordersPage = `/events/${eventId}/orders`
    const paid = (await me.browser.get(ordersPage)).body
    expect(paid).toContain('<li>€50.00 paid</li>')
    expect(paid).toContain('It goes back the way it was paid.')

    // The provider is unreachable for now: the refund stays on its way, and is already taken off the revenue.
    standIn.failNext(2, 500)
    expectRedirect(await me.browser.submit(ordersPage, `/events/${eventId}/orders/${code}/refund`, { amount: '20.00' }), ordersPage)
    const queued = (await me.browser.get(ordersPage)).body
    expect(queued).toContain('<li>€20.00 being refunded</li>')
    expect(queued).toContain('all that is left: €30.00.')
    expect((await me.browser.get('/organiser')).body).toContain('revenue <strong data-live-revenue>€30.00</strong>')

    // Once the sender's first try has failed, the provider is back and the next try is due now.
    await failedOnce('refund')
    await t.db.updateTable('outbox').set({ nextAttemptAt: Date.now() }).where('kind', '=', 'refund').execute()
    await t.app.mail.runRound()
    expect([...standIn.refunds.values()].map((refund) => refund.amount)).toEqual([2000])
    const done = (await me.browser.get(ordersPage)).body
    expect(done).toContain('<li>€20.00 refunded</li>')
    expect(done).not.toContain('being refunded')
  })
}
