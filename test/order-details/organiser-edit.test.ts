import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { cancelTicketsAsOrganiser, ticketIdsOf } from '../helpers/cancel-tickets.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs } from '../helpers/login.js'
import { askQuestions, buyWithDetails, fieldValue, messageAt, optionIds } from '../helpers/questions.js'
import { addQuestion, removeQuestion } from '../../src/features/questions/questions.service.js'

const SYSTEM = { userId: null, label: 'system', isAdmin: false, ip: null }

/**
 * The organiser changes the names and answers of an order from the orders
 * page: the form of the buy form's second step, filled with what is stored;
 * what changed is written, and audited before and after, and shows wherever
 * the order shows, the attendee export first.
 */
describeEachDatabase('the organiser changes an order’s names and answers', (kind) => {
  const t = useTestApp(kind)
  let me: LoggedIn

  beforeAll(async () => {
    me = await loginAs(t, 'organiser')
  })

  /** An event asking a name for each ticket, a meal per ticket and a company per order; an order of two tickets bought through the form. */
  async function boughtOrder() {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      title: 'Harbour Gala',
      ticketTypes: [{ name: 'Guest', priceMinor: 0, capacity: 50 }],
    })
    const guest = ticketTypes[0]!
    const [meal, company, note] = await askQuestions(t.db, event.id, 'required', [
      { label: 'Meal', kind: 'one-choice', perTicket: true, required: true, options: ['Fish', 'Vegan'] },
      { label: 'Company', kind: 'short-text' },
      { label: 'Note', kind: 'long-text' },
    ])
    const meals = await optionIds(t.db, meal!)
    const { order, browser } = await buyWithDetails(
      t.app,
      t.db,
      event.id,
      { [guest.id]: 2 },
      {
        [`t${guest.id}_1_name`]: 'Ann Able',
        [`t${guest.id}_1_q${meal}`]: meals.Fish!,
        [`t${guest.id}_2_name`]: 'Bob Baker',
        [`t${guest.id}_2_q${meal}`]: meals.Fish!,
        [`q${company}`]: 'Quay Ltd',
      },
    )
    const fields = {
      name1: `t${guest.id}_1_name`,
      name2: `t${guest.id}_2_name`,
      meal1: `t${guest.id}_1_q${meal}`,
      meal2: `t${guest.id}_2_q${meal}`,
      company: `q${company}`,
      note: `q${note}`,
    }
    const edit = `/events/${event.id}/orders/${order.code}/details`
    /** The form as the order was bought: what a save that changes nothing sends. */
    const asBought = {
      [fields.name1]: 'Ann Able',
      [fields.meal1]: meals.Fish!,
      [fields.name2]: 'Bob Baker',
      [fields.meal2]: meals.Fish!,
      [fields.company]: 'Quay Ltd',
      [fields.note]: '',
    }
    return { event, guest, ids: { meal: meal!, company: company!, note: note! }, meals, order, buyer: browser, fields, edit, asBought }
  }

  async function auditOf(orderId: number) {
    return t.db
      .selectFrom('auditLog')
      .select(['action', 'actorLabel', 'details'])
      .where('subjectType', '=', 'order')
      .where('subjectId', '=', orderId)
      .where('action', '=', 'order.details_changed')
      .execute()
  }

  async function stored(orderId: number) {
    const tickets = await t.db.selectFrom('tickets').select(['holderName']).where('orderId', '=', orderId).orderBy('id').execute()
    const answers = await t.db
      .selectFrom('answers')
      .select(['ticketId', 'questionId', 'value'])
      .where('orderId', '=', orderId)
      .orderBy('id')
      .execute()
    return { names: tickets.map((ticket) => ticket.holderName), answers }
  }

  it('links each order to its form, filled with the names and answers as they are', async () => {
    const { event, order, fields, edit, meals } = await boughtOrder()
    const orders = await me.browser.get(`/events/${event.id}/orders`)
    expect(orders.body).toContain(`href="${edit}">Names and answers<span class="visually-hidden"> order ${order.code}</span>`)
    const form = await me.browser.get(edit)
    expect(form.statusCode).toBe(200)
    expect(form.headers['cache-control']).toBe('private, no-store')
    expect(fieldValue(form.body, fields.name1)).toBe('Ann Able')
    expect(fieldValue(form.body, fields.name2)).toBe('Bob Baker')
    expect(fieldValue(form.body, fields.company)).toBe('Quay Ltd')
    expect(form.body).toContain(`value="${meals.Fish}" selected`)
    expect(form.body).toContain('name="_csrf"')
    const [first] = await doorCodesOfOrder(t.db, order.id)
    expect(form.body).toContain(`Ticket 1: Guest · ${first}`)
  })

  it('saves a changed name and answer, audits them before and after, and every page and the CSV show the new ones', async () => {
    const { event, order, fields, edit, meals, buyer, asBought } = await boughtOrder()
    await me.browser.get(edit)
    const saved = await me.browser.post(edit, { ...asBought, [fields.name1]: 'Ann Able-Smith', [fields.meal2]: meals.Vegan! })
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toBe(`/events/${event.id}/orders?q=${order.code}`)
    const [ann, bob] = await doorCodesOfOrder(t.db, order.id)

    const entries = await auditOf(order.id)
    expect(entries).toHaveLength(1)
    expect(entries[0]!.actorLabel).toBe(me.user.email)
    expect(JSON.parse(entries[0]!.details)).toEqual({
      eventId: event.id,
      code: order.code,
      editor: 'organiser',
      before: { [`${ann}: name`]: 'Ann Able', [`${bob}: Meal`]: 'Fish' },
      after: { [`${ann}: name`]: 'Ann Able-Smith', [`${bob}: Meal`]: 'Vegan' },
    })

    const csv = await me.browser.get(`/events/${event.id}/attendees.csv`)
    const rows = csv.body.slice(1).split('\r\n')
    expect(rows[0]!.split(',').slice(-4)).toEqual(['Ticket holder', 'Meal', 'Company', 'Note'])
    expect(rows.find((row) => row.includes(ann!))!.endsWith(',Ann Able-Smith,Fish,Quay Ltd,')).toBe(true)
    expect(rows.find((row) => row.includes(bob!))!.endsWith(',Bob Baker,Vegan,Quay Ltd,')).toBe(true)

    const orders = await me.browser.get(`/events/${event.id}/orders`)
    expect(orders.body).toContain('<strong><bdi>Ann Able-Smith</bdi></strong>')
    expect(orders.body).toContain('The names and answers of order')
    const orderPage = await buyer.get(`/orders/${order.code}?key=${order.accessKey}`)
    expect(orderPage.body).toContain('<strong dir="auto">Ann Able-Smith</strong>')
    expect(orderPage.body).toMatch(/Bob Baker[\s\S]*<dt><bdi>Meal<\/bdi><\/dt><dd class="pre-line" dir="auto">Vegan<\/dd>/)
    const doorList = await me.browser.get(`/events/${event.id}/door-list`)
    expect(doorList.body).toContain('data-label="Name" dir="auto">Ann Able-Smith<')
    expect(doorList.body).toContain('Meal: Vegan')
    await me.browser.get(`/events/${event.id}/check-in`)
    const scanned = await me.browser.post(`/events/${event.id}/check-in`, {
      code: bob!,
      nonce: `edit-${order.code}`,
      gate: 'Door',
      mode: 'entry',
    })
    expect(scanned.body).toContain('data-scan-answer="admitted"')
    expect(scanned.body).toContain('<p>Meal: Vegan</p>')
  })

  it('writes nothing, and no audit entry, when the form is saved as it was', async () => {
    const { order, fields, edit, asBought } = await boughtOrder()
    const before = await stored(order.id)
    await me.browser.get(edit)
    // Spaces around a name are not a change: it is read as the buy form reads it.
    const saved = await me.browser.post(edit, { ...asBought, [fields.name1]: ' Ann Able ' })
    expect(saved.statusCode).toBe(303)
    expect(await auditOf(order.id)).toEqual([])
    expect(await stored(order.id)).toEqual(before)
    const next = await me.browser.get(saved.headers.location!)
    expect(next.body).toContain(`Nothing was changed in order ${order.code}.`)
  })

  it('brings bad input back as typed, with a message at each field, and writes nothing', async () => {
    const { order, fields, edit, meals } = await boughtOrder()
    const before = await stored(order.id)
    await me.browser.get(edit)
    const refused = await me.browser.post(edit, {
      [fields.name1]: '',
      [fields.meal1]: '999999',
      [fields.name2]: 'Bob Bakerman',
      [fields.meal2]: meals.Vegan!,
      [fields.company]: 'x'.repeat(201),
      [fields.note]: 'Table by the window',
    })
    expect(refused.statusCode).toBe(422)
    expect(messageAt(refused.body, fields.name1)).toBe('Ticket 1 (Guest): Give the name of who this ticket is for.')
    expect(messageAt(refused.body, fields.meal1)).toBe('Ticket 1 (Guest): For “Meal”, choose among the choices listed.')
    expect(messageAt(refused.body, fields.company)).toBe('Use at most 200 characters for “Company”.')
    expect(refused.body).toContain(`<a href="#f-${fields.name1}">Ticket 1 (Guest): Give the name of who this ticket is for.</a>`)
    expect(fieldValue(refused.body, fields.name2)).toBe('Bob Bakerman')
    expect(refused.body).toContain(`value="${meals.Vegan}" selected`)
    expect(refused.body).toContain('>Table by the window</textarea>')
    expect(await stored(order.id)).toEqual(before)
    expect(await auditOf(order.id)).toEqual([])
  })

  it('answers a question added after the purchase: its answer rows are written then, and the CSV shows them', async () => {
    const { event, guest, order, edit, asBought } = await boughtOrder()
    const shirt = await addQuestion(t.db, SYSTEM, event.id, {
      label: 'Shirt size',
      help: '',
      kind: 'short-text',
      required: false,
      perTicket: true,
      ticketTypeIds: null,
      options: [],
    })
    const parking = await addQuestion(t.db, SYSTEM, event.id, {
      label: 'Parking',
      help: '',
      kind: 'yes-no',
      required: true,
      perTicket: false,
      ticketTypeIds: null,
      options: [],
    })
    const missing = await t.db.selectFrom('answers').select('id').where('questionId', 'in', [shirt, parking]).execute()
    expect(missing, 'asked after the order: no rows yet').toEqual([])

    const form = await me.browser.get(edit)
    expect(form.body).toContain(`name="t${guest.id}_1_q${shirt}"`)
    expect(form.body).toContain(`name="q${parking}"`)
    const answered = {
      ...asBought,
      [`t${guest.id}_1_q${shirt}`]: 'M',
      [`t${guest.id}_2_q${shirt}`]: '',
    }
    const required = await me.browser.post(edit, answered)
    expect(required.statusCode, 'a required question added later must be answered').toBe(422)
    expect(messageAt(required.body, `q${parking}`)).toBe('Answer “Parking”.')

    const saved = await me.browser.post(edit, { ...answered, [`q${parking}`]: 'yes' })
    expect(saved.statusCode).toBe(303)
    const [ann] = await t.db.selectFrom('tickets').select('id').where('orderId', '=', order.id).orderBy('id').execute()
    const rows = await t.db
      .selectFrom('answers')
      .select(['ticketId', 'questionId', 'value'])
      .where('questionId', 'in', [shirt, parking])
      .orderBy('id')
      .execute()
    // Bob's shirt stays blank: no row for what was blank and stays so.
    expect(rows).toEqual([
      { ticketId: ann!.id, questionId: shirt, value: 'M' },
      { ticketId: null, questionId: parking, value: 'yes' },
    ])
    const csv = await me.browser.get(`/events/${event.id}/attendees.csv`)
    const [header, ...lines] = csv.body.slice(1).split('\r\n')
    expect(header!.split(',').slice(-3)).toEqual(['Note', 'Shirt size', 'Parking'])
    const [annCode] = await doorCodesOfOrder(t.db, order.id)
    expect(lines.find((line) => line.includes(annCode!))!.endsWith(',Quay Ltd,,M,yes')).toBe(true)

    // Saved again as it is now: the rows just written are updated, not written twice.
    await me.browser.get(edit)
    expect((await me.browser.post(edit, { ...answered, [`t${guest.id}_1_q${shirt}`]: 'L', [`q${parking}`]: 'yes' })).statusCode).toBe(303)
    const again = await t.db.selectFrom('answers').select(['value']).where('questionId', 'in', [shirt, parking]).orderBy('id').execute()
    expect(again).toEqual([{ value: 'L' }, { value: 'yes' }])
  })

  it('keeps removed questions out of the form, and their answers as they were', async () => {
    const { event, order, fields, edit, ids, asBought } = await boughtOrder()
    expect(await removeQuestion(t.db, SYSTEM, event.id, ids.company)).toBe(true)
    const form = await me.browser.get(edit)
    expect(form.body).not.toContain(`name="${fields.company}"`)
    expect(form.body).not.toContain('Quay Ltd')
    const saved = await me.browser.post(edit, { ...asBought, [fields.company]: 'Forged Ltd' })
    expect(saved.statusCode).toBe(303)
    const company = await t.db
      .selectFrom('answers')
      .select('value')
      .where('orderId', '=', order.id)
      .where('questionId', '=', ids.company)
      .execute()
    expect(company).toEqual([{ value: 'Quay Ltd' }])
    expect(await auditOf(order.id)).toEqual([])
  })

  it('keeps an answer naming a choice removed since, when the form is saved without changing it', async () => {
    const { event, order, fields, edit, meals, ids, asBought } = await boughtOrder()
    await me.browser.get(`/events/${event.id}/questions/${ids.meal}/edit`)
    const edited = await me.browser.post(`/events/${event.id}/questions/${ids.meal}/edit`, {
      label: 'Meal',
      help: '',
      kind: 'one-choice',
      required: '1',
      asked: 'ticket',
      scope: 'all',
      options: 'Vegan\nPie',
    })
    expect(edited.statusCode).toBe(303)
    const form = await me.browser.get(edit)
    // Offered again on this order's form only, as chosen: a choice of its own that another order could not send.
    expect(form.body).toContain(`value="${meals.Fish}" selected`)
    const saved = await me.browser.post(edit, { ...asBought, [fields.meal2]: meals.Vegan! })
    expect(saved.statusCode).toBe(303)
    const values = await t.db
      .selectFrom('answers')
      .select('value')
      .where('orderId', '=', order.id)
      .where('questionId', '=', ids.meal)
      .orderBy('id')
      .execute()
    expect(values).toEqual([{ value: meals.Fish }, { value: meals.Vegan }])
  })

  it('takes choices ticked as they were as no change, though the organiser has reordered them since', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { title: 'Print Fair' })
    const [extras] = await askQuestions(t.db, event.id, 'off', [
      { label: 'Extras', kind: 'several-choices', options: ['Poster', 'Shirt', 'Mug'] },
    ])
    const ids = await optionIds(t.db, extras!)
    const { order } = await buyWithDetails(t.app, t.db, event.id, { [ticketTypes[0]!.id]: 1 }, { [`q${extras}`]: [ids.Poster!, ids.Mug!] })
    await me.browser.get(`/events/${event.id}/questions/${extras}/edit`)
    const reordered = await me.browser.post(`/events/${event.id}/questions/${extras}/edit`, {
      label: 'Extras',
      help: '',
      kind: 'several-choices',
      asked: 'order',
      scope: 'all',
      options: 'Mug\nShirt\nPoster',
    })
    expect(reordered.statusCode).toBe(303)
    const edit = `/events/${event.id}/orders/${order.code}/details`
    await me.browser.get(edit)
    expect((await me.browser.post(edit, { [`q${extras}`]: [ids.Mug!, ids.Poster!] })).statusCode).toBe(303)
    expect(await auditOf(order.id)).toEqual([])
    const value = await t.db.selectFrom('answers').select('value').where('orderId', '=', order.id).executeTakeFirstOrThrow()
    expect(value.value).toBe(`${ids.Poster},${ids.Mug}`)
  })

  it('refuses a form whose order changed since it was shown, and shows the order as it stands', async () => {
    const { event, order, fields, edit, asBought } = await boughtOrder()
    const form = await me.browser.get(edit)
    const [, bob] = await ticketIdsOf(t.db, order.id)
    const { done } = await cancelTicketsAsOrganiser(me.browser, event.id, order.code, [bob!])
    expect(done.statusCode).toBe(303)
    const refused = await me.browser.post(edit, { ...asBought, stamp: fieldValue(form.body, 'stamp')!, [fields.name1]: 'Ann Changed' })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('This order changed while the form was open.')
    expect(fieldValue(refused.body, fields.name1)).toBe('Ann Changed')
    expect(refused.body).toContain('(cancelled)')
    expect((await stored(order.id)).names).toEqual(['Ann Able', 'Bob Baker'])
    expect(await auditOf(order.id)).toEqual([])
  })

  it('answers 404 to another organiser and for an order of another event, and changes nothing', async () => {
    const { event, order, fields, edit } = await boughtOrder()
    const other = await loginAs(t, 'organiser')
    await other.browser.get('/organiser')
    expect((await other.browser.get(edit)).statusCode).toBe(404)
    const forged = await other.browser.post(edit, { [fields.name1]: 'Mallory' })
    expect(forged.statusCode).toBe(404)
    const { event: mine } = await createEvent(t.db, me.user.id, { title: 'Another of mine' })
    expect((await me.browser.get(`/events/${mine.id}/orders/${order.code}/details`)).statusCode).toBe(404)
    expect((await stored(order.id)).names).toEqual(['Ann Able', 'Bob Baker'])
    expect(await auditOf(order.id)).toEqual([])
    expect(event.id).not.toBe(mine.id)
  })
})
