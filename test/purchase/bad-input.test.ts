import { beforeAll, expect, it } from 'vitest'
import type { EventRow, TicketTypeRow } from '../../src/db/schema.js'
import { TestBrowser, type FormFields } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('bad purchase input', (kind) => {
  const t = useTestApp(kind)
  let event: EventRow
  let type: TicketTypeRow
  let foreignType: TicketTypeRow

  beforeAll(async () => {
    const organiser = await createUser(t.db, 'organiser')
    ;({
      event,
      ticketTypes: [type],
    } = (await createEvent(t.db, organiser.id, { ticketTypes: [{ maxPerOrder: 4 }] })) as {
      event: EventRow
      ticketTypes: [TicketTypeRow]
    })
    foreignType = (await createEvent(t.db, organiser.id)).ticketTypes[0]!
  })

  const valid = () => ({ key: 'a-valid-form-key-0123456789', name: 'Val Id', email: 'val@example.test' })
  const cases: [string, () => FormFields, RegExp][] = [
    ['a negative quantity', () => ({ ...valid(), [`qty_${type.id}`]: '-1' }), /whole number/],
    ['a fractional quantity', () => ({ ...valid(), [`qty_${type.id}`]: '1.5' }), /whole number/],
    ['a huge quantity', () => ({ ...valid(), [`qty_${type.id}`]: '99999999999999999999' }), /At most 4 Standard tickets per order/],
    ['a quantity of seven digits', () => ({ ...valid(), [`qty_${type.id}`]: '1234567' }), /At most 4 Standard tickets per order/],
    ['more than the per-order limit', () => ({ ...valid(), [`qty_${type.id}`]: '5' }), /At most 4/],
    ['a quantity in words', () => ({ ...valid(), [`qty_${type.id}`]: 'two' }), /whole number/],
    ['no tickets at all', () => ({ ...valid(), [`qty_${type.id}`]: '0' }), /Choose at least one ticket/],
    ['a zero written with two digits', () => ({ ...valid(), [`qty_${type.id}`]: '00' }), /Choose at least one ticket/],
    ['a missing quantity', () => valid(), /Choose at least one ticket/],
    ['a repeated quantity field', () => ({ ...valid(), [`qty_${type.id}`]: ['1', '3'] }), /sent more than once/],
    ['an unknown ticket type', () => ({ ...valid(), qty_999999: '1' }), /does not have/],
    ['another event’s ticket type', () => ({ ...valid(), [`qty_${foreignType.id}`]: '1' }), /does not have/],
    ['a missing name', () => ({ ...valid(), name: '', [`qty_${type.id}`]: '1' }), /Enter the name/],
    ['a bad email', () => ({ ...valid(), email: 'not-an-email', [`qty_${type.id}`]: '1' }), /Enter an email address/],
    [
      'an email with a query that would add recipients',
      () => ({ ...valid(), email: 'val@example.test?bcc=thief%40example.test', [`qty_${type.id}`]: '1' }),
      /Enter an email address/,
    ],
    ['a missing form key', () => ({ ...valid(), key: '', [`qty_${type.id}`]: '1' }), /Reload the page/],
  ]

  it.each(cases)('%s: 422, a clear message, the values kept, nothing written', async (_name, fields, message) => {
    const browser = new TestBrowser(t.app)
    await browser.get(`/buy-tickets/${event.id}`)
    const response = await browser.post(`/purchase/${event.id}`, fields())
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(message)
    expect(response.body).toContain('data-error-summary')
    const sent = fields()
    if (sent.name) expect(response.body).toContain(`value="${sent.name}"`)
    expect(await t.db.selectFrom('orders').select('id').execute()).toHaveLength(0)
    const after = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', type.id).executeTakeFirstOrThrow()
    expect(after.sold).toBe(0)
  })

  it.each([['abc'], ['0'], ['-3'], ['1.0'], ['99999999999']])('an event id of %s is a 404 page', async (id) => {
    const browser = new TestBrowser(t.app)
    expect((await browser.get(`/event/${id}`)).statusCode).toBe(404)
    expect((await browser.get(`/buy-tickets/${id}`)).statusCode).toBe(404)
  })

  it('a purchase form without a CSRF token is refused and writes nothing', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/purchase/${event.id}`, payload: { ...valid(), [`qty_${type.id}`]: '1' } })
    expect(response.statusCode).toBe(403)
    expect(await t.db.selectFrom('orders').select('id').execute()).toHaveLength(0)
  })
})
