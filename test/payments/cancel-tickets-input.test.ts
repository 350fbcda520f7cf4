import { beforeAll, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { translator } from '../../src/i18n/translate.js'
import { useTestApp } from '../helpers/app.js'
import { cancelTicketsUrl, cancelledTicketsOf, ticketIdsOf, ticking } from '../helpers/cancel-tickets.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { placePaidOrder } from '../helpers/paid-orders.js'
import { expectRedirect } from '../events/support.js'

/**
 * What the organiser's form to cancel some tickets refuses: no ticket chosen,
 * an amount that is not one or is more than is left to refund, a ticket of
 * another order, one cancelled already or let in at the door, a refund of an
 * order not paid. Each gets a message at its field and the form back as
 * typed (422), and nothing is written. Another organiser's order, or one of
 * another event, is not found (404), as on the other order actions.
 */

const PRICE = 2500
const t = translator('en')

/** Everything a cancellation of tickets writes, to show that a refused one wrote nothing. */
async function traces(db: Db) {
  const count = async (table: 'auditLog' | 'outbox' | 'refunds' | 'payments') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    audit: await count('auditLog'),
    outbox: await count('outbox'),
    refunds: await count('refunds'),
    payments: await count('payments'),
    cancelledTickets: await db.selectFrom('tickets').select('id').where('cancelledAt', 'is not', null).execute(),
    orders: await db.selectFrom('orders').select(['status', 'totalMinor']).orderBy('id').execute(),
    sold: await db.selectFrom('ticketTypes').select('sold').orderBy('id').execute(),
  }
}

describeEachDatabase('the form to cancel some tickets of an order, given bad input', (kind) => {
  const app = useTestApp(kind)
  const me = useLoginAs(app, 'organiser')
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(app.db, me.user.id, { ticketTypes: [{ priceMinor: PRICE, capacity: 50 }] })
    eventId = event.id
    typeId = ticketTypes[0]!.id
  })

  /** Sends the form as typed, first opening it as a browser does; the answer, and whether anything was written. */
  async function send(code: string, fields: Record<string, string>) {
    const url = cancelTicketsUrl(eventId, code)
    await me.browser.get(url)
    const before = await traces(app.db)
    const response = await me.browser.post(url, fields)
    expect(await traces(app.db), 'a refused form wrote something').toEqual(before)
    return response
  }

  /** The error summary's messages, and the messages at the fields. */
  function errorsIn(html: string): string[] {
    return [...html.matchAll(/<p class="field-error" id="f-(\w+)(?:-error)?">.*?<\/span> ([^<]*)<\/p>/g)].map(
      ([, field, text]) => `${field}: ${text}`,
    )
  }

  it('with no ticket chosen: asks for one, keeping the amount typed', async () => {
    const order = await placePaidOrder(app.db, eventId, typeId, { quantity: 2 })
    const response = await send(order.code, { amount: '12.50' })
    expect(response.statusCode).toBe(422)
    expect(errorsIn(response.body)).toEqual([`tickets: ${t('payments.cancelTickets.chooseOne')}`])
    expect(response.body).toContain('data-error-summary')
    expect(response.body).toContain('name="amount" type="text" value="12.50"')
  })

  it('with an amount above what is left to refund, or not an amount: says so at the amount, the tickets still ticked', async () => {
    const order = await placePaidOrder(app.db, eventId, typeId, { quantity: 2 })
    const [first] = await ticketIdsOf(app.db, order.id)

    const tooMuch = await send(order.code, ticking([first!], '60.00'))
    expect(tooMuch.statusCode).toBe(422)
    expect(errorsIn(tooMuch.body)).toEqual([`amount: ${t('payments.cancelTickets.moreThanLeft', { left: '€50.00' })}`])
    expect(tooMuch.body).toContain('value="60.00"')
    expect(tooMuch.body).toContain(`name="ticket_${first}" value="yes" checked`)

    const notAmount = await send(order.code, ticking([first!], '12,3,4'))
    expect(notAmount.statusCode).toBe(422)
    expect(errorsIn(notAmount.body)).toEqual([`amount: ${t('payments.cancelTickets.amountInvalid')}`])
    expect(notAmount.body).toContain('value="12,3,4"')

    // Even on the page that asks to confirm: a refund made meanwhile leaves less, and the confirmation is refused.
    const review = await me.browser.submit(cancelTicketsUrl(eventId, order.code), cancelTicketsUrl(eventId, order.code), ticking([first!]))
    expect(review.body).toContain('name="amount" value="25.00"')
    const refund = await me.browser.submit(`/events/${eventId}/orders`, `/events/${eventId}/orders/${order.code}/refund`, {
      amount: '40.00',
    })
    expectRedirect(refund, `/events/${eventId}/orders`)
    const late = await send(order.code, { ...ticking([first!], '25.00'), confirm: 'yes' })
    expect(late.statusCode).toBe(422)
    expect(errorsIn(late.body)).toEqual([`amount: ${t('payments.cancelTickets.moreThanLeft', { left: '€10.00' })}`])
  })

  it('with a ticket of another order, or no ticket at all: says it is not one of this order’s', async () => {
    const order = await placePaidOrder(app.db, eventId, typeId, { quantity: 2 })
    const other = await placePaidOrder(app.db, eventId, typeId)
    const [theirs] = await ticketIdsOf(app.db, other.id)
    for (const fields of [ticking([theirs!]), { ticket_abc: 'yes', amount: '' }, { ticket_999999: 'yes', amount: '' }]) {
      const response = await send(order.code, { ...fields, confirm: 'yes' })
      expect(response.statusCode, JSON.stringify(fields)).toBe(422)
      expect(errorsIn(response.body)).toEqual([`tickets: ${t('payments.cancelTickets.notOfOrder')}`])
    }
    expect(await cancelledTicketsOf(app.db, other.id)).toEqual([])
  })

  it('with a ticket let in at the door, or cancelled already: refuses it, and the form offers neither', async () => {
    const order = await placePaidOrder(app.db, eventId, typeId, { quantity: 3 })
    const [inside, gone, open] = await ticketIdsOf(app.db, order.id)
    const codes = await doorCodesOfOrder(app.db, order.id)
    await me.browser.get(`/events/${eventId}/check-in`)
    await me.browser.post(`/events/${eventId}/check-in`, { code: codes[0]!, gate: 'North' })
    const url = cancelTicketsUrl(eventId, order.code)
    await me.browser.submit(url, url, ticking([gone!], '0'))
    expectRedirect(await me.browser.post(url), `/events/${eventId}/orders?q=${order.code}`)
    expect(await cancelledTicketsOf(app.db, order.id)).toEqual([gone])

    const form = await me.browser.get(url)
    expect(form.body).not.toContain(`name="ticket_${inside}"`)
    expect(form.body).not.toContain(`name="ticket_${gone}"`)
    expect(form.body).toContain(`name="ticket_${open}"`)
    expect(form.body).toContain(t('payments.cancelTickets.checkedInKept'))

    const checkedIn = await send(order.code, { ...ticking([inside!, open!]), confirm: 'yes' })
    expect(checkedIn.statusCode).toBe(422)
    expect(errorsIn(checkedIn.body)).toEqual([`tickets: ${t('payments.cancelTickets.checkedIn', { tickets: codes[0]! })}`])
    const mixed = await send(order.code, { ...ticking([gone!, open!]), confirm: 'yes' })
    expect(mixed.statusCode).toBe(422)
    expect(errorsIn(mixed.body)).toEqual([`tickets: ${t('payments.cancelTickets.alreadyCancelled')}`])
    // The same confirmation sent again: done already, said so, nothing more done.
    expectRedirect(await send(order.code, { ...ticking([gone!]), confirm: 'yes' }), `/events/${eventId}/orders?q=${order.code}`)
    expect((await me.browser.get(`/events/${eventId}/orders?q=${order.code}`)).body).toContain(
      t('flash.payments.ticketsAlreadyCancelled', { code: order.code }),
    )
  })

  it('with a refund typed for an order not paid yet: nothing to refund', async () => {
    const order = await placeOrder(app.db, eventId, typeId, { quantity: 2 })
    const [first] = await ticketIdsOf(app.db, order.id)
    const form = await me.browser.get(cancelTicketsUrl(eventId, order.code))
    expect(form.body).not.toContain('name="amount"')
    expect(form.body).toContain(t('payments.cancelTickets.pendingHint'))
    const response = await send(order.code, { ...ticking([first!], '5.00'), confirm: 'yes' })
    expect(response.statusCode).toBe(422)
    expect(errorsIn(response.body)).toEqual([`amount: ${t('payments.cancelTickets.nothingPaid')}`])
  })

  it('of another organiser’s order, or with the order of another event in the URL: not found, nothing written', async () => {
    const order = await placePaidOrder(app.db, eventId, typeId, { quantity: 2 })
    const [first] = await ticketIdsOf(app.db, order.id)
    const stranger = await loginAs(app, 'organiser')
    const theirs = await createEvent(app.db, stranger.user.id)
    const before = await traces(app.db)
    const url = cancelTicketsUrl(eventId, order.code)
    expect((await stranger.browser.get(url)).statusCode).toBe(404)
    await stranger.browser.get('/organiser')
    expect((await stranger.browser.post(url, { ...ticking([first!]), confirm: 'yes' })).statusCode).toBe(404)
    // The stranger's own event, with this order's code: not one of its orders.
    const crossed = cancelTicketsUrl(theirs.event.id, order.code)
    expect((await stranger.browser.get(crossed)).statusCode).toBe(404)
    expect((await stranger.browser.post(crossed, { ...ticking([first!]), confirm: 'yes' })).statusCode).toBe(404)
    expect(await traces(app.db)).toEqual(before)
  })

  it('without the form’s token: refused, nothing written', async () => {
    const order = await placePaidOrder(app.db, eventId, typeId, { quantity: 2 })
    const [first] = await ticketIdsOf(app.db, order.id)
    const before = await traces(app.db)
    const response = await me.browser.post(cancelTicketsUrl(eventId, order.code), { ...ticking([first!]), confirm: 'yes', _csrf: 'forged' })
    expect(response.statusCode).toBe(403)
    expect(await traces(app.db)).toEqual(before)
  })
})
