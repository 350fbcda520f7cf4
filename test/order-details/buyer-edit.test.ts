import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { cancelTicketsAsOrganiser, ticketIdsOf } from '../helpers/cancel-tickets.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs } from '../helpers/login.js'
import { askQuestions, buyWithDetails, fieldValue, messageAt, optionIds } from '../helpers/questions.js'

const DAY = 24 * 3_600_000

/**
 * The buyer changes names and answers from the order page: only what the
 * organiser lets buyers change (set on the questions page), only for an order
 * that holds tickets, only until the cut-off before the event.
 */
describeEachDatabase('the buyer changes names and answers from the order page', (kind) => {
  const t = useTestApp(kind)
  let me: LoggedIn

  beforeAll(async () => {
    me = await loginAs(t, 'organiser')
  })

  /** An event asking a name per ticket, a meal per ticket and a company per order; buyers may change what `allow` says. */
  async function boughtOrder(allow: { on: boolean; hours?: number; names?: boolean; meal?: boolean; company?: boolean }) {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      title: 'Riverside Picnic',
      startsAt: Date.now() + 10 * DAY,
      ticketTypes: [{ name: 'Picnicker', priceMinor: 0, capacity: 50 }],
    })
    const type = ticketTypes[0]!
    const [meal, company] = await askQuestions(t.db, event.id, 'optional', [
      { label: 'Meal', kind: 'one-choice', perTicket: true, options: ['Sandwich', 'Salad'] },
      { label: 'Company', kind: 'short-text' },
    ])
    const meals = await optionIds(t.db, meal!)
    const settings = `/events/${event.id}/questions/buyer-edits`
    await me.browser.get(`/events/${event.id}/questions`)
    const saved = await me.browser.post(settings, {
      ...(allow.on && { buyerEdits: 'yes' }),
      buyerEditHours: String(allow.hours ?? 24),
      ...(allow.names !== false && { buyerEditNames: 'yes' }),
      editable: [...(allow.meal !== false ? [String(meal)] : []), ...(allow.company ? [String(company)] : [])],
    })
    expect(saved.statusCode).toBe(303)
    const { order, browser } = await buyWithDetails(
      t.app,
      t.db,
      event.id,
      { [type.id]: 2 },
      {
        [`t${type.id}_1_name`]: 'Pia Picnic',
        [`t${type.id}_1_q${meal}`]: meals.Sandwich!,
        [`t${type.id}_2_name`]: 'Quin Quay',
        [`q${company}`]: 'Quay Ltd',
      },
    )
    const fields = {
      name1: `t${type.id}_1_name`,
      name2: `t${type.id}_2_name`,
      meal1: `t${type.id}_1_q${meal}`,
      meal2: `t${type.id}_2_q${meal}`,
      company: `q${company}`,
    }
    const link = `/orders/${order.code}?key=${order.accessKey}`
    const edit = `/orders/${order.code}/details`
    return { event, order, buyer: browser, fields, meals, ids: { meal: meal!, company: company! }, link, edit }
  }

  async function stored(orderId: number) {
    const names = await t.db.selectFrom('tickets').select('holderName').where('orderId', '=', orderId).orderBy('id').execute()
    const answers = await t.db
      .selectFrom('answers')
      .select(['ticketId', 'questionId', 'value'])
      .where('orderId', '=', orderId)
      .orderBy('id')
      .execute()
    const audit = await t.db
      .selectFrom('auditLog')
      .select(['actorLabel', 'details'])
      .where('action', '=', 'order.details_changed')
      .where('subjectId', '=', orderId)
      .execute()
    return { names: names.map((row) => row.holderName), answers, audit }
  }

  it('lets the organiser set what buyers may change on the questions page, bad input back as typed, each change audited', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { title: 'Settings Fair' })
    const [question] = await askQuestions(t.db, event.id, 'off', [{ label: 'Dietary needs', kind: 'short-text' }])
    const page = await me.browser.get(`/events/${event.id}/questions`)
    // Off for a new event, until 24 hours before, every question ticked; no names asked, so no box for them.
    expect(page.body).toContain('<h2 id="buyer-edits">Changes by buyers</h2>')
    expect(page.body).not.toMatch(/name="buyerEdits" value="yes" checked/)
    expect(fieldValue(page.body, 'buyerEditHours')).toBe('24')
    expect(page.body).toContain(`name="editable" value="${question}" checked`)
    expect(page.body).not.toContain('name="buyerEditNames"')

    const url = `/events/${event.id}/questions/buyer-edits`
    const refused = await me.browser.post(url, { buyerEdits: 'yes', buyerEditHours: 'a day', shown: String(question) })
    expect(refused.statusCode).toBe(422)
    expect(messageAt(refused.body, 'buyerEditHours')).toBe('Write a whole number of hours, from 0 to 8760.')
    expect(fieldValue(refused.body, 'buyerEditHours')).toBe('a day')
    expect(refused.body).toMatch(/name="buyerEdits" value="yes" checked/)
    expect(refused.body).not.toContain(`name="editable" value="${question}" checked`)

    const saved = await me.browser.post(url, { buyerEdits: 'yes', buyerEditHours: '48', shown: String(question) })
    expect(saved.statusCode).toBe(303)
    expect((await me.browser.get(saved.headers.location!)).body).toContain('Saved what buyers may change.')
    expect(
      await t.db.selectFrom('events').select(['buyerEdits', 'buyerEditHours', 'buyerEditNames']).where('id', '=', event.id).execute(),
    ).toEqual([{ buyerEdits: 1, buyerEditHours: 48, buyerEditNames: 1 }])
    expect(await t.db.selectFrom('questions').select('buyerEditable').where('id', '=', question!).execute()).toEqual([{ buyerEditable: 0 }])
    const entries = await t.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'event.buyer_edits_set')
      .where('subjectId', '=', event.id)
      .execute()
    expect(entries.map((entry) => JSON.parse(entry.details))).toEqual([
      {
        eventId: event.id,
        before: { buyerEdits: false, buyerEditHours: 24, [`question ${question} (Dietary needs)`]: true },
        after: { buyerEdits: true, buyerEditHours: 48, [`question ${question} (Dietary needs)`]: false },
      },
    ])
    // The same again: nothing written, nothing audited.
    const again = await me.browser.post(url, { buyerEdits: 'yes', buyerEditHours: '48', shown: String(question) })
    expect((await me.browser.get(again.headers.location!)).body).toContain('Nothing was changed in what buyers may change.')
    expect(
      await t.db
        .selectFrom('auditLog')
        .select('id')
        .where('action', '=', 'event.buyer_edits_set')
        .where('subjectId', '=', event.id)
        .execute(),
    ).toHaveLength(1)
    expect(ticketTypes).toHaveLength(1)
  })

  it('changes an allowed name and answer from the order page, and the order page shows them', async () => {
    const { order, buyer, fields, meals, link, edit } = await boughtOrder({ on: true })
    const orderPage = await buyer.get(link)
    expect(orderPage.body).toContain(`href="${edit}?key=${order.accessKey}">Change names and answers</a>`)
    expect(orderPage.body).toMatch(/You can change them until [^<]+2\d{3}/)
    const form = await buyer.get(`${edit}?key=${order.accessKey}`)
    expect(form.statusCode).toBe(200)
    expect(fieldValue(form.body, fields.name1)).toBe('Pia Picnic')
    expect(form.body).toContain(`value="${meals.Sandwich}" selected`)
    expect(form.body).toMatch(/You can change these until /)

    const saved = await buyer.post(edit, { [fields.name1]: 'Pia Picnic-Park', [fields.name2]: 'Quin Quay', [fields.meal2]: meals.Salad! })
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toBe(link)
    const after = await buyer.get(link)
    expect(after.body).toContain(`The names and answers of order ${order.code} are saved.`)
    expect(after.body).toContain('<strong dir="auto">Pia Picnic-Park</strong>')
    expect(after.body).toMatch(/Quin Quay[\s\S]*<dd class="pre-line" dir="auto">Salad<\/dd>/)
    const { names, audit } = await stored(order.id)
    expect(names).toEqual(['Pia Picnic-Park', 'Quin Quay'])
    expect(audit).toHaveLength(1)
    expect(audit[0]!.actorLabel).toBe('bea@example.test')
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ editor: 'buyer' })
  })

  it('does not offer a field the organiser did not allow, and a forged post of it changes nothing', async () => {
    const { order, buyer, fields, meals, link, edit } = await boughtOrder({ on: true, names: false })
    const form = await buyer.get(`${edit}?key=${order.accessKey}`)
    expect(form.body).toContain(`name="${fields.meal1}"`)
    expect(form.body).not.toContain(`name="${fields.company}"`)
    expect(form.body).not.toContain(`name="${fields.name1}"`)
    const before = await stored(order.id)
    const forged = await buyer.post(edit, {
      [fields.company]: 'Forged Ltd',
      [fields.name1]: 'Mallory',
      [fields.meal1]: meals.Sandwich!,
    })
    expect(forged.statusCode).toBe(303)
    expect(forged.headers.location).toBe(link)
    expect(await stored(order.id)).toEqual(before)
  })

  it('refuses after the cut-off, saying until when it was possible, and writes nothing', async () => {
    // Ten days before the event, with a cut-off of eleven days before it.
    const { order, buyer, fields, link, edit } = await boughtOrder({ on: true, hours: 11 * 24 })
    const orderPage = await buyer.get(link)
    expect(orderPage.body).not.toContain('Change names and answers')
    expect(orderPage.body).toMatch(/Names and answers could be changed until [^<]+\. Write to the organiser/)
    const page = await buyer.get(`${edit}?key=${order.accessKey}`)
    expect(page.body).toMatch(/Names and answers could be changed until [^<]+\./)
    expect(page.body).not.toContain(`name="${fields.name1}"`)
    const before = await stored(order.id)
    const refused = await buyer.post(edit, { key: order.accessKey, [fields.name1]: 'Too Late' })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toMatch(/Names and answers could be changed until /)
    expect(await stored(order.id)).toEqual(before)
  })

  it('offers nothing while the organiser does not let buyers change them', async () => {
    const { order, buyer, fields, link, edit } = await boughtOrder({ on: false })
    expect((await buyer.get(link)).body).not.toContain('names and answers')
    expect((await buyer.get(`${edit}?key=${order.accessKey}`)).body).toContain('The organiser does not let buyers change names and answers')
    const before = await stored(order.id)
    expect((await buyer.post(edit, { key: order.accessKey, [fields.name1]: 'Not Allowed' })).statusCode).toBe(409)
    expect(await stored(order.id)).toEqual(before)
  })

  it('leaves a cancelled ticket out, and refuses an order that holds no tickets', async () => {
    const { event, order, buyer, fields, link, edit } = await boughtOrder({ on: true })
    const [, second] = await ticketIdsOf(t.db, order.id)
    await cancelTicketsAsOrganiser(me.browser, event.id, order.code, [second!])
    const form = await buyer.get(`${edit}?key=${order.accessKey}`)
    expect(form.body).toContain(`name="${fields.name1}"`)
    expect(form.body).not.toContain(`name="${fields.name2}"`)
    const forged = await buyer.post(edit, { [fields.name1]: 'Pia Picnic', [fields.name2]: 'Ghost' })
    expect(forged.statusCode).toBe(303)
    expect((await stored(order.id)).names).toEqual(['Pia Picnic', 'Quin Quay'])

    await buyer.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)
    expect((await buyer.post(`/orders/${order.code}/cancel`, { key: order.accessKey })).statusCode).toBe(303)
    expect((await buyer.get(link)).body).not.toContain('Change names and answers')
    expect((await buyer.get(`${edit}?key=${order.accessKey}`)).body).toContain('This order holds no tickets')
    const before = await stored(order.id)
    expect((await buyer.post(edit, { key: order.accessKey, [fields.name1]: 'After Cancel' })).statusCode).toBe(409)
    expect(await stored(order.id)).toEqual(before)
  })

  it('brings bad input back as typed, with its message', async () => {
    const { order, buyer, fields, edit } = await boughtOrder({ on: true })
    await buyer.get(`${edit}?key=${order.accessKey}`)
    const before = await stored(order.id)
    const refused = await buyer.post(edit, { [fields.name1]: 'P'.repeat(101), [fields.name2]: 'Quin Q', [fields.meal2]: '424242' })
    expect(refused.statusCode).toBe(422)
    expect(messageAt(refused.body, fields.name1)).toBe('Ticket 1 (Picnicker): Use at most 100 characters.')
    expect(messageAt(refused.body, fields.meal2)).toBe('Ticket 2 (Picnicker): For “Meal”, choose among the choices listed.')
    expect(fieldValue(refused.body, fields.name2)).toBe('Quin Q')
    expect(await stored(order.id)).toEqual(before)
  })

  it('opens to the kept link in any browser, and to nobody without it', async () => {
    const { order, fields, edit } = await boughtOrder({ on: true })
    const stranger = new TestBrowser(t.app)
    expect((await stranger.get(edit)).statusCode).toBe(404)
    expect((await stranger.get(`${edit}?key=not-the-key`)).statusCode).toBe(404)
    await stranger.get('/login')
    const before = await stored(order.id)
    expect((await stranger.post(edit, { [fields.name1]: 'Mallory' })).statusCode).toBe(404)
    expect(await stored(order.id)).toEqual(before)
    const elsewhere = new TestBrowser(t.app)
    const form = await elsewhere.get(`${edit}?key=${order.accessKey}`)
    expect(form.statusCode).toBe(200)
    const saved = await elsewhere.post(edit, { [fields.name1]: 'Pia From Phone', [fields.name2]: 'Quin Quay' })
    expect(saved.statusCode).toBe(303)
    expect((await stored(order.id)).names).toEqual(['Pia From Phone', 'Quin Quay'])
  })
})
