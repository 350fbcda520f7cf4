import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'

describeEachDatabase('the organiser’s names and questions page', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  async function eventWithTypes() {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      title: 'Dockside Dinner',
      ticketTypes: [{ name: 'Seat' }, { name: 'Table' }],
    })
    return { event, seat: ticketTypes[0]!, table: ticketTypes[1]! }
  }

  const questionRows = (eventId: number) =>
    t.db.selectFrom('questions').selectAll().where('eventId', '=', eventId).orderBy('position').orderBy('id').execute()
  const optionsOf = (questionId: number) =>
    t.db.selectFrom('questionOptions').selectAll().where('questionId', '=', questionId).orderBy('position').orderBy('id').execute()
  const questionCount = async (eventId: number) =>
    (await t.db.selectFrom('events').select('questionCount').where('id', '=', eventId).executeTakeFirstOrThrow()).questionCount

  it('sets whether a name is asked for each ticket, refusing anything else', async () => {
    const { event } = await eventWithTypes()
    const page = await me.browser.get(`/events/${event.id}/questions`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('No questions yet.')
    expect(page.body).toMatch(/value="off" checked/)
    const saved = await me.browser.post(`/events/${event.id}/questions/names`, { holderNames: 'required' })
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toBe(`/events/${event.id}/questions`)
    const after = await me.browser.get(`/events/${event.id}/questions`)
    expect(after.body).toContain('Saved: a name is required for each ticket.')
    expect(after.body).toMatch(/value="required" checked/)
    const refused = await me.browser.post(`/events/${event.id}/questions/names`, { holderNames: 'sometimes' })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('Choose whether to ask a name for each ticket.')
    const row = await t.db.selectFrom('events').select('holderNames').where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(row.holderNames).toBe('required')
    const audit = await t.db.selectFrom('auditLog').select('details').where('action', '=', 'event.holder_names_set').execute()
    expect(audit.map((entry) => JSON.parse(entry.details))).toContainEqual({ eventId: event.id, from: 'off', to: 'required' })
  })

  it('adds questions, with a message at each field of a form that is wrong, kept as typed', async () => {
    const { event, table } = await eventWithTypes()
    const form = await me.browser.get(`/events/${event.id}/questions/new`)
    expect(form.statusCode).toBe(200)
    const wrong = await me.browser.post(`/events/${event.id}/questions/new`, {
      label: '',
      help: 'Tell us',
      kind: 'one-choice',
      asked: 'ticket',
      scope: 'some',
      options: 'Fish\n\nfish',
    })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('Write the question.')
    expect(wrong.body).toContain('Tick at least one ticket type, or choose all ticket types.')
    expect(wrong.body).toContain('Each choice once, please: two lines say the same.')
    expect(wrong.body).toContain('value="Tell us"')
    expect(wrong.body).toContain('>Fish\n\nfish</textarea>')
    const foreign = await me.browser.post(`/events/${event.id}/questions/new`, {
      label: 'Meal',
      kind: 'one-choice',
      asked: 'ticket',
      scope: 'some',
      type: '999999',
      options: 'Fish',
    })
    expect(foreign.body).toContain('Tick only ticket types of this event.')
    const noOptions = await me.browser.post(`/events/${event.id}/questions/new`, {
      label: 'Meal',
      kind: 'several-choices',
      asked: 'order',
      scope: 'all',
    })
    expect(noOptions.body).toContain('Write at least one choice, one a line.')
    expect(await questionRows(event.id)).toEqual([])

    const added = await me.browser.post(`/events/${event.id}/questions/new`, {
      label: 'Meal',
      kind: 'one-choice',
      required: '1',
      asked: 'ticket',
      scope: 'some',
      type: String(table.id),
      options: 'Fish\r\nVegan\n  Meat  ',
    })
    expect(added.statusCode).toBe(303)
    await me.browser.post(`/events/${event.id}/questions/new`, { label: 'Company', kind: 'short-text', asked: 'order', scope: 'all' })
    const [meal, company] = await questionRows(event.id)
    expect(meal).toMatchObject({
      label: 'Meal',
      kind: 'one-choice',
      required: 1,
      perTicket: 1,
      forAllTypes: 0,
      position: 1,
      removedAt: null,
    })
    expect(company).toMatchObject({ label: 'Company', kind: 'short-text', required: 0, perTicket: 0, forAllTypes: 1, position: 2 })
    expect((await optionsOf(meal!.id)).map((option) => option.label)).toEqual(['Fish', 'Vegan', 'Meat'])
    const scope = await t.db.selectFrom('questionTicketTypes').selectAll().where('questionId', '=', meal!.id).execute()
    expect(scope).toEqual([{ questionId: meal!.id, ticketTypeId: table.id }])
    expect(await questionCount(event.id)).toBe(2)
    const list = await me.browser.get(`/events/${event.id}/questions`)
    expect(list.body).toContain('Question “Company” added.')
    expect(list.body).toContain('only Table')
    expect(list.body).toContain('Fish · Vegan · Meat')
  })

  it('moves questions up and down, and edits one with answers keeping its answers and its kind', async () => {
    const { event, seat } = await eventWithTypes()
    const fields = (label: string, extra: Record<string, string> = {}) => ({
      label,
      kind: 'short-text',
      asked: 'order',
      scope: 'all',
      ...extra,
    })
    await me.browser.get(`/events/${event.id}/questions/new`)
    for (const label of ['First', 'Second', 'Third']) await me.browser.post(`/events/${event.id}/questions/new`, fields(label))
    const [first, second, third] = await questionRows(event.id)
    await me.browser.post(`/events/${event.id}/questions/${third!.id}/move`, { direction: 'up' })
    expect((await questionRows(event.id)).map((question) => question.label)).toEqual(['First', 'Third', 'Second'])
    const top = await me.browser.post(`/events/${event.id}/questions/${first!.id}/move`, { direction: 'up' })
    expect(top.statusCode).toBe(303)
    expect((await me.browser.get(`/events/${event.id}/questions`)).body).toContain('That question is at the end of the list already.')
    await me.browser.post(`/events/${event.id}/questions/${first!.id}/move`, { direction: 'down' })
    expect((await questionRows(event.id)).map((question) => question.label)).toEqual(['Third', 'First', 'Second'])

    // A choice question, answered once.
    await me.browser.post(
      `/events/${event.id}/questions/${second!.id}/edit`,
      fields('Drink', { kind: 'one-choice', options: 'Tea\nCoffee\nJuice' }),
    )
    const [tea, coffee, juice] = await optionsOf(second!.id)
    const order = await placeOrder(t.db, event.id, seat.id)
    await t.db
      .insertInto('answers')
      .values({ orderId: order.id, ticketId: null, questionId: second!.id, value: String(coffee!.id) })
      .execute()

    const edit = await me.browser.get(`/events/${event.id}/questions/${second!.id}/edit`)
    expect(edit.body).toContain('It has answers already, so its kind stays as it is.')
    expect(edit.body).toContain('>Tea\nCoffee\nJuice</textarea>')
    const kindChanged = await me.browser.post(`/events/${event.id}/questions/${second!.id}/edit`, fields('Drink', { kind: 'number' }))
    expect(kindChanged.statusCode).toBe(422)
    expect(kindChanged.body).toContain('This question has answers already: its kind cannot change. Add a new question instead.')

    // Coffee respelled and moved first, Tea dropped, Water added: the answer keeps its option.
    const saved = await me.browser.post(
      `/events/${event.id}/questions/${second!.id}/edit`,
      fields('Drink?', { kind: 'one-choice', required: '1', options: 'COFFEE\nJuice\nWater' }),
    )
    expect(saved.statusCode).toBe(303)
    const options = await optionsOf(second!.id)
    expect(options.map((option) => [option.id, option.label, option.removedAt === null])).toEqual([
      [coffee!.id, 'COFFEE', true],
      [juice!.id, 'Juice', true],
      [options[2]!.id, 'Water', true],
      [tea!.id, 'Tea', false],
    ])
    const answer = await t.db.selectFrom('answers').select('value').where('questionId', '=', second!.id).executeTakeFirstOrThrow()
    expect(answer.value).toBe(String(coffee!.id))
    const audit = await t.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'question.updated')
      .where('subjectId', '=', second!.id)
      .execute()
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({
      before: { label: 'Drink', options: ['Tea', 'Coffee', 'Juice'], required: false },
      after: { label: 'Drink?', options: ['COFFEE', 'Juice', 'Water'], required: true },
    })
  })

  it('counts no blank answer: a question only left blank may still change its kind', async () => {
    const { event, seat } = await eventWithTypes()
    await me.browser.get(`/events/${event.id}/questions/new`)
    await me.browser.post(`/events/${event.id}/questions/new`, { label: 'Nickname', kind: 'short-text', asked: 'order', scope: 'all' })
    const [question] = await questionRows(event.id)
    const order = await placeOrder(t.db, event.id, seat.id)
    await t.db.insertInto('answers').values({ orderId: order.id, ticketId: null, questionId: question!.id, value: '' }).execute()
    const list = await me.browser.get(`/events/${event.id}/questions`)
    expect(list.body).toMatch(/data-label="Answers">0</)
    const edit = await me.browser.get(`/events/${event.id}/questions/${question!.id}/edit`)
    expect(edit.body).not.toContain('It has answers already')
    const saved = await me.browser.post(`/events/${event.id}/questions/${question!.id}/edit`, {
      label: 'Shirt size',
      kind: 'one-choice',
      asked: 'order',
      scope: 'all',
      options: 'S\nM\nL',
    })
    expect(saved.statusCode).toBe(303)
    expect((await questionRows(event.id))[0]!.kind).toBe('one-choice')
  })

  it('removes a question after asking, keeping its answers out of view', async () => {
    const { event, seat } = await eventWithTypes()
    await me.browser.get(`/events/${event.id}/questions/new`)
    await me.browser.post(`/events/${event.id}/questions/new`, { label: 'Shoe size', kind: 'number', asked: 'order', scope: 'all' })
    const [question] = await questionRows(event.id)
    const order = await placeOrder(t.db, event.id, seat.id)
    await t.db.insertInto('answers').values({ orderId: order.id, ticketId: null, questionId: question!.id, value: '42' }).execute()

    const confirm = await me.browser.get(`/events/${event.id}/questions/${question!.id}/remove`)
    expect(confirm.body).toContain('Remove “Shoe size”?')
    expect(confirm.body).toContain('Its one answer is kept, but no longer shown or exported.')
    const removed = await me.browser.post(`/events/${event.id}/questions/${question!.id}/remove`)
    expect(removed.statusCode).toBe(303)
    expect((await questionRows(event.id))[0]!.removedAt).not.toBeNull()
    expect(await questionCount(event.id)).toBe(0)
    expect(await t.db.selectFrom('answers').select('value').where('questionId', '=', question!.id).execute()).toEqual([{ value: '42' }])
    const list = await me.browser.get(`/events/${event.id}/questions`)
    expect(list.body).toContain('Question removed. Its answers are kept, out of view.')
    expect(list.body).not.toContain('Shoe size')
    // Gone for good from the page: its own pages answer 404, and removing it again says so.
    expect((await me.browser.get(`/events/${event.id}/questions/${question!.id}/edit`)).statusCode).toBe(404)
    await me.browser.post(`/events/${event.id}/questions/${question!.id}/remove`)
    expect((await me.browser.get(`/events/${event.id}/questions`)).body).toContain('That question was removed already.')
  })

  it('answers 404 for a question of another event', async () => {
    const { event } = await eventWithTypes()
    const other = await eventWithTypes()
    await me.browser.get(`/events/${other.event.id}/questions/new`)
    await me.browser.post(`/events/${other.event.id}/questions/new`, { label: 'Theirs', kind: 'short-text', asked: 'order', scope: 'all' })
    const [theirs] = await questionRows(other.event.id)
    expect((await me.browser.get(`/events/${event.id}/questions/${theirs!.id}/edit`)).statusCode).toBe(404)
    const moved = await me.browser.post(`/events/${event.id}/questions/${theirs!.id}/move`, { direction: 'down' })
    expect(moved.statusCode).toBe(404)
  })
})
