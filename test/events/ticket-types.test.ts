import { expect, it } from 'vitest'
import { cancelEvent, createTicketType, deleteTicketType, updateTicketType } from '../../src/features/organiser/event.service.js'
import { findEvent, findTicketType } from '../../src/features/events/event.repository.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { changeSiteSettings } from '../helpers/settings.js'
import { auditActions, auditDetails, expectRedirect, servicesAs, ticketTypeFields, ZONE } from './support.js'
import { translator } from '../../src/i18n/translate.js'
import { type DomainError, errorWords } from '../../src/lib/errors.js'

/** A refusing error as its page says it: its status and its words. */
const saidAs = (error: DomainError) => ({ statusCode: error.statusCode, ...errorWords(translator('en'), error) })

describeEachDatabase('ticket type forms', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  const typeRow = (id: number) => t.db.selectFrom('ticketTypes').selectAll().where('id', '=', id).executeTakeFirst()

  it('adds a type with the price in minor units and sales dates in the event time zone', async () => {
    const { event } = await createEvent(t.db, me.user.id, {
      status: 'draft',
      timeZone: ZONE,
      startsAt: Date.UTC(2099, 2, 1, 18),
      ticketTypes: [],
    })
    const url = `/events/${event.id}/ticket-types/new`
    const form = await me.browser.get(url)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="10"')
    expect(form.body).toContain('Price (EUR)')
    const response = await me.browser.submit(
      url,
      url,
      ticketTypeFields({
        name: 'VIP',
        price: '99,9',
        capacity: '20',
        maxPerOrder: '4',
        salesStartAt: '2099-01-01T09:00',
        salesEndAt: '2099-02-01T09:00',
      }),
    )
    expectRedirect(response, `/edit-event/${event.id}#ticket-types`)
    const [type] = await t.db.selectFrom('ticketTypes').selectAll().where('eventId', '=', event.id).execute()
    expect(type).toMatchObject({
      name: 'VIP',
      priceMinor: 9990,
      capacity: 20,
      sold: 0,
      maxPerOrder: 4,
      salesStartAt: Date.UTC(2099, 0, 1, 8),
      salesEndAt: Date.UTC(2099, 1, 1, 8),
    })
    expect(await auditActions(t.db, 'ticket_type', type!.id)).toEqual(['ticket_type.created'])
    const manage = await me.browser.get(`/edit-event/${event.id}`)
    expect(manage.body).toContain('Ticket type “VIP” added.')
    expect(manage.body).toContain('€99.90')
  })

  it('refuses sales that end after the event, or start after it ended, at their fields', async () => {
    const { event } = await createEvent(t.db, me.user.id, {
      status: 'draft',
      timeZone: ZONE,
      startsAt: Date.UTC(2099, 2, 1, 18),
      endsAt: Date.UTC(2099, 2, 1, 22),
      ticketTypes: [{ name: 'Standard' }],
    })
    const url = `/events/${event.id}/ticket-types/new`
    const late = await me.browser.submit(
      url,
      url,
      ticketTypeFields({ name: 'Late', salesStartAt: '2099-01-01T09:00', salesEndAt: '2099-03-20T09:00' }),
    )
    expect(late.statusCode).toBe(422)
    expect(late.body).toMatch(/id="f-salesEndAt-error".*The event ends Sun, 1 Mar 2099, 23:00 CET: sales cannot end after that\./)
    expect(late.body).toContain('value="2099-03-20T09:00"')
    const after = await me.browser.submit(url, url, ticketTypeFields({ name: 'After', salesStartAt: '2099-03-01T23:00' }))
    expect(after.statusCode).toBe(422)
    expect(after.body).toMatch(/id="f-salesStartAt-error".*sales must start before that\./)
    expect(await t.db.selectFrom('ticketTypes').select('name').where('eventId', '=', event.id).execute()).toEqual([{ name: 'Standard' }])

    const edit = `/ticket-types/${(await t.db.selectFrom('ticketTypes').select('id').where('eventId', '=', event.id).executeTakeFirstOrThrow()).id}/edit`
    const refused = await me.browser.submit(edit, edit, ticketTypeFields({ salesEndAt: '2099-03-02T00:00' }))
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('id="f-salesEndAt-error"')

    expectRedirect(
      await me.browser.submit(url, url, ticketTypeFields({ name: 'Until the end', salesEndAt: '2099-03-01T23:00' })),
      `/edit-event/${event.id}#ticket-types`,
    )
  })

  it('refuses a second type of the same name, whatever its case, at the name field', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      status: 'draft',
      ticketTypes: [{ name: 'Student' }, { name: 'Standard' }],
    })
    const url = `/events/${event.id}/ticket-types/new`
    const refused = await me.browser.submit(url, url, ticketTypeFields({ name: 'STUDENT' }))
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toMatch(
      /id="f-name-error".*This event already has a ticket type called “Student”\. Give this one a name of its own\./,
    )
    expect(refused.body).toContain('value="STUDENT"')

    const edit = `/ticket-types/${ticketTypes[1]!.id}/edit`
    const renamed = await me.browser.submit(edit, edit, ticketTypeFields({ name: 'student' }))
    expect(renamed.statusCode).toBe(422)
    expect(renamed.body).toMatch(/id="f-name-error".*“Student”/)
    expect(await t.db.selectFrom('ticketTypes').select('name').where('eventId', '=', event.id).orderBy('id').execute()).toEqual([
      { name: 'Student' },
      { name: 'Standard' },
    ])
    expect(await auditActions(t.db, 'ticket_type', ticketTypes[1]!.id)).toEqual([])

    // A type keeps its own name, in another case too; another event may use it.
    const own = `/ticket-types/${ticketTypes[0]!.id}/edit`
    expectRedirect(await me.browser.submit(own, own, ticketTypeFields({ name: 'STUDENT' })), `/edit-event/${event.id}#ticket-types`)
    const other = await createEvent(t.db, me.user.id, { status: 'draft', ticketTypes: [] })
    const otherUrl = `/events/${other.event.id}/ticket-types/new`
    expectRedirect(
      await me.browser.submit(otherUrl, otherUrl, ticketTypeFields({ name: 'Student' })),
      `/edit-event/${other.event.id}#ticket-types`,
    )
  })

  it('asks before deleting a type, on a page of its own that works without JavaScript', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      ticketTypes: [{ name: 'Keep' }, { name: 'Drop me' }, { name: 'Sold' }],
    })
    const [, drop, sold] = ticketTypes.map((type) => type.id)
    await placeOrder(t.db, event.id, sold!)
    const manage = await me.browser.get(`/edit-event/${event.id}`)
    expect(manage.body).toContain(`href="/ticket-types/${drop}/delete"`)
    expect(manage.body, 'no button deletes at once').not.toContain(`action="/ticket-types/${drop}/delete"`)

    const page = await me.browser.get(`/ticket-types/${drop}/delete`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Delete the ticket type “Drop me”?')
    expect(page.body).toContain(`action="/ticket-types/${drop}/delete"`)
    expect(await typeRow(drop!), 'asking deletes nothing').toBeDefined()
    expectRedirect(
      await me.browser.submit(`/ticket-types/${drop}/delete`, `/ticket-types/${drop}/delete`),
      `/edit-event/${event.id}#ticket-types`,
    )
    expect(await typeRow(drop!)).toBeUndefined()

    const refused = await me.browser.get(`/ticket-types/${sold}/delete`)
    expect(refused.body).toContain('Sold has been ordered (1 ticket), so it cannot be deleted.')
    expect(refused.body).not.toContain(`action="/ticket-types/${sold}/delete"`)
    const other = await loginAs(t, 'organiser')
    expect((await other.browser.get(`/ticket-types/${sold}/delete`)).statusCode).toBe(404)
  })

  it('takes 0 as free and whole amounts without decimals', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', ticketTypes: [] })
    const url = `/events/${event.id}/ticket-types/new`
    await me.browser.submit(url, url, ticketTypeFields({ name: 'Free', price: '0' }))
    await me.browser.submit(url, url, ticketTypeFields({ name: 'Twelve', price: '12' }))
    const types = await t.db
      .selectFrom('ticketTypes')
      .select(['name', 'priceMinor'])
      .where('eventId', '=', event.id)
      .orderBy('id')
      .execute()
    expect(types).toEqual([
      { name: 'Free', priceMinor: 0 },
      { name: 'Twelve', priceMinor: 1200 },
    ])
  })

  it('refuses invalid input with 422, a message per field and the values kept', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', ticketTypes: [] })
    const url = `/events/${event.id}/ticket-types/new`
    const response = await me.browser.submit(
      url,
      url,
      ticketTypeFields({
        name: '',
        price: '12.505',
        capacity: '-1',
        maxPerOrder: '0',
        salesStartAt: '2099-02-01T09:00',
        salesEndAt: '2099-01-01T09:00',
      }),
    )
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-name-error".*Enter a name/)
    expect(response.body).toMatch(/id="f-price-error".*Enter an amount like 12.50/)
    expect(response.body).toMatch(/id="f-capacity-error".*whole number from 0/)
    expect(response.body).toMatch(/id="f-maxPerOrder-error".*whole number from 1 to 100/)
    expect(response.body).toMatch(/id="f-salesEndAt-error".*The end of sales must be after their start\./)
    expect(response.body).toContain('value="12.505"')
    expect(await t.db.selectFrom('ticketTypes').select('id').where('eventId', '=', event.id).execute()).toEqual([])
  })

  it('refuses a price at which the most per order would cost more than a 32-bit total holds', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'draft', ticketTypes: [] })
    const url = `/events/${event.id}/ticket-types/new`
    const refused = await me.browser.submit(url, url, ticketTypeFields({ name: 'Gold', price: '2147483.65', maxPerOrder: '10' }))
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toMatch(
      /id="f-price-error".*The price is too high for up to 10 tickets per order: at most €2,147,483\.64, or lower the most per order\./,
    )
    expect(refused.body).toContain('value="2147483.65"')
    expect(await t.db.selectFrom('ticketTypes').select('id').where('eventId', '=', event.id).execute()).toEqual([])

    expectRedirect(
      await me.browser.submit(url, url, ticketTypeFields({ name: 'Gold', price: '2147483.64', maxPerOrder: '10' })),
      `/edit-event/${event.id}#ticket-types`,
    )
    expectRedirect(
      await me.browser.submit(url, url, ticketTypeFields({ name: 'Platinum', price: '9999999.99', maxPerOrder: '1' })),
      `/edit-event/${event.id}#ticket-types`,
    )
    const types = await t.db
      .selectFrom('ticketTypes')
      .select(['name', 'priceMinor', 'maxPerOrder'])
      .where('eventId', '=', event.id)
      .orderBy('id')
      .execute()
    expect(types).toEqual([
      { name: 'Gold', priceMinor: 214_748_364, maxPerOrder: 10 },
      { name: 'Platinum', priceMinor: 999_999_999, maxPerOrder: 1 },
    ])
  })

  it('refuses a single price above a 32-bit total, in a currency with three decimals', async () => {
    const settings = await getSiteSettings(t.db)
    await changeSiteSettings(t.db, { currency: 'KWD' })
    try {
      const { event } = await createEvent(t.db, me.user.id, { status: 'draft', ticketTypes: [] })
      const url = `/events/${event.id}/ticket-types/new`
      const refused = await me.browser.submit(url, url, ticketTypeFields({ price: '2147483.648', maxPerOrder: '1' }))
      expect(refused.statusCode).toBe(422)
      expect(refused.body).toMatch(/id="f-price-error".*The price is too high: at most KWD\s2,147,483\.647\./)
      expect(await t.db.selectFrom('ticketTypes').select('id').where('eventId', '=', event.id).execute()).toEqual([])
    } finally {
      await changeSiteSettings(t.db, settings)
    }
  })

  it('refuses raising the most per order past what the current price allows, next to that field', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      ticketTypes: [{ name: 'Patron', priceMinor: 100_000_000, maxPerOrder: 10 }],
    })
    const id = ticketTypes[0]!.id
    const url = `/ticket-types/${id}/edit`
    const refused = await me.browser.submit(url, url, ticketTypeFields({ name: 'Patron', price: '1000000.00', maxPerOrder: '22' }))
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toMatch(
      /id="f-maxPerOrder-error".*At this price an order can hold at most 21 tickets\. Lower the price to allow more\./,
    )
    expect(refused.body).not.toContain('id="f-price-error"')
    expect(await typeRow(id)).toMatchObject({ priceMinor: 100_000_000, maxPerOrder: 10 })
    expect(await auditActions(t.db, 'ticket_type', id)).toEqual([])

    expectRedirect(
      await me.browser.submit(url, url, ticketTypeFields({ name: 'Patron', price: '1000000.00', maxPerOrder: '21' })),
      `/edit-event/${event.id}#ticket-types`,
    )
    expect((await typeRow(id))!.maxPerOrder).toBe(21)
  })

  it('edits a type, showing its current values', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      ticketTypes: [{ name: 'Standard', priceMinor: 2500, capacity: 100 }],
    })
    const id = ticketTypes[0]!.id
    const form = await me.browser.get(`/ticket-types/${id}/edit`)
    expect(form.body).toContain('value="25.00"')
    expect(form.body).toContain('0 sold so far')
    expectRedirect(
      await me.browser.submit(
        `/ticket-types/${id}/edit`,
        `/ticket-types/${id}/edit`,
        ticketTypeFields({ name: 'Regular', price: '30', capacity: '120' }),
      ),
      `/edit-event/${event.id}#ticket-types`,
    )
    expect(await typeRow(id)).toMatchObject({ name: 'Regular', priceMinor: 3000, capacity: 120 })
    const audit = await auditDetails(t.db, 'ticket_type.updated', id)
    expect(audit.changed).toEqual({
      name: { from: 'Standard', to: 'Regular' },
      priceMinor: { from: 2500, to: 3000 },
      capacity: { from: 100, to: 120 },
    })
  })

  it('refuses a capacity below what is sold, saying why, and keeps the capacity', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    const id = ticketTypes[0]!.id
    await t.db.updateTable('ticketTypes').set({ sold: 7 }).where('id', '=', id).execute()
    const response = await me.browser.submit(`/ticket-types/${id}/edit`, `/ticket-types/${id}/edit`, ticketTypeFields({ capacity: '6' }))
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(
      /id="f-capacity-error".*7 tickets of this type are already sold, so its capacity cannot be lower than 7\./,
    )
    expect(response.body).toContain('7 sold so far')
    expect((await typeRow(id))!.capacity).toBe(100)
    expect(await auditActions(t.db, 'ticket_type', id)).toEqual([])

    expectRedirect(
      await me.browser.submit(`/ticket-types/${id}/edit`, `/ticket-types/${id}/edit`, ticketTypeFields({ capacity: '7' })),
      `/edit-event/${event.id}#ticket-types`,
    )
    expect((await typeRow(id))!.capacity).toBe(7)
  })

  it('answers 404 saying the type no longer exists when its edit form is sent after it was deleted, and writes nothing', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: 'Keep' }, { name: 'Gone' }] })
    const id = ticketTypes[1]!.id
    const url = `/ticket-types/${id}/edit`
    expect((await me.browser.get(url)).statusCode).toBe(200)
    expectRedirect(await me.browser.post(`/ticket-types/${id}/delete`), `/edit-event/${event.id}#ticket-types`)
    const response = await me.browser.post(url, ticketTypeFields({ name: 'Renamed' }))
    expect(response.statusCode).toBe(404)
    expect(response.body).toContain('This ticket type no longer exists: it may have been deleted since the page was opened.')
    expect(await typeRow(id)).toBeUndefined()
    expect(await auditActions(t.db, 'ticket_type', id)).toEqual(['ticket_type.deleted'])
  })

  it('answers 404, not a server error, when the type is deleted between the route’s check and the save', async () => {
    const { ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: 'Keep' }, { name: 'Gone' }] })
    const id = ticketTypes[1]!.id
    const { ctx, actor } = servicesAs(t, me.user)
    const checked = (await findTicketType(t.db, (await findEvent(t.db, ticketTypes[1]!.eventId))!, id))!
    expect(await deleteTicketType(ctx, actor, checked)).toBeNull()
    const input = {
      name: 'Renamed',
      priceMinor: 100,
      capacity: 5,
      maxPerOrder: 1,
      salesStartAt: null,
      salesEndAt: null,
      allowReentry: 0,
      hidden: 0,
    }
    await expect(updateTicketType(ctx, actor, checked, input).catch(saidAs)).resolves.toMatchObject({
      statusCode: 404,
      message: 'This ticket type no longer exists: it may have been deleted since the page was opened.',
    })
    await expect(deleteTicketType(ctx, actor, checked)).rejects.toMatchObject({ statusCode: 404 })
    expect(await typeRow(id)).toBeUndefined()
    expect(await auditActions(t.db, 'ticket_type', id)).toEqual(['ticket_type.deleted'])
  })

  it('deletes a type nobody ordered', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: 'Keep' }, { name: 'Drop' }] })
    const id = ticketTypes[1]!.id
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/ticket-types/${id}/delete`), `/edit-event/${event.id}#ticket-types`)
    expect(await typeRow(id)).toBeUndefined()
    expect(await auditActions(t.db, 'ticket_type', id)).toEqual(['ticket_type.deleted'])
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('Ticket type “Drop” deleted.')
  })

  it('refuses to delete a type with sales, saying why', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: 'Sold' }, { name: 'Other' }] })
    const id = ticketTypes[0]!.id
    await placeOrder(t.db, event.id, id, { quantity: 2 })
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/ticket-types/${id}/delete`), `/edit-event/${event.id}#ticket-types`)
    expect(await typeRow(id)).toBeDefined()
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('Sold has been ordered (2 tickets), so it cannot be deleted.')
  })

  it('refuses to delete the last type of a published event', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id)
    const id = ticketTypes[0]!.id
    expectRedirect(await me.browser.submit(`/edit-event/${event.id}`, `/ticket-types/${id}/delete`), `/edit-event/${event.id}#ticket-types`)
    expect(await typeRow(id)).toBeDefined()
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).toContain('A published event needs at least one ticket type.')
  })

  it('refuses changes to the types of a cancelled event', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { status: 'cancelled' })
    const id = ticketTypes[0]!.id
    expect((await me.browser.get(`/edit-event/${event.id}`)).body).not.toContain(`/ticket-types/${id}/edit`)
    const forms = [`/events/${event.id}/ticket-types/new`, `/ticket-types/${id}/edit`]
    for (const url of forms) expect((await me.browser.get(url)).statusCode, url).toBe(409)
    await me.browser.get(`/edit-event/${event.id}`)
    for (const url of [...forms, `/ticket-types/${id}/delete`]) {
      const response = await me.browser.post(url, ticketTypeFields({ capacity: '5' }))
      expect(response.statusCode, url).toBe(409)
      expect(response.body).toContain('This event is cancelled: its ticket types can no longer change.')
    }
    expect(await t.db.selectFrom('ticketTypes').select(['id', 'capacity']).where('eventId', '=', event.id).execute()).toEqual([
      { id, capacity: 100 },
    ])
  })

  it('refuses in the transaction too, when the event was cancelled after the route read it, and writes nothing', async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, { ticketTypes: [{ name: 'Standard' }, { name: 'Student' }] })
    const { ctx, actor } = servicesAs(t, me.user)
    const loaded = (await findEvent(t.db, event.id))!
    const [standard, student] = await Promise.all(ticketTypes.map((type) => findTicketType(t.db, loaded, type.id)))
    expect(await cancelEvent(ctx, actor, event.id, 'http://admit-one.test')).toBeNull()
    const stored = async () => ({
      types: await t.db.selectFrom('ticketTypes').selectAll().where('eventId', '=', event.id).orderBy('id').execute(),
      audit: await t.db.selectFrom('auditLog').select('id').where('subjectType', '=', 'ticket_type').execute(),
    })
    const before = await stored()
    const input = {
      name: 'Late',
      priceMinor: 100,
      capacity: 5,
      maxPerOrder: 1,
      salesStartAt: null,
      salesEndAt: null,
      allowReentry: 0,
      hidden: 0,
    }
    const refused = { statusCode: 409, message: 'This event is cancelled: its ticket types can no longer change.' }
    await expect(createTicketType(ctx, actor, standard!.event.id, input).catch(saidAs)).resolves.toMatchObject(refused)
    await expect(updateTicketType(ctx, actor, standard!, input).catch(saidAs)).resolves.toMatchObject(refused)
    await expect(deleteTicketType(ctx, actor, student!).catch(saidAs)).resolves.toMatchObject(refused)
    expect(await stored()).toEqual(before)
  })
})
