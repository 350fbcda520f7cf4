import { simpleParser } from 'mailparser'
import { beforeAll, expect, it } from 'vitest'
import { MailComposer } from '../../src/features/mail/mail.messages.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { cancelTickets } from '../../src/features/orders/ticket-cancellation.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { type EventFixture, createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { placeOrder } from '../helpers/orders.js'
import { decodePngQr } from '../helpers/qr-decode.js'
import { type ReceivedMail, useMailApp } from '../helpers/smtp.js'

/**
 * The mails that carry tickets (the confirmation, and "payment received" of
 * an order paid later) show each ticket's QR code from the message itself: a
 * PNG sent inline, which the HTML shows by its Content-ID, as received by the
 * real SMTP server of the tests.
 */
describeEachDatabase('the QR codes in the mails that carry tickets', (kind) => {
  const t = useMailApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  async function eventOffering(methods: string, fixture: EventFixture = {}) {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { timeZone: 'Europe/Berlin', ...fixture })
    await t.db
      .updateTable('events')
      .set({ paymentMethods: methods, bankDetails: methods.includes('bank-transfer') ? 'IBAN DE89 3704 0044 0532 0130 00' : '' })
      .where('id', '=', event.id)
      .execute()
    return { event, typeId: ticketTypes[0]!.id }
  }

  async function buy(eventId: number, typeId: number, email: string, quantity: number, payment?: string) {
    const response = await new TestBrowser(t.app).submit(`/buy-tickets/${eventId}`, `/purchase/${eventId}`, {
      [`qty_${typeId}`]: String(quantity),
      name: 'Robin Buyer',
      email,
      ...(payment && { payment }),
    })
    expect(response.statusCode).toBe(303)
    return t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', email).executeTakeFirstOrThrow()
  }

  /**
   * The mail's inline images, each read back as a QR code, in the order its
   * HTML shows them: the HTML as sent (mailparser would turn cid: links into
   * data: URLs) references each by its Content-ID.
   */
  async function qrCodesShown(mail: ReceivedMail): Promise<string[]> {
    const asSent = await simpleParser(mail.raw, { keepCidLinks: true })
    const html = asSent.html as string
    const cids = [...html.matchAll(/<img src="cid:([^"]+)"/g)].map(([, cid]) => cid!)
    const images = asSent.attachments.filter((attachment) => attachment.contentType === 'image/png')
    expect(images.map((image) => image.cid).sort()).toEqual([...cids].sort())
    for (const image of images) {
      expect(image.related).toBe(true)
      expect(image.contentDisposition).toBe('inline')
    }
    // Nothing to fetch from the web to see the tickets.
    expect(html).not.toMatch(/<img[^>]+src="https?:/)
    return cids.map((cid) => decodePngQr(images.find((image) => image.cid === cid)!.content) ?? 'unreadable')
  }

  it('the confirmation of an order to pay at the door, and of a free one, shows each ticket’s QR code; the text keeps the codes', async () => {
    const door = await eventOffering('at-door', { title: 'Pier Dance' })
    const atDoor = await buy(door.event.id, door.typeId, 'door@example.test', 3)
    const [confirmation] = await t.smtp.waitFor('door@example.test')
    const doorCodes = await doorCodesOfOrder(t.db, atDoor.id)
    expect(await qrCodesShown(confirmation!)).toEqual(doorCodes)
    for (const doorCode of doorCodes) {
      expect(confirmation!.parsed.text).toContain(doorCode)
      expect(confirmation!.parsed.html).toContain(`alt="QR code of ticket ${doorCode}"`)
    }
    expect(confirmation!.parsed.attachments.filter((attachment) => !attachment.related).map((attachment) => attachment.filename)).toEqual([
      'event.ics',
    ])

    const free = await eventOffering('at-door', { title: 'Open Rehearsal', ticketTypes: [{ name: 'Free', priceMinor: 0 }] })
    const freeOrder = await buy(free.event.id, free.typeId, 'free@example.test', 1)
    const [freeConfirmation] = await t.smtp.waitFor('free@example.test')
    expect(await qrCodesShown(freeConfirmation!)).toEqual(await doorCodesOfOrder(t.db, freeOrder.id))
  })

  it('an order paid by transfer: none while its payment is awaited, each ticket’s once it is paid', async () => {
    const { event, typeId } = await eventOffering('bank-transfer', { title: 'Quay Choir' })
    const placed = await buy(event.id, typeId, 'transfer@example.test', 2, 'bank-transfer')
    const [awaiting] = await t.smtp.waitFor('transfer@example.test')
    expect(awaiting!.parsed.attachments).toEqual([])
    expect(awaiting!.raw.toString('latin1')).not.toContain('cid:')

    const owner = new TestBrowser(t.app)
    await owner.login(organiser.email, organiser.password)
    expect((await owner.submit('/organiser', `/events/${event.id}/orders/${placed.code}/mark-paid`)).statusCode).toBe(303)
    const [, paid] = await t.smtp.waitFor('transfer@example.test', 2)
    expect(paid!.parsed.subject).toBe(`Payment received: your tickets for Quay Choir (order ${placed.code})`)
    expect(await qrCodesShown(paid!)).toEqual(await doorCodesOfOrder(t.db, placed.id))
  })

  it('a confirmation composed after its order was cancelled carries no QR code', async () => {
    const { event, typeId } = await eventOffering('at-door', { title: 'Cancelled Before Sending' })
    const placed = await placeOrder(t.db, event.id, typeId, { quantity: 2, buyerEmail: 'gone@example.test' })
    const row = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'gone@example.test')
      .where('kind', '=', 'order-confirmation')
      .executeTakeFirstOrThrow()
    const composer = new MailComposer(t.db, false, 'tickets@admit-one.test')
    const site = await getSiteSettings(t.db)
    const before = await composer.compose(row, site)
    expect(before.attachments.filter((attachment) => attachment.cid)).toHaveLength(2)

    const audit = {
      actorId: null,
      actorLabel: 'gone@example.test',
      action: 'order.cancelled_by_buyer',
      subjectType: 'order',
      subjectId: placed.id,
    }
    expect(
      await cancelOrder(
        t.db,
        { id: placed.id, eventId: event.id, buyerEmail: 'gone@example.test', locale: 'en' },
        audit,
        'http://admit-one.test',
      ),
    ).toBe(true)
    const after = await composer.compose(row, site)
    expect(after.attachments.map((attachment) => attachment.filename)).toEqual(['event.ics'])
    expect(after.html).not.toContain('cid:')
  })

  it('a confirmation composed after one ticket was cancelled on its own shows the QR codes of the others only', async () => {
    const { event, typeId } = await eventOffering('at-door', { title: 'One Less' })
    const placed = await placeOrder(t.db, event.id, typeId, { quantity: 3, buyerEmail: 'fewer@example.test' })
    const row = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'fewer@example.test')
      .where('kind', '=', 'order-confirmation')
      .executeTakeFirstOrThrow()
    const tickets = await t.db.selectFrom('tickets').select('id').where('orderId', '=', placed.id).orderBy('id').execute()
    const actor = { userId: null, label: 'organiser@example.test', isAdmin: false, ip: null }
    const order = { id: placed.id, code: placed.code, eventId: event.id, buyerEmail: 'fewer@example.test', locale: 'en' }
    await cancelTickets(t.db, order, [tickets[1]!.id], { actor, siteUrl: 'http://admit-one.test', nameOf: String })

    const composed = await new MailComposer(t.db, false, 'tickets@admit-one.test').compose(row, await getSiteSettings(t.db))
    const images = composed.attachments.filter((attachment) => attachment.cid)
    expect(images.map((image) => image.filename)).toEqual(['ticket-1-qr.png', 'ticket-3-qr.png'])
    for (const image of images) expect(composed.html).toContain(`cid:${image.cid}`)
  })
})
