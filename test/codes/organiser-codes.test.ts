import { expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { codeNow } from '../helpers/codes.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'

/**
 * The organiser's codes pages, JavaScript off: the "done when" by
 * hand: a 20 % code with ten uses, an access code for a hidden type, and 100
 * single-use codes generated with a prefix and exported; then each one used
 * with JavaScript off, and what the organiser sees of them afterwards.
 */

const TERMS = {
  discount: 'percent',
  percent: '',
  amountOff: '',
  setPrice: '',
  scope: 'all',
  validFrom: '',
  validUntil: '',
  maxUses: '',
  countedPer: 'order',
  maxPerOrder: '',
}

describeEachDatabase('the organiser’s codes', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  async function anEvent() {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      title: 'Harbour Lights',
      ticketTypes: [
        { name: 'Standard', priceMinor: 2500, capacity: 100 },
        { name: 'Press', priceMinor: 0, capacity: 20 },
      ],
    })
    return { event, standard: ticketTypes[0]!, press: ticketTypes[1]! }
  }

  const codeRow = (eventId: number, code: string) =>
    t.db.selectFrom('codes').selectAll().where('eventId', '=', eventId).where('codeKey', '=', code.toUpperCase()).executeTakeFirstOrThrow()

  async function buy(eventId: number, link: string, fields: Record<string, string>) {
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(link)
    const bought = await buyer.post(`/purchase/${eventId}`, { name: 'Bea Buyer', email: 'bea@example.test', ...fields })
    return { form, bought }
  }

  it('makes a 20 % code with ten uses, an access code for a hidden type, and 100 single-use codes; buyers use each', async () => {
    const { event, standard, press } = await anEvent()

    // A hidden type, from the ticket type form.
    await me.browser.get(`/ticket-types/${press.id}/edit`)
    const hidden = await me.browser.post(`/ticket-types/${press.id}/edit`, {
      name: 'Press',
      price: '0',
      capacity: '20',
      maxPerOrder: '2',
      salesStartAt: '',
      salesEndAt: '',
      hidden: '1',
    })
    expect(hidden.statusCode).toBe(303)
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).body).not.toContain('Press')

    const list = await me.browser.get(`/events/${event.id}/codes`)
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('No codes yet.')

    await me.browser.get(`/events/${event.id}/codes/new`)
    const twenty = await me.browser.post(`/events/${event.id}/codes/new`, { ...TERMS, code: 'Summer20', percent: '20', maxUses: '10' })
    expect(twenty.statusCode).toBe(303)
    await me.browser.get(`/events/${event.id}/codes/new`)
    const access = await me.browser.post(`/events/${event.id}/codes/new`, {
      ...TERMS,
      code: 'PRESS-PASS',
      discount: 'none',
      scope: 'some',
      type: String(press.id),
      maxUses: '20',
      countedPer: 'ticket',
    })
    expect(access.statusCode).toBe(303)
    await me.browser.get(`/events/${event.id}/codes/generate`)
    const generated = await me.browser.post(`/events/${event.id}/codes/generate`, {
      ...TERMS,
      prefix: 'GIFT-',
      count: '100',
      discount: 'price',
      setPrice: '10',
      maxUses: '1',
    })
    expect(generated.statusCode).toBe(303)
    expect(generated.headers.location).toBe(`/events/${event.id}/codes?q=GIFT-`)
    const gifts = await t.db.selectFrom('codes').select('code').where('eventId', '=', event.id).where('code', 'like', 'GIFT-%').execute()
    expect(gifts).toHaveLength(100)
    expect(new Set(gifts.map((gift) => gift.code)).size).toBe(100)
    for (const gift of gifts) expect(gift.code).toMatch(/^GIFT-[0-9A-HJKMNP-TV-Z]{8}$/)

    const csv = await me.browser.get(`/events/${event.id}/codes.csv?q=GIFT-`)
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    const rows = parse(csv.body.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[]
    expect(rows).toHaveLength(100)
    expect(rows[0]).toMatchObject({ Discount: 'price', Amount: '10.00', 'Most uses': '1', Uses: '0', State: 'open' })
    expect(rows.map((row) => row.Code).sort()).toEqual(gifts.map((gift) => gift.code).sort())
    expect(rows[0]!.Link).toMatch(new RegExp(`/buy-tickets/${event.id}\\?code=GIFT-`))

    // Each used with JavaScript off.
    const summer = await buy(event.id, `/buy-tickets/${event.id}?code=summer20`, { code: 'summer20', [`qty_${standard.id}`]: '2' })
    expect(summer.bought.statusCode).toBe(303)
    const pressed = await buy(event.id, `/buy-tickets/${event.id}?code=press-pass`, { code: 'press-pass', [`qty_${press.id}`]: '2' })
    expect(pressed.form.body).toContain('Press')
    expect(pressed.bought.statusCode).toBe(303)
    const gift = gifts[0]!.code
    const gifted = await buy(event.id, `/buy-tickets/${event.id}?code=${gift.toLowerCase()}`, {
      code: gift.toLowerCase(),
      [`qty_${standard.id}`]: '1',
    })
    expect(gifted.bought.statusCode).toBe(303)
    const again = await buy(event.id, `/buy-tickets/${event.id}?code=${gift}`, { code: gift, [`qty_${standard.id}`]: '1' })
    expect(again.form.body).toContain('This code has been used up.')

    expect(await codeRow(event.id, 'summer20')).toMatchObject({ used: 1 })
    expect(await codeRow(event.id, 'press-pass')).toMatchObject({ used: 2 })
    expect(await codeRow(event.id, gift)).toMatchObject({ used: 1 })
    const totals = await t.db.selectFrom('orders').select(['totalMinor']).where('eventId', '=', event.id).orderBy('id').execute()
    expect(totals.map((order) => order.totalMinor)).toEqual([4000, 0, 1000])

    // What the organiser sees: uses and money taken off on the list and the dashboard, the code on each order.
    const after = await me.browser.get(`/events/${event.id}/codes?q=summer`)
    expect(after.body).toContain('1 of 10 (a use per order)')
    expect(after.body).toContain('€10.00')
    const dashboard = await me.browser.get('/organiser')
    expect(dashboard.body).toMatch(/<code class="break">Summer20<\/code><\/th><td>1<\/td><td>€10\.00<\/td>/)
    expect(dashboard.body).toMatch(new RegExp(`<code class="break">${gift}</code></th><td>1</td><td>€15\\.00</td>`))
    const orders = await me.browser.get(`/events/${event.id}/orders`)
    expect(orders.body).toContain('Code <code>Summer20</code> · €10.00 off')
    const attendees = await me.browser.get(`/events/${event.id}/attendees.csv`)
    const lines = parse(attendees.body.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[]
    expect(lines.filter((line) => line['Discount or access code'] === 'Summer20').map((line) => line.Discount)).toEqual(['5.00', '5.00'])

    const audit = await t.db.selectFrom('auditLog').select(['action', 'details']).where('action', 'like', 'code.%').orderBy('id').execute()
    expect(audit.map((entry) => entry.action)).toEqual(['code.created', 'code.created', 'code.generated'])
    expect(JSON.parse(audit[2]!.details)).toMatchObject({ prefix: 'GIFT-', count: 100, discount: 'price', amount: 1000, maxUses: 1 })
  })

  it('brings a wrong form back as typed with a message at each field, and refuses a code the event has in another case', async () => {
    const { event, standard } = await anEvent()
    await me.browser.get(`/events/${event.id}/codes/new`)
    const wrong = await me.browser.post(`/events/${event.id}/codes/new`, {
      ...TERMS,
      code: 'two words',
      percent: '120',
      validFrom: '2030-01-02T10:00',
      validUntil: '2030-01-01T10:00',
      reserved: '1',
    })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('Use up to 40 letters, digits')
    expect(wrong.body).toContain('Enter a whole number from 1 to 100.')
    expect(wrong.body).toContain('The code must end after it starts.')
    expect(wrong.body).toContain('To keep tickets aside, tick exactly one ticket type.')
    expect(wrong.body).toContain('value="two words"')

    await me.browser.post(`/events/${event.id}/codes/new`, { ...TERMS, code: 'Early', percent: '10' })
    const twice = await me.browser.post(`/events/${event.id}/codes/new`, { ...TERMS, code: 'EARLY', percent: '15' })
    expect(twice.statusCode).toBe(422)
    expect(twice.body).toContain('This event already has the code “Early”.')

    // More kept aside than is free of the type.
    const tooMany = await me.browser.post(`/events/${event.id}/codes/new`, {
      ...TERMS,
      code: 'BLOCK',
      discount: 'none',
      scope: 'some',
      type: String(standard.id),
      maxUses: '101',
      countedPer: 'ticket',
      reserved: '1',
    })
    expect(tooMany.statusCode).toBe(422)
    expect(tooMany.body).toContain('Only 100 tickets of this type are free to keep aside.')
    await me.browser.get(`/events/${event.id}/codes/generate`)
    const thousands = await me.browser.post(`/events/${event.id}/codes/generate`, { ...TERMS, prefix: 'MANY', count: '1001', percent: '5' })
    expect(thousands.statusCode).toBe(422)
    expect(thousands.body).toContain('Enter a whole number from 1 to 1000.')
    expect(await t.db.selectFrom('codes').select('code').where('eventId', '=', event.id).execute()).toEqual([{ code: 'Early' }])
  })

  it('switches a code off (refused to buyers, its kept tickets freed) and on again, and edits it; each audited', async () => {
    const { event, standard } = await anEvent()
    await me.browser.get(`/events/${event.id}/codes/new`)
    await me.browser.post(`/events/${event.id}/codes/new`, {
      ...TERMS,
      code: 'KEEP10',
      discount: 'none',
      scope: 'some',
      type: String(standard.id),
      maxUses: '10',
      countedPer: 'ticket',
      reserved: '1',
    })
    const code = await codeRow(event.id, 'KEEP10')
    const heldOf = async () =>
      (await t.db.selectFrom('ticketTypes').select('held').where('id', '=', standard.id).executeTakeFirstOrThrow()).held
    expect(await heldOf()).toBe(10)
    const manage = await me.browser.get(`/edit-event/${event.id}`)
    expect(manage.body).toContain('10 kept aside for codes')

    await me.browser.get(`/events/${event.id}/codes`)
    const off = await me.browser.post(`/events/${event.id}/codes/${code.id}/switch`, { on: '0' })
    expect(off.statusCode).toBe(303)
    expect((await me.browser.get(`/events/${event.id}/codes`)).body).toContain('Code KEEP10 switched off')
    expect(await heldOf()).toBe(0)
    const refused = await new TestBrowser(t.app).get(`/buy-tickets/${event.id}?code=keep10`)
    expect(refused.body).toContain('This code is no longer valid.')
    await me.browser.post(`/events/${event.id}/codes/${code.id}/switch`, { on: '1' })
    expect(await heldOf()).toBe(10)

    await me.browser.get(`/events/${event.id}/codes/${code.id}/edit`)
    const edited = await me.browser.post(`/events/${event.id}/codes/${code.id}/edit`, {
      ...TERMS,
      code: 'KEEP10',
      discount: 'none',
      scope: 'some',
      type: String(standard.id),
      maxUses: '4',
      countedPer: 'ticket',
      reserved: '1',
    })
    expect(edited.statusCode).toBe(303)
    expect(await heldOf()).toBe(4)
    expect(await codeNow(t.db, { id: code.id, eventId: event.id })).toMatchObject({ maxUses: 4, kept: 4 })
    const audit = await t.db
      .selectFrom('auditLog')
      .select('action')
      .where('subjectType', '=', 'code')
      .where('subjectId', '=', code.id)
      .orderBy('id')
      .execute()
    expect(audit.map((entry) => entry.action)).toEqual(['code.created', 'code.switched_off', 'code.switched_on', 'code.updated'])
  })
})
