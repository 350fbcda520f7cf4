import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'
import { askQuestions, fieldValue, messageAt, optionIds } from '../helpers/questions.js'
import { queriesDuring } from '../helpers/queries.js'
import { addSeatBlock, hallEvent, seatId } from '../helpers/seats.js'
import { cancelAsBuyer, join, offerTokenIn, soldOutEvent } from '../waiting-list/support.js'

function formKey(html: string): string {
  const key = /name="key" value="([^"]+)"/.exec(html)?.[1]
  if (!key) throw new Error('the buy page has no form key')
  return key
}

describeEachDatabase('the buy form asks names and questions, with JavaScript off', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  /** An event of a standing and a VIP type that asks a name for every ticket and these questions. */
  async function festival() {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Harbour Festival',
      ticketTypes: [
        { name: 'Standing', priceMinor: 1000, capacity: 20 },
        { name: 'VIP', priceMinor: 5000, capacity: 5 },
      ],
    })
    const [standing, vip] = ticketTypes as [(typeof ticketTypes)[0], (typeof ticketTypes)[0]]
    const [meal, company, age, parking, extras, arrival, invoice] = await askQuestions(t.db, event.id, 'required', [
      { label: 'Meal', kind: 'one-choice', required: true, perTicket: true, ticketTypeIds: [vip.id], options: ['Fish', 'Vegan'] },
      { label: 'Company', kind: 'short-text' },
      { label: 'Age', kind: 'number', perTicket: true },
      { label: 'Parking', kind: 'yes-no', required: true, ticketTypeIds: [vip.id] },
      { label: 'Extras', kind: 'several-choices', options: ['Poster', 'Shirt', 'Mug'] },
      { label: 'Arrival', kind: 'date', perTicket: true },
      { label: 'Invoice address', kind: 'long-text' },
    ])
    const ids = { meal: meal!, company: company!, age: age!, parking: parking!, extras: extras!, arrival: arrival!, invoice: invoice! }
    return { event, standing, vip, ids, meals: await optionIds(t.db, meal!), extraIds: await optionIds(t.db, extras!) }
  }

  async function ordersOf(eventId: number) {
    return t.db.selectFrom('orders').select(['id', 'code']).where('eventId', '=', eventId).execute()
  }

  it('asks who is coming after the tickets are chosen, keeps bad answers as typed with a message at each, and writes the order with them once they are right', async () => {
    const { event, standing, vip, ids, meals, extraIds } = await festival()
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    expect(form.body).toContain('>Continue</button>')
    const step1 = {
      key: formKey(form.body),
      [`qty_${standing.id}`]: '1',
      [`qty_${vip.id}`]: '2',
      name: 'Bea Buyer',
      email: 'bea@example.test',
    }
    const details = await buyer.post(`/purchase/${event.id}`, step1)
    expect(details.statusCode).toBe(200)
    expect(details.headers['cache-control']).toBe('private, no-store')
    expect(details.body).toContain('Who is coming')
    expect(details.body).toContain('Ticket 1: Standing')
    expect(details.body).toContain('Ticket 2: VIP')
    expect(details.body).toContain('Ticket 3: VIP')
    // A name for each ticket; the VIP's meal only for the VIP tickets; the order's questions once.
    for (const field of [
      `t${standing.id}_1_name`,
      `t${vip.id}_1_name`,
      `t${vip.id}_2_name`,
      `t${vip.id}_1_q${ids.meal}`,
      `q${ids.company}`,
    ]) {
      expect(details.body).toContain(`name="${field}"`)
    }
    expect(details.body).not.toContain(`name="t${standing.id}_1_q${ids.meal}"`)
    expect(details.body.match(new RegExp(`name="q${ids.parking}"`, 'g'))).toHaveLength(2)
    // The first step's choices ride along, as sent.
    expect(fieldValue(details.body, `qty_${vip.id}`)).toBe('2')
    expect(fieldValue(details.body, 'email')).toBe('bea@example.test')
    expect(await ordersOf(event.id), 'nothing is ordered before the last step').toEqual([])

    const bad = {
      step: 'details',
      [`t${standing.id}_1_name`]: 'Sam Standing',
      [`t${standing.id}_1_q${ids.age}`]: 'forty',
      [`t${standing.id}_1_q${ids.arrival}`]: '2026-02-30',
      [`t${vip.id}_1_name`]: '',
      [`t${vip.id}_1_q${ids.meal}`]: '999999',
      [`t${vip.id}_2_name`]: 'Vic VIP',
      [`t${vip.id}_2_q${ids.meal}`]: meals.Vegan!,
      [`q${ids.company}`]: 'x'.repeat(201),
      [`q${ids.extras}`]: [extraIds.Poster!, '424242'],
      [`q${ids.invoice}`]: 'Quay 1\nHarbour Town',
    }
    const refused = await buyer.post(`/purchase/${event.id}`, bad)
    expect(refused.statusCode).toBe(422)
    expect(messageAt(refused.body, `t${standing.id}_1_q${ids.age}`)).toBe('Ticket 1 (Standing): “Age” takes a number, like 12 or 3.5.')
    expect(messageAt(refused.body, `t${standing.id}_1_q${ids.arrival}`)).toBe(
      'Ticket 1 (Standing): “Arrival” takes a date, like 2026-05-31.',
    )
    expect(messageAt(refused.body, `t${vip.id}_1_name`)).toBe('Ticket 2 (VIP): Give the name of who this ticket is for.')
    expect(messageAt(refused.body, `t${vip.id}_1_q${ids.meal}`)).toBe('Ticket 2 (VIP): For “Meal”, choose among the choices listed.')
    expect(messageAt(refused.body, `t${vip.id}_2_q${ids.meal}`)).toBeUndefined()
    expect(messageAt(refused.body, `q${ids.company}`)).toBe('Use at most 200 characters for “Company”.')
    expect(messageAt(refused.body, `q${ids.parking}`)).toBe('Answer “Parking”.')
    expect(messageAt(refused.body, `q${ids.extras}`)).toBe('For “Extras”, choose among the choices listed.')
    // Each message is in the summary too, with a link to its field.
    expect(refused.body).toContain(`<a href="#f-q${ids.parking}">Answer “Parking”.</a>`)
    // Back as typed.
    expect(fieldValue(refused.body, `t${standing.id}_1_name`)).toBe('Sam Standing')
    expect(fieldValue(refused.body, `t${standing.id}_1_q${ids.age}`)).toBe('forty')
    expect(refused.body).toContain(`value="${meals.Vegan}" selected`)
    expect(refused.body).toMatch(new RegExp(`name="q${ids.extras}" value="${extraIds.Poster}" checked`))
    expect(refused.body).toContain('>Quay 1\nHarbour Town</textarea>')
    expect(await ordersOf(event.id)).toEqual([])

    const placed = await buyer.post(`/purchase/${event.id}`, {
      ...bad,
      [`t${standing.id}_1_q${ids.age}`]: '041,50',
      [`t${standing.id}_1_q${ids.arrival}`]: '2026-07-04',
      [`t${vip.id}_1_name`]: 'Val VIP',
      [`t${vip.id}_1_q${ids.meal}`]: meals.Fish!,
      [`q${ids.company}`]: 'Quay Ltd',
      [`q${ids.parking}`]: 'yes',
      [`q${ids.extras}`]: [extraIds.Mug!, extraIds.Poster!],
    })
    expect(placed.statusCode).toBe(303)
    expect(placed.headers.location).toMatch(/^\/purchase\/success\?order=/)
    const [order] = await ordersOf(event.id)
    const tickets = await t.db
      .selectFrom('tickets')
      .select(['id', 'ticketTypeId', 'holderName'])
      .where('orderId', '=', order!.id)
      .orderBy('id')
      .execute()
    expect(tickets.map((ticket) => [ticket.ticketTypeId, ticket.holderName])).toEqual([
      [standing.id, 'Sam Standing'],
      [vip.id, 'Val VIP'],
      [vip.id, 'Vic VIP'],
    ])
    const answers = await t.db
      .selectFrom('answers')
      .select(['ticketId', 'questionId', 'value'])
      .where('orderId', '=', order!.id)
      .orderBy('questionId')
      .orderBy('ticketId')
      .execute()
    const [sam, val, vic] = tickets.map((ticket) => ticket.id)
    // Every question asked has its row, a blank one as '': changing an answer later is an UPDATE.
    expect(answers).toEqual(
      [
        { ticketId: val, questionId: ids.meal, value: meals.Fish },
        { ticketId: vic, questionId: ids.meal, value: meals.Vegan },
        { ticketId: null, questionId: ids.company, value: 'Quay Ltd' },
        { ticketId: sam, questionId: ids.age, value: '41.5' },
        { ticketId: val, questionId: ids.age, value: '' },
        { ticketId: vic, questionId: ids.age, value: '' },
        { ticketId: null, questionId: ids.parking, value: 'yes' },
        // The choices in the organiser's order, whatever order the form sent them in.
        { ticketId: null, questionId: ids.extras, value: `${extraIds.Poster},${extraIds.Mug}` },
        { ticketId: sam, questionId: ids.arrival, value: '2026-07-04' },
        { ticketId: val, questionId: ids.arrival, value: '' },
        { ticketId: vic, questionId: ids.arrival, value: '' },
        { ticketId: null, questionId: ids.invoice, value: 'Quay 1\nHarbour Town' },
      ].sort((a, b) => a.questionId - b.questionId || (a.ticketId ?? 0) - (b.ticketId ?? 0)),
    )

    // The same last step sent again shows the same order and writes nothing more.
    const again = await buyer.post(`/purchase/${event.id}`, { ...bad, [`t${vip.id}_1_name`]: 'Val VIP' })
    expect(again.headers.location).toBe(placed.headers.location)
    // So does the first step sent again (back, back, submit): no second step for a placed order.
    const first = await buyer.post(`/purchase/${event.id}`, { ...step1, step: '' })
    expect(first.headers.location).toBe(placed.headers.location)
    expect(await ordersOf(event.id)).toHaveLength(1)
    expect(await t.db.selectFrom('answers').select('id').where('orderId', '=', order!.id).execute()).toHaveLength(12)
  })

  it('asks a type’s questions only when it is chosen, and nothing of a name when names are optional and left blank', async () => {
    const { event, standing, vip, ids } = await festival()
    await t.db.updateTable('events').set({ holderNames: 'optional' }).where('id', '=', event.id).execute()
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    const details = await buyer.post(`/purchase/${event.id}`, {
      key: formKey(form.body),
      [`qty_${standing.id}`]: '2',
      name: 'Ola Optional',
      email: 'ola@example.test',
    })
    expect(details.statusCode).toBe(200)
    expect(details.body).toContain('Name on the ticket (optional)')
    expect(details.body).not.toContain(`q${ids.meal}`)
    expect(details.body).not.toContain(`name="q${ids.parking}"`)
    expect(details.body).not.toContain(`t${vip.id}_`)
    const placed = await buyer.post(`/purchase/${event.id}`, { step: 'details' })
    expect(placed.statusCode).toBe(303)
    const [order] = await ordersOf(event.id)
    const tickets = await t.db.selectFrom('tickets').select('holderName').where('orderId', '=', order!.id).execute()
    expect(tickets.map((ticket) => ticket.holderName)).toEqual([null, null])
    const asked = await t.db.selectFrom('answers').select('questionId').distinct().where('orderId', '=', order!.id).execute()
    expect(asked.map((row) => row.questionId).sort((a, b) => a - b)).toEqual([ids.company, ids.age, ids.extras, ids.arrival, ids.invoice])
  })

  it('goes back to the tickets with the answers kept, and asks for the tickets added', async () => {
    const { event, standing, ids } = await festival()
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    const step1 = { key: formKey(form.body), [`qty_${standing.id}`]: '1', name: 'Cy Changer', email: 'cy@example.test' }
    await buyer.post(`/purchase/${event.id}`, step1)
    const back = await buyer.post(`/purchase/${event.id}`, {
      step: 'details',
      change: 'tickets',
      [`t${standing.id}_1_name`]: 'Cy Changer',
      [`q${ids.company}`]: 'Cy & Co',
    })
    expect(back.statusCode).toBe(200)
    expect(back.body).toContain('How many tickets?')
    expect(fieldValue(back.body, `qty_${standing.id}`)).toBe('1')
    expect(back.body).toContain(`<input type="hidden" name="t${standing.id}_1_name" value="Cy Changer">`)
    expect(await ordersOf(event.id)).toEqual([])

    const more = await buyer.post(`/purchase/${event.id}`, { ...step1, step: '', change: '', [`qty_${standing.id}`]: '2' })
    expect(more.statusCode).toBe(200)
    expect(fieldValue(more.body, `t${standing.id}_1_name`)).toBe('Cy Changer')
    expect(fieldValue(more.body, `t${standing.id}_2_name`)).toBe('')
    expect(fieldValue(more.body, `q${ids.company}`)).toBe('Cy &amp; Co')
  })

  it('carries the seats ticked on the map to the last step, and books them with the names given', async () => {
    const { event, hall } = await hallEvent(t.db, organiser.id, 'Names in the Stalls')
    await addSeatBlock(t.db, organiser, event.id, { section: 'Stalls', rows: ['A'], seatsPerRow: 4, ticketTypeId: hall })
    await askQuestions(t.db, event.id, 'required', [])
    const [a2, a3] = [await seatId(t.db, event.id, 'A', '2'), await seatId(t.db, event.id, 'A', '3')]
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    const details = await buyer.post(`/purchase/${event.id}`, {
      key: formKey(form.body),
      seat: [String(a2), String(a3)],
      name: 'Sue Seated',
      email: 'sue@example.test',
    })
    expect(details.statusCode).toBe(200)
    expect(details.body).toContain(`<input type="hidden" name="seat" value="${a2}">`)
    expect(details.body).toContain(`<input type="hidden" name="seat" value="${a3}">`)
    expect(details.body).toContain('Ticket 2: Hall')
    // TestBrowser keeps one value a hidden field: the seats are sent as the page holds them.
    const placed = await buyer.post(`/purchase/${event.id}`, {
      seat: [String(a2), String(a3)],
      step: 'details',
      [`t${hall}_1_name`]: 'Sue Seated',
      [`t${hall}_2_name`]: 'Sid Seated',
    })
    expect(placed.statusCode).toBe(303)
    const booked = await t.db
      .selectFrom('tickets')
      .innerJoin('orders', 'orders.id', 'tickets.orderId')
      .innerJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
      .select(['tickets.holderName', 'seatBookings.seatId'])
      .where('orders.eventId', '=', event.id)
      .orderBy('tickets.id')
      .execute()
    expect(booked.map((row) => row.holderName)).toEqual(['Sue Seated', 'Sid Seated'])
    expect(booked.map((row) => row.seatId).sort((x, y) => x - y)).toEqual([a2, a3])
  })

  it('takes a waiting-list offer through both steps: the offer rides along, and its held ticket is bought with the name given', async () => {
    const { eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 1 })
    await askQuestions(t.db, eventId, 'required', [])
    await join(t.app, eventId, typeId, { name: 'Wendy Waiter', email: 'wendy@example.test' })
    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    const offer = await t.db.selectFrom('outbox').select('data').where('kind', '=', 'waiting-list-offer').executeTakeFirstOrThrow()
    const token = offerTokenIn(JSON.parse(offer.data).link)
    const holder = new TestBrowser(t.app)
    const form = await holder.get(`/buy-tickets/${eventId}?offer=${token}`)
    const details = await holder.post(`/purchase/${eventId}`, {
      key: formKey(form.body),
      [`qty_${typeId}`]: '1',
      name: 'Wendy Waiter',
      email: 'wendy@example.test',
    })
    expect(details.statusCode).toBe(200)
    expect(details.body).toContain(`<input type="hidden" name="offer" value="${token}">`)
    const placed = await holder.post(`/purchase/${eventId}`, { step: 'details', [`t${typeId}_1_name`]: 'Walter Waiter' })
    expect(placed.statusCode).toBe(303)
    expect(placed.headers.location).toMatch(/^\/purchase\/success\?order=/)
    const entry = await t.db
      .selectFrom('waitingListEntries')
      .select(['state', 'orderId'])
      .where('eventId', '=', eventId)
      .executeTakeFirstOrThrow()
    expect(entry.state).toBe('claimed')
    const ticket = await t.db.selectFrom('tickets').select('holderName').where('orderId', '=', entry.orderId!).executeTakeFirstOrThrow()
    expect(ticket.holderName).toBe('Walter Waiter')
  })

  it('refuses tickets that cannot be had before asking anything', async () => {
    const { event, vip } = await festival()
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    await t.db.updateTable('ticketTypes').set({ sold: 5 }).where('id', '=', vip.id).execute()
    const refused = await buyer.post(`/purchase/${event.id}`, {
      key: formKey(form.body),
      [`qty_${vip.id}`]: '1',
      name: 'Lou Late',
      email: 'lou@example.test',
    })
    expect(refused.statusCode).toBe(303)
    expect(refused.headers.location).toBe('/purchase/fail')
    expect((await buyer.get('/purchase/fail')).body).toContain('VIP is sold out.')
  })

  it('buys in one step, reading nothing of questions, for an event that asks nothing', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { title: 'Plain Gig' })
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    expect(form.body).toContain('>Buy tickets</button>')
    const { result: placed, queries } = await queriesDuring(t.db, () =>
      buyer.post(`/purchase/${event.id}`, {
        key: formKey(form.body),
        [`qty_${ticketTypes[0]!.id}`]: '2',
        name: 'Pat Plain',
        email: 'pat@example.test',
      }),
    )
    expect(placed.statusCode).toBe(303)
    expect(placed.headers.location).toMatch(/^\/purchase\/success\?order=/)
    expect(queries.filter((query) => /question|answers|holder_name/.test(query.sql))).toEqual([])
    const [order] = await ordersOf(event.id)
    expect(await t.db.selectFrom('answers').select('id').where('orderId', '=', order!.id).execute()).toEqual([])
  })
})
