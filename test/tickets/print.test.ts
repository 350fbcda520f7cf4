import { beforeAll, describe, expect, it } from 'vitest'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { cancelTickets } from '../../src/features/orders/ticket-cancellation.js'
import { settle } from '../../src/features/upkeep/settle.js'
import { formatDateTime } from '../../src/lib/format.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { payByHand } from '../helpers/paid-orders.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { readPdf } from '../helpers/pdf.js'
import { decodeRectsQr, decodeSvgQr } from '../helpers/qr-decode.js'
import { addSeatBlock, seatId } from '../helpers/seats.js'

const HOUR = 60 * 60 * 1000
const ZONE = 'America/New_York'
const HOLDER = 'Zoë Straße-Łukasiewicz'

/** The printed tickets of a page: each <li class="print-ticket">, with its QR code read back from its inline SVG. */
function ticketsOnPage(page: string) {
  return page
    .split('<li class="print-ticket"')
    .slice(1)
    .map((ticket) => ({ html: ticket, qr: decodeSvgQr(/<svg[\s\S]*?<\/svg>/.exec(ticket)?.[0] ?? '') }))
}

describeEachDatabase('tickets to print and to carry', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona
  let eventId: number
  let typeId: number
  let startsAt: number

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser', { name: 'Olive Organiser' })
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Opéra sur l’eau',
      venue: 'Quai de Łódź, Pier 3',
      timeZone: ZONE,
      ticketTypes: [{ name: 'Parterre', priceMinor: 2500, capacity: 100, maxPerOrder: 10 }],
    })
    eventId = event.id
    typeId = ticketTypes[0]!.id
    startsAt = event.startsAt
  })

  /** An order of `quantity` tickets for HOLDER, paid by `method`; paid too when `paid`. */
  async function order(quantity: number, options: { method?: string; deadline?: number | null; paid?: boolean } = {}) {
    const placed = await placeOrder(t.db, eventId, typeId, {
      quantity,
      buyerName: HOLDER,
      payment: { method: options.method ?? 'at-door', deadline: options.deadline ?? null },
    })
    if (options.paid) await payByHand(t.db, placed.id)
    const row = await t.db.selectFrom('orders').selectAll().where('id', '=', placed.id).executeTakeFirstOrThrow()
    return { ...row, doorCodes: await doorCodesOfOrder(t.db, placed.id) }
  }

  const pageUrl = (placed: { code: string; accessKey: string }) => `/orders/${placed.code}/tickets?key=${placed.accessKey}`
  const pdfUrl = (placed: { code: string; accessKey: string }) => `/orders/${placed.code}/tickets.pdf?key=${placed.accessKey}`

  describe('a paid order', () => {
    it('prints one ticket a page, each with its QR code inline, the holder, the event’s time in its zone, the venue and the codes', async () => {
      const placed = await order(3, { paid: true })
      const response = await new TestBrowser(t.app).get(pageUrl(placed))
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('private, no-store')
      const tickets = ticketsOnPage(response.body)
      expect(tickets.map((ticket) => ticket.qr)).toEqual(placed.doorCodes)
      const when = formatDateTime(startsAt, ZONE)
      expect(when).toMatch(/[AP]M|EST|EDT|GMT-[45]/)
      for (const [i, ticket] of tickets.entries()) {
        expect(ticket.html).toContain(`<bdi>${HOLDER}</bdi>`)
        expect(ticket.html).toContain(`>${when} <span class="print-ticket__zone">Times in ${ZONE}</span>`)
        expect(ticket.html).toContain('>Opéra sur l’eau</h2>')
        expect(ticket.html).toContain('>Quai de Łódź, Pier 3</p>')
        expect(ticket.html).toContain('<bdi>Parterre</bdi> · €25.00')
        expect(ticket.html).toContain(`<code>${placed.code}</code>`)
        expect(ticket.html).toContain(`<code>${placed.doorCodes[i]}</code>`)
        expect(ticket.html).toContain(`role="img" aria-label="QR code of ticket ${placed.doorCodes[i]}"`)
        expect(ticket.html).toContain('Valid for one admission.')
        expect(ticket.html).toContain(`Ticket ${i + 1} of 3`)
      }
      // Nothing loaded from elsewhere, and nothing to run: the QR codes are in the page.
      const list = response.body.slice(response.body.indexOf('<ol class="print-tickets__list">'))
      expect(list).not.toMatch(/<img|<script|src=/)
      expect(response.body).toContain(`href="${pdfUrl(placed)}" download>Download the tickets as a PDF</a>`)
    })

    it('comes as a PDF made on the server: A4, one page per ticket, each with its text and its QR code drawn in it', async () => {
      const placed = await order(3, { paid: true })
      const response = await new TestBrowser(t.app).get(pdfUrl(placed))
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('application/pdf')
      expect(response.headers['content-disposition']).toBe(`attachment; filename="tickets-${placed.code}.pdf"`)
      expect(response.headers['cache-control']).toBe('private, no-store')
      const pdf = readPdf(response.rawPayload)
      expect(pdf.pageObjects).toBe(3)
      expect(pdf.pages).toHaveLength(3)
      expect(response.rawPayload.toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]')
      for (const [i, page] of pdf.pages.entries()) {
        // é, ß and ë are in the standard fonts' WinAnsi; Ł and ź are not, and print without their marks.
        expect(page.text).toContain('Zoë Straße-Lukasiewicz')
        expect(page.text).toContain('Opéra sur l’eau')
        expect(page.text).toContain('Quai de Lódz, Pier 3')
        expect(page.text).toContain(formatDateTime(startsAt, ZONE))
        expect(page.text).toContain(`Times in ${ZONE}`)
        expect(page.text).toContain('Parterre · €25.00')
        expect(page.text).toContain(placed.code)
        expect(page.text).toContain(placed.doorCodes[i])
        expect(page.text).toContain(`Ticket ${i + 1} of 3`)
        expect(decodeRectsQr(page.filledRects)).toBe(placed.doorCodes[i])
      }
    })

    it('leaves out a ticket the organiser cancelled on its own: the rest of the order prints', async () => {
      const placed = await order(3, { paid: true })
      const tickets = await t.db.selectFrom('tickets').select('id').where('orderId', '=', placed.id).orderBy('id').execute()
      const actor = { userId: organiser.id, label: organiser.email, isAdmin: false, ip: null }
      const how = { actor, siteUrl: 'http://admit-one.test', nameOf: String }
      await cancelTickets(t.db, { ...placed, buyerEmail: placed.buyerEmail, locale: 'en' }, [tickets[1]!.id], how)

      const page = await new TestBrowser(t.app).get(pageUrl(placed))
      expect(ticketsOnPage(page.body).map((ticket) => ticket.qr)).toEqual([placed.doorCodes[0], placed.doorCodes[2]])
      expect(page.body).toContain('Ticket 2 of 2')
      const pdf = readPdf((await new TestBrowser(t.app).get(pdfUrl(placed))).rawPayload)
      expect(pdf.pages.map((onPage) => decodeRectsQr(onPage.filledRects))).toEqual([placed.doorCodes[0], placed.doorCodes[2]])
    })

    it('prints the name given for each ticket, and the buyer’s where none was', async () => {
      const placed = await order(2, { paid: true })
      const [first] = await t.db.selectFrom('tickets').select('id').where('orderId', '=', placed.id).orderBy('id').execute()
      await t.db.updateTable('tickets').set({ holderName: 'Ada Guest' }).where('id', '=', first!.id).execute()

      const page = await new TestBrowser(t.app).get(pageUrl(placed))
      const printed = ticketsOnPage(page.body)
      expect(printed[0]!.html).toContain('<bdi>Ada Guest</bdi>')
      expect(printed[1]!.html).toContain(`<bdi>${HOLDER}</bdi>`)
    })

    it('is linked from the order page', async () => {
      const placed = await order(1, { paid: true })
      const page = await new TestBrowser(t.app).get(`/orders/${placed.code}?key=${placed.accessKey}`)
      expect(page.body).toContain(`<a href="${pageUrl(placed)}">Print the tickets or save them as a PDF</a>`)
    })
  })

  it('a seated ticket prints its seat', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Seated Recital',
      timeZone: ZONE,
      ticketTypes: [{ name: 'Stalls', priceMinor: 0, capacity: 1, maxPerOrder: 4 }],
    })
    await addSeatBlock(t.db, organiser, event.id, { section: 'Stalls', rows: ['F'], seatsPerRow: 12, ticketTypeId: ticketTypes[0]!.id })
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const bought = await buyer.post(`/purchase/${event.id}`, {
      [`qty_${ticketTypes[0]!.id}`]: '0',
      seat: [String(await seatId(t.db, event.id, 'F', '12'))],
      name: 'Sam Seat',
      email: 'seat@example.test',
    })
    expect(bought.statusCode).toBe(303)
    const placed = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', 'seat@example.test').executeTakeFirstOrThrow()
    // The browser that bought it sees it, as it sees the order page.
    const [ticket] = ticketsOnPage((await buyer.get(`/orders/${placed.code}/tickets`)).body)
    expect(ticket!.html).toContain('<dt>Seat</dt><dd><bdi>Stalls, row F, seat 12</bdi></dd>')
    expect(ticket!.html).toContain('<bdi>Sam Seat</bdi>')
    const pdf = readPdf((await buyer.get(`/orders/${placed.code}/tickets.pdf`)).rawPayload)
    expect(pdf.pages[0]!.text).toContain('Stalls, row F, seat 12')
  })

  it('an order to pay at the door prints, saying on each ticket that it is not paid yet and what the door collects', async () => {
    const placed = await order(2)
    const tickets = ticketsOnPage((await new TestBrowser(t.app).get(pageUrl(placed))).body)
    expect(tickets.map((ticket) => ticket.qr)).toEqual(placed.doorCodes)
    for (const ticket of tickets) {
      expect(ticket.html).toContain(
        `print-ticket__state--due">Not paid yet: the door collects €50.00 for the whole order ${placed.code} before letting it in.</p>`,
      )
      expect(ticket.html).not.toContain('Valid for one admission')
    }
    const pdf = readPdf((await new TestBrowser(t.app).get(pdfUrl(placed))).rawPayload)
    expect(pdf.pages).toHaveLength(2)
    for (const page of pdf.pages) {
      expect(page.text.replace(/\s+/g, ' ')).toContain(
        `Not paid yet: the door collects €50.00 for the whole order ${placed.code} before letting it in.`,
      )
      expect(page.text).not.toContain('Valid for one admission')
    }
  })

  describe('nothing prints of an order whose tickets are not valid', () => {
    async function expectNothingToPrint(placed: { code: string; accessKey: string }, why: string) {
      const browser = new TestBrowser(t.app)
      const page = await browser.get(pageUrl(placed))
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain(why)
      expect(ticketsOnPage(page.body)).toEqual([])
      expect(page.body).not.toContain('<svg')
      expect(page.body).not.toContain('tickets.pdf')
      const pdf = await browser.get(pdfUrl(placed))
      expect(pdf.statusCode).toBe(409)
      expect(pdf.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(pdf.body).toContain(why)
      expect(pdf.body).not.toContain('%PDF')
      const orderPage = await browser.get(`/orders/${placed.code}?key=${placed.accessKey}`)
      expect(orderPage.body).not.toContain('/tickets?key=')
    }

    it('waiting for its card payment or its transfer', async () => {
      for (const method of ['card', 'bank-transfer']) {
        const placed = await order(1, { method, deadline: Date.now() + HOUR })
        await expectNothingToPrint(
          placed,
          `The tickets of order ${placed.code} can be printed once its payment has arrived. Until then they are not valid at the door.`,
        )
      }
    })

    it('expired', async () => {
      const placed = await order(1, { method: 'card', deadline: Date.now() + HOUR })
      const past = Date.now() - 1000
      await t.db.updateTable('orders').set({ paymentDeadline: past }).where('id', '=', placed.id).execute()
      await t.db.updateTable('events').set({ nextExpiryAt: past }).where('id', '=', eventId).execute()
      expect(await settle(t.db, { id: eventId, held: 0, nextExpiryAt: past })).toBe(true)
      await expectNothingToPrint(placed, `Order ${placed.code} expired: it was not paid in time, so it has no tickets to print.`)
    })

    it('cancelled, paid before or not', async () => {
      for (const paid of [true, false]) {
        const placed = await order(2, { paid })
        const audit = { actorId: null, actorLabel: 'buyer', action: 'order.cancelled_by_buyer', subjectType: 'order', subjectId: placed.id }
        expect(await cancelOrder(t.db, placed, audit, 'http://admit-one.test')).toBe(true)
        await expectNothingToPrint(
          placed,
          `Order ${placed.code} was cancelled: its tickets are no longer valid, and there is nothing to print.`,
        )
      }
    })
  })

  describe('who may print an order', () => {
    it('not someone with the order’s code and no key, or a wrong one, nor another buyer logged in', async () => {
      const placed = await order(1, { paid: true })
      const { browser: otherBuyer } = await loginAs(t, 'attendee')
      for (const browser of [new TestBrowser(t.app), otherBuyer]) {
        for (const url of [`/orders/${placed.code}/tickets`, `/orders/${placed.code}/tickets.pdf`]) {
          for (const query of ['', '?key=', `?key=${placed.accessKey.slice(0, -1)}x`, '?key=not-the-key']) {
            const response = await browser.get(url + query)
            expect(response.statusCode, url + query).toBe(404)
            expect(response.body).not.toContain(placed.doorCodes[0])
            expect(response.headers['content-type']).not.toBe('application/pdf')
          }
        }
      }
    })

    it('the organiser of the event, for any of its orders, and no other organiser', async () => {
      const placed = await order(2, { paid: true })
      const { browser: owner } = await loginAs(t, organiser)
      const orders = await owner.get(`/events/${eventId}/orders?q=${placed.code}`)
      expect(orders.body).toContain(`<a href="/events/${eventId}/orders/${placed.code}/tickets">Tickets to print`)
      const page = await owner.get(`/events/${eventId}/orders/${placed.code}/tickets`)
      expect(page.statusCode).toBe(200)
      expect(ticketsOnPage(page.body).map((ticket) => ticket.qr)).toEqual(placed.doorCodes)
      expect(page.body).toContain(`<a href="/events/${eventId}/orders?q=${placed.code}">Back to the orders</a>`)
      // The buyer's key is no part of the organiser's page.
      expect(page.body).not.toContain(placed.accessKey)
      const pdf = await owner.get(`/events/${eventId}/orders/${placed.code}/tickets.pdf`)
      expect(pdf.headers['content-type']).toBe('application/pdf')
      expect(readPdf(pdf.rawPayload).pages).toHaveLength(2)

      // An order of another event, under this event's address, is none of this page's.
      const { event: other, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Another Night' })
      const elsewhere = await placeOrder(t.db, other.id, ticketTypes[0]!.id)
      expect((await owner.get(`/events/${eventId}/orders/${elsewhere.code}/tickets`)).statusCode).toBe(404)
      expect((await owner.get(`/events/${eventId}/orders/${elsewhere.code}/tickets.pdf`)).statusCode).toBe(404)

      const { browser: stranger } = await loginAs(t, 'organiser')
      for (const url of [`/events/${eventId}/orders/${placed.code}/tickets`, `/events/${eventId}/orders/${placed.code}/tickets.pdf`]) {
        const response = await stranger.get(url)
        expect(response.statusCode).toBe(404)
        expect(response.body).not.toContain(placed.doorCodes[0])
      }
    })

    it('the organiser’s orders page offers no print for an order with nothing to print', async () => {
      const placed = await order(1, { method: 'card', deadline: Date.now() + HOUR })
      const { browser: owner } = await loginAs(t, organiser)
      const orders = await owner.get(`/events/${eventId}/orders?q=${placed.code}`)
      expect(orders.body).toContain(`<code>${placed.code}</code>`)
      expect(orders.body).not.toContain(`/orders/${placed.code}/tickets`)
    })
  })
})
