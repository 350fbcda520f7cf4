import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { translator } from '../../src/i18n/translate.js'
import { ticketIdsOf } from '../helpers/cancel-tickets.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { moveTicketAsOrganiser, moveTicketUrl } from '../helpers/move-ticket.js'
import { placeOrder } from '../helpers/orders.js'
import { addSeatBlock } from '../helpers/seats.js'
import { useListeningServers } from '../helpers/servers.js'
import { TestSmtpServer, fastMail } from '../helpers/smtp.js'
import { expectRedirect } from '../events/support.js'
import { capacityViolations, join } from '../waiting-list/support.js'

/**
 * The organiser moves a ticket to another ticket type of the same price,
 * through the real pages with JavaScript off: the place of the new type is
 * taken and the old one given back (to its waiting list first), the event's
 * count unchanged; the ticket keeps its door code, which the door admits as
 * the new type; the buyer is mailed (through the real SMTP server of the
 * tests) and the order page shows the new type; audited before and after.
 * A type of another price, with no place left or on the seat map, a ticket
 * let in at the door, and another organiser are refused, nothing changed.
 */

const t = translator('en')
const PRICE = 2500

function useMoveEvent(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const smtp = new TestSmtpServer()
  beforeAll(() => smtp.start())
  afterAll(() => smtp.close())
  /**
   * An event with Hall (3 places, waiting list on), Balcony (2) and Garden (5)
   * at one price, VIP at another, and Stalls on the seat map at the same price.
   */
  return async () => {
    const { apps, db } = await listen(1, { mail: fastMail(smtp.url) })
    const app = apps[0]!
    const organiser = await loginAs({ app, db }, 'organiser')
    const { event, ticketTypes } = await createEvent(db, organiser.user.id, {
      title: 'Harbour Lights',
      ticketTypes: [
        { name: 'Hall', capacity: 3, priceMinor: PRICE, maxPerOrder: 4 },
        { name: 'Balcony', capacity: 2, priceMinor: PRICE, maxPerOrder: 4 },
        { name: 'VIP', capacity: 10, priceMinor: 5000, maxPerOrder: 4 },
        { name: 'Stalls', capacity: 1, priceMinor: PRICE, maxPerOrder: 4 },
        { name: 'Garden', capacity: 5, priceMinor: PRICE, maxPerOrder: 4, salesEndAt: Date.now() - 60_000 },
      ],
    })
    const [hall, balcony, vip, stalls, garden] = ticketTypes.map((type) => type.id) as [number, number, number, number, number]
    await addSeatBlock(db, organiser.user, event.id, { section: 'Stalls', rows: ['A'], seatsPerRow: 4, ticketTypeId: stalls })
    await db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    return { app, db, smtp, organiser, eventId: event.id, types: { hall, balcony, vip, stalls, garden } }
  }
}

/** The sold counters of the event and of each type given, and its tickets standing in orders that hold them, per type. */
async function counts(db: Db, eventId: number, typeIds: number[]) {
  const event = await db.selectFrom('events').select(['sold', 'held']).where('id', '=', eventId).executeTakeFirstOrThrow()
  const types = await db.selectFrom('ticketTypes').select(['id', 'sold', 'held']).where('id', 'in', typeIds).orderBy('id').execute()
  return { event, types: Object.fromEntries(types.map((type) => [type.id, { sold: type.sold, held: type.held }])) }
}

async function typeOf(db: Db, ticketId: number): Promise<number> {
  return (await db.selectFrom('tickets').select('ticketTypeId').where('id', '=', ticketId).executeTakeFirstOrThrow()).ticketTypeId
}

function answerOf(html: string): string | undefined {
  return /data-scan-answer="([a-z-]+)"/.exec(html)?.[1]
}

/** What a refusal must leave as it was: the tickets' types, the counters, the audit log and the outbox. */
async function traces(db: Db, eventId: number) {
  const tickets = await db.selectFrom('tickets').select(['id', 'ticketTypeId']).orderBy('id').execute()
  const types = await db.selectFrom('ticketTypes').select(['id', 'sold', 'held']).where('eventId', '=', eventId).orderBy('id').execute()
  const audit = await db.selectFrom('auditLog').select('action').where('action', '=', 'order.ticket_moved').execute()
  const mails = await db.selectFrom('outbox').select('id').where('kind', '=', 'ticket-moved').execute()
  return { tickets, types, audit: audit.length, mails: mails.length }
}

describeEachDatabase('the organiser moving a ticket to another ticket type of the same price', (kind) => {
  const start = useMoveEvent(kind)

  it('takes a place of the new type, gives the old one to its waiting list, keeps the door code, tells the buyer, and audits before and after', async () => {
    const { app, db, smtp, organiser, eventId, types } = await start()
    const order = await placeOrder(db, eventId, types.hall, { buyerEmail: 'bea@example.test', buyerName: 'Bea Buyer', quantity: 2 })
    await recordPaymentByHand(db, order.id, 'at-door', { userId: organiser.user.id, label: organiser.user.email, isAdmin: false, ip: null })
    await placeOrder(db, eventId, types.hall, { buyerEmail: 'third@example.test' })
    // Hall is sold out: someone waits for a place.
    expect((await join(app, eventId, types.hall, { email: 'wendy@example.test' })).response.statusCode).toBe(303)
    const [first, second] = await ticketIdsOf(db, order.id)
    const codes = await doorCodesOfOrder(db, order.id)
    const before = await counts(db, eventId, [types.hall, types.balcony])

    // The orders page links to the move; with two tickets the page asks which.
    const orders = await organiser.browser.get(`/events/${eventId}/orders?q=${order.code}`)
    expect(orders.body).toContain(`href="${moveTicketUrl(eventId, order.code)}"`)
    const list = await organiser.browser.get(moveTicketUrl(eventId, order.code))
    expect(list.body).toContain(t('orderChanges.move.ticketsHeading'))
    expect(list.body).toContain(`href="${moveTicketUrl(eventId, order.code)}?ticket=${second}"`)

    const { choose, review, done } = await moveTicketAsOrganiser(organiser.browser, eventId, order.code, second!, types.balcony)
    // Its own type is not offered; another price, the seat map and a full type are shown disabled, with why.
    const option = (typeId: number) =>
      new RegExp(`<input type="radio" id="f-type-${typeId}" name="type" value="${typeId}"([^>]*)>`).exec(choose.body)?.[1]
    expect(option(types.hall)).toBeUndefined()
    expect(option(types.balcony)).toBe('')
    expect(option(types.vip)).toContain('disabled')
    expect(option(types.stalls)).toContain('disabled')
    // A type whose sale has closed is the organiser's to fill.
    expect(option(types.garden)).toBe('')
    expect(choose.body).toContain(t('orderChanges.move.why.differentPrice'))
    expect(choose.body).toContain(t('orderChanges.move.why.seated'))
    expect(review.body).toContain(t('orderChanges.move.reviewLine', { code: codes[1]!, price: '€25.00', from: 'Hall', to: 'Balcony' }))
    expect(review.body).toContain(t('orderChanges.move.reviewCode', { to: 'Balcony' }))
    expectRedirect(done, `/events/${eventId}/orders?q=${order.code}`)
    const shown = await organiser.browser.get(`/events/${eventId}/orders?q=${order.code}`)
    expect(shown.body).toContain(t('flash.orderChanges.moved', { ticket: codes[1]!, code: order.code, type: 'Balcony' }))
    expect(shown.body).toContain(`<bdi>Balcony</bdi> · <code>${codes[1]}</code>`)

    // The ticket is Balcony now, with its id and door code; the other stays Hall; the total is as it was.
    expect(await typeOf(db, second!)).toBe(types.balcony)
    expect(await typeOf(db, first!)).toBe(types.hall)
    expect(await doorCodesOfOrder(db, order.id)).toEqual(codes)
    expect((await db.selectFrom('orders').select('totalMinor').where('id', '=', order.id).executeTakeFirstOrThrow()).totalMinor).toBe(
      2 * PRICE,
    )
    // Capacity: one place of Balcony taken, Hall's given back and held at once for the person waiting; the event's count unchanged.
    expect(await counts(db, eventId, [types.hall, types.balcony])).toEqual({
      event: { sold: before.event.sold, held: 1 },
      types: {
        [types.hall]: { sold: before.types[types.hall]!.sold - 1, held: 1 },
        [types.balcony]: { sold: before.types[types.balcony]!.sold + 1, held: 0 },
      },
    })
    expect(await capacityViolations(db, eventId)).toEqual([])
    expect(await db.selectFrom('waitingListEntries').select(['state', 'offeredQuantity']).executeTakeFirstOrThrow()).toEqual({
      state: 'offered',
      offeredQuantity: 1,
    })
    await smtp.waitFor('wendy@example.test', 2)

    // Audited, with the type before and after.
    const audit = await db
      .selectFrom('auditLog')
      .select(['actorLabel', 'details'])
      .where('action', '=', 'order.ticket_moved')
      .where('subjectId', '=', order.id)
      .execute()
    expect(audit.map((entry) => ({ ...entry, details: JSON.parse(entry.details) }))).toEqual([
      {
        actorLabel: organiser.user.email,
        details: {
          code: order.code,
          ticket: codes[1],
          priceMinor: PRICE,
          before: { ticketTypeId: types.hall, ticketType: 'Hall' },
          after: { ticketTypeId: types.balcony, ticketType: 'Balcony' },
        },
      },
    ])

    // The buyer's mail: the new type, the code kept, both tickets with their QR codes.
    // After its confirmation and the mail of its payment.
    const subject = t('mail.ticketMoved.subject', { eventTitle: 'Harbour Lights', type: 'Balcony' })
    const mail = (await smtp.waitFor('bea@example.test', 3)).find((received) => received.parsed.subject === subject)!
    expect(mail).toBeDefined()
    const text = mail.parsed.text!
    // The buyer greeted, and the organiser the one who moved it (not "<buyer>, the organiser of …").
    expect(text).toMatch(/^Hello [^.]+\. The organiser of Harbour Lights \(/m)
    expect(text).toContain(t('mail.ticketMoved.codeSame'))
    expect(text).toMatch(new RegExp(`Balcony \\(€25\\.00\\): ${codes[1]}`))
    expect(text).toMatch(new RegExp(`Hall \\(€25\\.00\\): ${codes[0]}`))
    expect(mail.parsed.attachments.filter((file) => file.contentType === 'image/png')).toHaveLength(2)

    // The buyer's order page shows the new type.
    const key = (await db.selectFrom('orders').select('accessKey').where('id', '=', order.id).executeTakeFirstOrThrow()).accessKey
    const page = await app.inject({ method: 'GET', url: `/orders/${order.code}?key=${key}` })
    expect([...page.body.matchAll(/<p class="ticket__type">([^<]*)<\/p>/g)].map((match) => match[1]).sort()).toEqual([
      'Balcony · €25.00',
      'Hall · €25.00',
    ])

    // The door admits the old code as the new type.
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const scanned = await organiser.browser.post(`/events/${eventId}/check-in`, { code: codes[1]!, gate: 'North' })
    expect(answerOf(scanned.body)).toBe('admitted')
    expect(scanned.body).toContain('Balcony')
  })

  it('refuses a type of another price, one with no place left, one on the seat map, a ticket let in at the door and one not of the order, with the form back and why; nothing changes', async () => {
    const { db, organiser, eventId, types } = await start()
    const order = await placeOrder(db, eventId, types.hall, { quantity: 2 })
    const [first, second] = await ticketIdsOf(db, order.id)
    const other = await placeOrder(db, eventId, types.balcony, { quantity: 2 })
    const [otherTicket] = await ticketIdsOf(db, other.id)
    const url = moveTicketUrl(eventId, order.code)
    const before = await traces(db, eventId)

    const refused = async (fields: Record<string, string>, status: number, words: string) => {
      await organiser.browser.get(`${url}?ticket=${fields.ticket}`)
      const response = await organiser.browser.post(url, fields)
      expect(response.statusCode, words).toBe(status)
      expect(response.body, words).toContain(words)
      expect(response.body).toContain(t('orderChanges.move.heading', { code: order.code }))
      expect(await traces(db, eventId)).toEqual(before)
      return response
    }
    const vip = await refused(
      { ticket: String(first), type: String(types.vip), confirm: 'yes' },
      422,
      t('orderChanges.move.differentPrice', { type: 'VIP', price: '€50.00', ticketPrice: '€25.00' }),
    )
    // The form keeps what was chosen.
    expect(vip.body).toMatch(new RegExp(`id="f-type-${types.vip}" name="type" value="${types.vip}" checked`))
    await refused({ ticket: String(first), type: String(types.balcony) }, 422, t('orderChanges.move.full', { type: 'Balcony' }))
    await refused({ ticket: String(first), type: String(types.stalls) }, 422, t('orderChanges.move.seated'))
    await refused({ ticket: String(first), type: String(types.hall) }, 422, t('orderChanges.move.sameType', { type: 'Hall' }))
    await refused({ ticket: String(first), type: '999999' }, 422, t('orderChanges.move.noSuchType'))
    await refused({ ticket: String(otherTicket), type: String(types.garden) }, 422, t('orderChanges.move.notOfOrder'))
    await refused({ ticket: String(first), type: '' }, 422, t('orderChanges.move.chooseType'))

    // Let in at the door: the list says why, and a form made by hand is refused.
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const codes = await doorCodesOfOrder(db, order.id)
    expect(answerOf((await organiser.browser.post(`/events/${eventId}/check-in`, { code: codes[1]!, gate: 'North' })).body)).toBe('collect')
    await organiser.browser.post(`/events/${eventId}/check-in/collect`, { code: codes[1]!, gate: 'North' })
    const inside = await traces(db, eventId)
    // Named, it is not chosen: the list says why.
    const list = await organiser.browser.get(`${url}?ticket=${second}`)
    expect(list.body).toContain(t('orderChanges.move.why.checkedIn'))
    expect(list.body).not.toContain(`?ticket=${second}"`)
    await organiser.browser.get(url)
    const checkedIn = await organiser.browser.post(url, { ticket: String(second), type: String(types.garden), confirm: 'yes' })
    expect(checkedIn.statusCode).toBe(422)
    expect(checkedIn.body).toContain(t('orderChanges.move.checkedIn'))
    expect(await traces(db, eventId)).toEqual(inside)
  })

  it('moves a ticket once when the same confirmation is sent twice, and answers the second as done', async () => {
    const { db, organiser, eventId, types } = await start()
    const order = await placeOrder(db, eventId, types.hall)
    const [ticket] = await ticketIdsOf(db, order.id)
    const url = moveTicketUrl(eventId, order.code)
    const { done } = await moveTicketAsOrganiser(organiser.browser, eventId, order.code, ticket!, types.garden)
    expectRedirect(done, `/events/${eventId}/orders?q=${order.code}`)
    const again = await organiser.browser.post(url, { ticket: String(ticket), type: String(types.garden), confirm: 'yes' })
    expectRedirect(again, `/events/${eventId}/orders?q=${order.code}`)
    const [code] = await doorCodesOfOrder(db, order.id)
    expect((await organiser.browser.get(`/events/${eventId}/orders?q=${order.code}`)).body).toContain(
      t('flash.orderChanges.alreadyMoved', { ticket: code!, code: order.code, type: 'Garden' }),
    )
    expect(await db.selectFrom('auditLog').select('id').where('action', '=', 'order.ticket_moved').execute()).toHaveLength(1)
    expect(await counts(db, eventId, [types.hall, types.garden])).toMatchObject({
      types: { [types.hall]: { sold: 0 }, [types.garden]: { sold: 1 } },
    })
    expect(await capacityViolations(db, eventId)).toEqual([])
  })

  it('answers 404 to another organiser and sends a logged-out visitor to log in; nothing changes', async () => {
    const { app, db, eventId, types } = await start()
    const order = await placeOrder(db, eventId, types.hall)
    const [ticket] = await ticketIdsOf(db, order.id)
    const url = moveTicketUrl(eventId, order.code)
    const before = await traces(db, eventId)
    const other = await loginAs({ app, db }, 'organiser')
    await other.browser.get('/organiser')
    expect((await other.browser.get(`${url}?ticket=${ticket}`)).statusCode).toBe(404)
    const posted = await other.browser.post(url, { ticket: String(ticket), type: String(types.garden), confirm: 'yes' })
    expect(posted.statusCode).toBe(404)
    expect(posted.body).not.toContain('Harbour Lights')
    const anonymous = await app.inject({ method: 'GET', url })
    expect(anonymous.statusCode).toBe(303)
    expect(await traces(db, eventId)).toEqual(before)
  })
})
