import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { TestSmtpServer, fastMail } from '../helpers/smtp.js'
import { cancelAsBuyer, join, offerTokenIn } from '../waiting-list/support.js'

describeInBrowser('the waiting list with JavaScript switched off', (kind) => {
  const smtp = new TestSmtpServer()
  beforeAll(() => smtp.start())
  afterAll(() => smtp.close())
  const t = useBrowserApp(kind, { config: () => ({ mail: fastMail(smtp.url) }) })

  it('a visitor joins a sold-out list, is offered a cancelled ticket by mail and buys it, while another buyer is refused', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Harbour Lights',
      ticketTypes: [{ name: 'Seat', priceMinor: 1500, capacity: 1, maxPerOrder: 2 }],
    })
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()

    // Another buyer opens the form while the last ticket is left, and sends it later.
    const other = await t.newPage({ javaScriptEnabled: false })
    await other.goto(`/buy-tickets/${event.id}`)
    await other.getByLabel('Seat').fill('1')
    await other.getByLabel('Name').fill('Otto Other')
    await other.getByLabel('Email').fill('otto@example.test')
    // The holder buys the last ticket.
    const holderPage = await t.newPage({ javaScriptEnabled: false })
    await holderPage.goto(`/buy-tickets/${event.id}`)
    await holderPage.getByLabel('Seat').fill('1')
    await holderPage.getByLabel('Name').fill('Hal Holder')
    await holderPage.getByLabel('Email').fill('holder@example.test')
    await Promise.all([holderPage.waitForURL(/\/purchase\/success/), holderPage.getByRole('button', { name: 'Buy tickets' }).click()])

    const visitor = await t.newPage({ javaScriptEnabled: false })
    await visitor.goto(`/event/${event.id}`)
    await visitor.getByRole('link', { name: 'join the waiting list for Seat' }).click()
    await visitor.getByLabel('Name').fill('Vera Visitor')
    await visitor.getByLabel('Email').fill('vera@example.test')
    await visitor.getByLabel('How many tickets').fill('1')
    await Promise.all([visitor.waitForURL(`**/event/${event.id}`), visitor.getByRole('button', { name: 'Join the waiting list' }).click()])
    await visitor.getByText('You are on the waiting list for Seat.').waitFor()
    const [joined] = await smtp.waitFor('vera@example.test')
    expect(joined!.parsed.subject).toBe('You are on the waiting list for Harbour Lights')

    // The holder cancels from their order page.
    await holderPage.getByRole('link', { name: 'Cancel this order…' }).click()
    await Promise.all([holderPage.waitForURL(/\/orders\//), holderPage.getByRole('button', { name: 'Cancel the order' }).click()])

    const mails = await smtp.waitFor('vera@example.test', 2)
    const offer = mails.find((mail) => mail.parsed.subject === 'Tickets for Harbour Lights are held for you')!
    const link = /(http:\/\/127\.0\.0\.1:\d+\/buy-tickets\/\d+\?offer=[A-Za-z0-9_-]+)/.exec(offer.parsed.text!)![1]!

    // The organiser sees the hold and when it expires.
    const organiserPage = await t.newPage({ javaScriptEnabled: false })
    await logIn(organiserPage, organiser)
    await organiserPage.goto(`/events/${event.id}/waiting-list`)
    await organiserPage.getByText(/Offered 1 until .*(CET|CEST)/).waitFor()

    // The other buyer's form, open all along, is refused; the visitor's link buys the held ticket.
    await Promise.all([other.waitForURL('**/purchase/fail'), other.getByRole('button', { name: 'Buy tickets' }).click()])
    await other.getByText('Seat is sold out.').waitFor()
    await visitor.goto(link)
    await visitor.getByText('1 ticket (Seat) is held for you until').waitFor()
    expect(await visitor.getByLabel('Name').inputValue()).toBe('Vera Visitor')
    await Promise.all([visitor.waitForURL(/\/purchase\/success\?order=/), visitor.getByRole('button', { name: 'Buy tickets' }).click()])
    await visitor.getByRole('heading', { name: 'Thank you, your tickets are booked' }).waitFor()
    expect(await visitor.locator('[data-live-note]').count(), 'no script ran').toBe(0)

    const bought = await t.db.selectFrom('orders').select(['buyerEmail', 'status']).where('eventId', '=', event.id).orderBy('id').execute()
    expect(bought).toEqual([
      { buyerEmail: 'holder@example.test', status: 'cancelled' },
      { buyerEmail: 'vera@example.test', status: 'pending' },
    ])
    expect(
      await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', ticketTypes[0]!.id).executeTakeFirstOrThrow(),
    ).toEqual({
      sold: 1,
      held: 0,
    })
    await organiserPage.goto(`/events/${event.id}/waiting-list`)
    await organiserPage.getByText('Claimed 1').waitFor()
  })

  it('with JavaScript on, the event page shows "Sold out — join the waiting list" the moment the last ticket goes', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Pier Concert',
      ticketTypes: [{ name: 'Seat', capacity: 1 }],
    })
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    const watcher = await t.newPage()
    await watcher.goto(`/event/${event.id}`)
    await watcher.waitForSelector('[data-live-current]')
    const link = watcher.locator(`[data-live-waiting-list="${ticketTypes[0]!.id}"]`)
    expect(await link.isVisible()).toBe(false)

    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    t.app.eventChanges.notify(event.id)
    await link.waitFor({ state: 'visible' })
    expect((await watcher.locator('.ticket-table td').last().textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      'Sold out — join the waiting list for Seat',
    )
  })

  it('with JavaScript on, the offer link keeps the held tickets choosable and buys them, while other visitors still see them sold out', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Lantern Night',
      ticketTypes: [{ name: 'Seat', priceMinor: 1500, capacity: 2, maxPerOrder: 4 }],
    })
    const [eventId, typeId] = [event.id, ticketTypes[0]!.id]
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', eventId).execute()
    const sold = await placeOrder(t.db, eventId, typeId, { quantity: 2 })
    await join(t.app, eventId, typeId, { name: 'Jo Joiner', email: 'jo@example.test', quantity: 2 })
    await cancelAsBuyer(t.app, t.db, sold.id)
    const mails = await smtp.waitFor('jo@example.test', 2)
    const offer = mails.find((mail) => mail.parsed.subject === 'Tickets for Lantern Night are held for you')!
    expect(await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()).toEqual({
      sold: 0,
      held: 2,
    })

    const holder = await t.newPage()
    await holder.goto(`/buy-tickets/${eventId}?offer=${offerTokenIn(offer.parsed.text!)}`)
    await holder.waitForSelector('[data-live-current]')
    const quantity = holder.locator(`[data-live-qty="${typeId}"]`)
    expect(await quantity.isDisabled()).toBe(false)
    expect(await quantity.inputValue()).toBe('2')
    expect(await quantity.getAttribute('max')).toBe('2')
    expect(await holder.locator(`[data-live-remaining="${typeId}"]`).textContent()).toBe('2 left')
    expect(await holder.locator('[data-live-status]').isVisible()).toBe(false)
    expect(await holder.locator('[data-live-note]').isVisible()).toBe(false)

    // Anyone else is told the truth: nothing of the type is left for them, and the buy button stays hidden.
    const other = await t.newPage()
    await other.goto(`/event/${eventId}`)
    await other.waitForSelector('[data-live-current]')
    expect(await other.locator(`[data-live-remaining="${typeId}"]`).textContent()).toBe('Sold out')
    expect(await other.locator('[data-live-status]').textContent()).toBe('Sold out')
    expect(await other.locator('[data-live-buy]').isVisible()).toBe(false)

    await Promise.all([holder.waitForURL(/\/purchase\/success\?order=/), holder.getByRole('button', { name: 'Buy tickets' }).click()])
    await holder.getByRole('heading', { name: 'Thank you, your tickets are booked' }).waitFor()
    const bought = await t.db
      .selectFrom('orders')
      .select(['buyerEmail', 'status'])
      .where('eventId', '=', eventId)
      .where('status', '!=', 'cancelled')
      .execute()
    // A reservation to pay at the door: the event offers no other way.
    expect(bought).toEqual([{ buyerEmail: 'jo@example.test', status: 'pending' }])
    expect(await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()).toEqual({
      sold: 2,
      held: 0,
    })
    const entry = await t.db
      .selectFrom('waitingListEntries')
      .select('state')
      .where('email', '=', 'jo@example.test')
      .executeTakeFirstOrThrow()
    expect(entry.state).toBe('claimed')
  })
})
