import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useMailApp } from '../helpers/smtp.js'
import { cancelAsBuyer, capacityViolations, join, offerTokenIn, soldOutEvent } from './support.js'

describeEachDatabase('the waiting list, from joining to claiming', (kind) => {
  const t = useMailApp(kind)

  const entryOf = (email: string) => t.db.selectFrom('waitingListEntries').selectAll().where('email', '=', email).executeTakeFirstOrThrow()

  it('offers a sold-out type on its event page, takes a name with a confirmation mail, and refuses the same address twice', async () => {
    const { eventId, typeId } = await soldOutEvent(t.db)
    const page = await new TestBrowser(t.app).get(`/event/${eventId}`)
    expect(page.body).toContain(`href="/event/${eventId}/waiting-list?type=${typeId}"`)
    expect(page.body).toMatch(/Sold out<\/span>\s*<span data-live-waiting-list="\d+"> — <a[^>]*>join the waiting list/)

    const { response } = await join(t.app, eventId, typeId, { name: 'Wendy Waiter', email: 'Wendy@Example.test', quantity: 2 })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe(`/event/${eventId}`)
    expect(await entryOf('wendy@example.test')).toMatchObject({ state: 'waiting', quantity: 2, name: 'Wendy Waiter' })

    const [mail] = await t.smtp.waitFor('wendy@example.test')
    expect(mail!.parsed.subject).toBe('You are on the waiting list for Lantern Night')
    const leave = /(http:\/\/localhost:80\/waiting-list\/leave\?token=[A-Za-z0-9_-]+)/.exec(mail!.parsed.text!)?.[1]
    expect(leave).toBeDefined()
    expect(mail!.parsed.html).toContain(`href="${leave}"`)
    // Only the token's hash is kept.
    const token = new URL(leave!).searchParams.get('token')!
    expect(JSON.stringify(await entryOf('wendy@example.test'))).not.toContain(token)

    const again = await join(t.app, eventId, typeId, { email: 'wendy@example.test' })
    expect(again.response.statusCode).toBe(422)
    expect(again.response.body).toContain('This email address is already on the waiting list for these tickets.')
    expect(await t.db.selectFrom('waitingListEntries').select('id').where('eventId', '=', eventId).execute()).toHaveLength(1)
  })

  it('re-shows the form with a message at each field for bad input, and writes nothing', async () => {
    const { eventId, typeId } = await soldOutEvent(t.db, { maxPerOrder: 3 })
    const browser = new TestBrowser(t.app)
    await browser.get(`/event/${eventId}/waiting-list?type=${typeId}`)
    const response = await browser.post(`/event/${eventId}/waiting-list`, {
      type: String(typeId),
      name: '',
      email: 'not an address',
      quantity: '4',
    })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('Enter your name.')
    expect(response.body).toContain('Enter an email address like name@example.com.')
    expect(response.body).toContain('Enter how many Seat tickets you want, from 1 to 3.')
    expect(response.body).toContain('value="not an address"')
    expect(await t.db.selectFrom('waitingListEntries').select('id').where('eventId', '=', eventId).execute()).toEqual([])
    // Without its CSRF token the form is refused.
    const forged = await new TestBrowser(t.app).post(`/event/${eventId}/waiting-list`, {
      type: String(typeId),
      name: 'X',
      email: 'x@example.test',
      quantity: '1',
    })
    expect(forged.statusCode).toBe(403)
  })

  it('takes no names once the organiser turned the list off, or while tickets remain, though the form was open', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 1 })
    const browser = new TestBrowser(t.app)
    const form = await browser.get(`/event/${eventId}/waiting-list?type=${typeId}`)
    expect(form.body).toContain('Join the waiting list')
    const fields = { type: String(typeId), name: 'Early', email: 'early@example.test', quantity: '1' }
    await t.db.updateTable('events').set({ waitingList: 0 }).where('id', '=', eventId).execute()
    const off = await browser.post(`/event/${eventId}/waiting-list`, fields)
    expect(off.statusCode).toBe(409)
    expect(off.body).toContain('This event has no waiting list.')
    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', eventId).execute()
    const available = await browser.post(`/event/${eventId}/waiting-list`, fields)
    expect(available.statusCode).toBe(409)
    expect(available.body).toContain('Seat is not sold out (or not on sale) now')
    expect(await t.db.selectFrom('waitingListEntries').select('id').where('eventId', '=', eventId).execute()).toEqual([])
  })

  it('holds a cancelled ticket for the first person in line, mails a single-use link, and nobody else can buy it', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 2 })
    await join(t.app, eventId, typeId, { name: 'First', email: 'first@example.test', quantity: 1 })
    await join(t.app, eventId, typeId, { name: 'Second', email: 'second@example.test', quantity: 1 })
    expect((await cancelAsBuyer(t.app, t.db, orders[0]!.id)).statusCode).toBe(303)

    expect(await entryOf('first@example.test')).toMatchObject({ state: 'offered', offeredQuantity: 1 })
    expect(await entryOf('second@example.test')).toMatchObject({ state: 'waiting' })
    const type = await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()
    expect(type).toEqual({ sold: 1, held: 1 })
    expect(await capacityViolations(t.db, eventId)).toEqual([])

    const mails = await t.smtp.waitFor('first@example.test', 2)
    const offer = mails.find((mail) => mail.parsed.subject === 'Tickets for Lantern Night are held for you')!
    expect(offer.parsed.text).toContain('1 ticket (Seat) is held for you until')
    expect(offer.parsed.text).toContain('Nobody else can buy it until then.')
    expect(offer.parsed.html).toContain('Nobody else can buy it until then.')
    // In the event's time zone (Europe/Berlin).
    expect(offer.parsed.text).toMatch(/until .*(CET|CEST)/)
    const token = offerTokenIn(offer.parsed.text!)

    // The public sees it sold out, and a buyer without the link is refused.
    const stranger = new TestBrowser(t.app)
    const form = await stranger.get(`/buy-tickets/${eventId}`)
    expect(form.body).toContain('This event is sold out.')
    expect(form.body).toContain(`href="/event/${eventId}/waiting-list?type=${typeId}"`)
    // The sold-out page has no form: a hand-made POST, with a token from another page.
    await stranger.get('/login')
    const key = 'k'.repeat(24)
    const refused = await stranger.post(`/purchase/${eventId}`, {
      key,
      [`qty_${typeId}`]: '1',
      name: 'Stranger',
      email: 'stranger@example.test',
      [`price_${typeId}`]: '2500',
      currency: 'EUR',
    })
    expect(refused.headers.location).toBe('/purchase/fail')

    // The holder's link opens the form with the ticket reserved, and buying uses the offer up.
    const holder = new TestBrowser(t.app)
    const claimForm = await holder.get(`/buy-tickets/${eventId}?offer=${token}`)
    expect(claimForm.statusCode).toBe(200)
    expect(claimForm.body).toContain('1 ticket (Seat) is held for you until')
    expect(claimForm.body).toContain('Nobody else can buy it until then. Buy it below.')
    expect(claimForm.body).toContain('value="First"')
    const claimKey = /name="key" value="([^"]+)"/.exec(claimForm.body)![1]!
    // More than the offer holds is refused, and changes nothing.
    const greedy = await holder.post(`/purchase/${eventId}`, {
      key: claimKey,
      [`qty_${typeId}`]: '2',
      name: 'First',
      email: 'first@example.test',
    })
    expect(greedy.headers.location).toBe('/purchase/fail')
    expect((await holder.get('/purchase/fail')).body).toContain('This offer holds 1 ticket of one type: buy up to that many of it.')
    expect(await entryOf('first@example.test')).toMatchObject({ state: 'offered' })
    await holder.get(`/buy-tickets/${eventId}?offer=${token}`)
    const bought = await holder.post(`/purchase/${eventId}`, {
      key: claimKey,
      [`qty_${typeId}`]: '1',
      name: 'First',
      email: 'first@example.test',
    })
    expect(bought.headers.location).toMatch(/^\/purchase\/success\?order=/)
    const entry = await entryOf('first@example.test')
    expect(entry.state).toBe('claimed')
    expect(entry.orderId).not.toBeNull()
    expect(await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()).toEqual({
      sold: 2,
      held: 0,
    })
    expect(await capacityViolations(t.db, eventId)).toEqual([])

    // Single use: the link again, from another browser, is refused with a reason.
    const again = new TestBrowser(t.app)
    const reused = await again.get(`/buy-tickets/${eventId}?offer=${token}`)
    expect(reused.body).toContain('This offer has been used')
    await again.get('/login')
    const againKey = 'q'.repeat(24)
    const second = await again.post(`/purchase/${eventId}`, {
      key: againKey,
      offer: token,
      [`qty_${typeId}`]: '1',
      name: 'First',
      email: 'first@example.test',
    })
    expect(second.headers.location).toBe('/purchase/fail')
    expect((await again.get('/purchase/fail')).body).toContain('This offer has been used')
    expect(await capacityViolations(t.db, eventId)).toEqual([])
  })

  it('offers a raised capacity in turn, and a claim of fewer than held passes the rest on', async () => {
    const { owner, eventId, typeId } = await soldOutEvent(t.db, { capacity: 1 })
    await join(t.app, eventId, typeId, { name: 'Pair', email: 'pair@example.test', quantity: 2 })
    await join(t.app, eventId, typeId, { name: 'Next', email: 'next@example.test', quantity: 1 })
    const organiser = new TestBrowser(t.app)
    await organiser.login(owner.email, owner.password)
    const edit = await organiser.get(`/ticket-types/${typeId}/edit`)
    expect(edit.statusCode).toBe(200)
    const saved = await organiser.post(`/ticket-types/${typeId}/edit`, {
      name: 'Seat',
      price: '25.00',
      capacity: '3',
      maxPerOrder: '4',
      salesStartAt: '',
      salesEndAt: '',
    })
    expect(saved.statusCode).toBe(303)
    expect(await entryOf('pair@example.test')).toMatchObject({ state: 'offered', offeredQuantity: 2 })
    expect(await entryOf('next@example.test')).toMatchObject({ state: 'waiting' })

    const mails = await t.smtp.waitFor('pair@example.test', 2)
    const token = offerTokenIn(mails.find((mail) => /held for you/.test(mail.parsed.subject!))!.parsed.text!)
    const holder = new TestBrowser(t.app)
    const form = await holder.get(`/buy-tickets/${eventId}?offer=${token}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    const bought = await holder.post(`/purchase/${eventId}`, { key, [`qty_${typeId}`]: '1', name: 'Pair', email: 'pair@example.test' })
    expect(bought.headers.location).toMatch(/^\/purchase\/success/)
    expect(await entryOf('next@example.test')).toMatchObject({ state: 'offered', offeredQuantity: 1 })
    expect(await capacityViolations(t.db, eventId)).toEqual([])

    // A capacity below what is sold and held is refused, saying so.
    const lower = await organiser.post(`/ticket-types/${typeId}/edit`, {
      name: 'Seat',
      price: '25.00',
      capacity: '2',
      maxPerOrder: '4',
      salesStartAt: '',
      salesEndAt: '',
    })
    expect(lower.statusCode).toBe(422)
    expect(lower.body).toContain(
      '2 tickets of this type are already sold and 1 held for offers to the waiting list, so its capacity cannot be lower than 3.',
    )
  })

  it('expires an offer lazily when availability is read, and passes it on with a message', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 1 })
    await join(t.app, eventId, typeId, { name: 'Slow', email: 'slow@example.test' })
    await join(t.app, eventId, typeId, { name: 'Quick', email: 'quick@example.test' })
    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    const offered = await entryOf('slow@example.test')
    expect(offered.state).toBe('offered')
    // Its time runs out: as if a day had passed.
    await t.db
      .updateTable('waitingListEntries')
      .set({ offerExpiresAt: Date.now() - 1 })
      .where('id', '=', offered.id)
      .execute()
    const page = await new TestBrowser(t.app).get(`/event/${eventId}`)
    expect(page.statusCode).toBe(200)
    expect(await entryOf('slow@example.test')).toMatchObject({ state: 'expired' })
    expect(await entryOf('quick@example.test')).toMatchObject({ state: 'offered', offeredQuantity: 1 })
    expect(await capacityViolations(t.db, eventId)).toEqual([])
    const slowMails = await t.smtp.waitFor('slow@example.test', 3)
    expect(slowMails.map((mail) => mail.parsed.subject)).toContain('Your offer for Lantern Night has expired')
    await t.smtp.waitFor('quick@example.test', 2)
  })

  it.each(['/', '/attendee'])('expires an offer when the event list at %s is read', async (path) => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 1 })
    // The soonest event, so that the home page's few list it.
    await t.db
      .updateTable('events')
      .set({ startsAt: Date.now() + 60_000 })
      .where('id', '=', eventId)
      .execute()
    await join(t.app, eventId, typeId, { name: 'Lister', email: `lister${path.length}@example.test` })
    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    await t.db
      .updateTable('waitingListEntries')
      .set({ offerExpiresAt: Date.now() - 1 })
      .where('eventId', '=', eventId)
      .execute()
    expect((await new TestBrowser(t.app).get(path)).statusCode).toBe(200)
    expect(await entryOf(`lister${path.length}@example.test`)).toMatchObject({ state: 'expired' })
    expect(await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()).toEqual({
      sold: 0,
      held: 0,
    })
  })

  it('expires an offer from the upkeep round with no page read, and frees the tickets for anyone when nobody waits', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 1 })
    await join(t.app, eventId, typeId, { name: 'Gone', email: 'gone@example.test' })
    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    const offered = await entryOf('gone@example.test')
    await t.db
      .updateTable('waitingListEntries')
      .set({ offerExpiresAt: Date.now() - 1 })
      .where('id', '=', offered.id)
      .execute()
    await t.app.upkeep.runRound()
    expect(await entryOf('gone@example.test')).toMatchObject({ state: 'expired' })
    expect(await t.db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', typeId).executeTakeFirstOrThrow()).toEqual({
      sold: 0,
      held: 0,
    })
    expect(await capacityViolations(t.db, eventId)).toEqual([])
  })

  it('tells the people waiting when the organiser cancels the event', async () => {
    const { owner, eventId, typeId } = await soldOutEvent(t.db, { capacity: 1 })
    await join(t.app, eventId, typeId, { name: 'Cass', email: 'cass@example.test' })
    const organiser = new TestBrowser(t.app)
    await organiser.login(owner.email, owner.password)
    await organiser.get(`/events/${eventId}/cancel`)
    expect((await organiser.post(`/cancel-event/${eventId}`)).statusCode).toBe(303)
    const mails = await t.smtp.waitFor('cass@example.test', 2)
    const cancelled = mails.find((mail) => mail.parsed.subject === 'Cancelled: Lantern Night')!
    expect(cancelled.parsed.text).toContain('its waiting list for Seat is closed')
    expect(await entryOf('cass@example.test')).toMatchObject({ state: 'removed' })
  })

  it('lets a person leave by their link, and a holder decline, passing the tickets on', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 1 })
    await join(t.app, eventId, typeId, { name: 'Leaver', email: 'leaver@example.test' })
    await join(t.app, eventId, typeId, { name: 'Decliner', email: 'decliner@example.test' })
    await join(t.app, eventId, typeId, { name: 'Last', email: 'last@example.test' })
    const [joined] = await t.smtp.waitFor('leaver@example.test')
    const leave = /(\/waiting-list\/leave\?token=[A-Za-z0-9_-]+)/.exec(joined!.parsed.text!)![1]!
    const browser = new TestBrowser(t.app)
    const confirm = await browser.get(leave)
    expect(confirm.body).toContain('Leave the waiting list')
    expect(await entryOf('leaver@example.test')).toMatchObject({ state: 'waiting' })
    const left = await browser.post('/waiting-list/leave', { token: new URLSearchParams(leave.split('?')[1]).get('token')! })
    expect(left.statusCode).toBe(303)
    expect(await entryOf('leaver@example.test')).toMatchObject({ state: 'left' })

    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    expect(await entryOf('decliner@example.test')).toMatchObject({ state: 'offered' })
    const mails = await t.smtp.waitFor('decliner@example.test', 2)
    const token = offerTokenIn(mails.find((mail) => /held for you/.test(mail.parsed.subject!))!.parsed.text!)
    const holder = new TestBrowser(t.app)
    await holder.get(`/buy-tickets/${eventId}?offer=${token}`)
    expect((await holder.post('/waiting-list/decline', { offer: token })).statusCode).toBe(303)
    expect(await entryOf('decliner@example.test')).toMatchObject({ state: 'left' })
    expect(await entryOf('last@example.test')).toMatchObject({ state: 'offered' })
    expect(await capacityViolations(t.db, eventId)).toEqual([])
  })
})
