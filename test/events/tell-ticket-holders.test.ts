import { expect, it } from 'vitest'
import { instantToLocalInput } from '../../src/lib/time.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { useMailApp } from '../helpers/smtp.js'
import { auditDetails, eventFields, expectRedirect } from './support.js'

describeEachDatabase("telling ticket holders of a change of the event's date, time or venue", (kind) => {
  const t = useMailApp(kind)

  /** An event on 12 June 2099, 19:00 to 22:00 in Berlin, with two paid orders and a cancelled one, and its owner logged in. */
  async function soldEvent(title: string) {
    const organiser = await createUser(t.db, 'organiser')
    const browser = new TestBrowser(t.app)
    await browser.login(organiser.email, organiser.password)
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title,
      venue: 'Old Hall',
      timeZone: 'Europe/Berlin',
      startsAt: Date.UTC(2099, 5, 12, 17, 0),
      endsAt: Date.UTC(2099, 5, 12, 20, 0),
    })
    const typeId = ticketTypes[0]!.id
    const buyers = [`ann.${event.id}@example.test`, `bo.${event.id}@example.test`, `cy.${event.id}@example.test`]
    const orders = [
      await placeOrder(t.db, event.id, typeId, { buyerEmail: buyers[0], buyerName: 'Ann' }),
      await placeOrder(t.db, event.id, typeId, { buyerEmail: buyers[1], buyerName: 'Bo', quantity: 2 }),
      await placeOrder(t.db, event.id, typeId, { buyerEmail: buyers[2], status: 'cancelled' }),
    ]
    const fields = (overrides: Record<string, string> = {}) =>
      eventFields({ title, venue: 'Old Hall', startsAt: '2099-06-12T19:00', endsAt: '2099-06-12T22:00', ...overrides })
    return { event, browser, buyers, orders, fields, url: `/edit-event/${event.id}` }
  }

  const changeMessages = (eventId: number) =>
    t.db
      .selectFrom('outbox')
      .select(['recipient', 'data'])
      .where('kind', '=', 'event-changed')
      .where('recipient', 'like', `%.${eventId}@example.test`)
      .orderBy('id')
      .execute()

  it('offers it on the edit form, ticked, once tickets are sold, and not before', async () => {
    const { event, browser, url } = await soldEvent('Offered')
    const page = await browser.get(url)
    expect(page.body).toMatch(/<input type="checkbox" id="f-notifyTicketHolders" name="notifyTicketHolders" value="1"[^>]* checked>/)

    const unsold = await createEvent(t.db, event.ownerId, { title: 'Nothing sold' })
    expect((await browser.get(`/edit-event/${unsold.event.id}`)).body).not.toContain('notifyTicketHolders')
  })

  it('mails the buyer of each paid order, through the outbox, the new details and the old', async () => {
    const { event, browser, buyers, orders, fields, url } = await soldEvent('Moved Concert')
    const response = await browser.submit(
      url,
      url,
      fields({ venue: 'New Hall', startsAt: '2099-06-13T20:00', endsAt: '2099-06-13T23:00', notifyTicketHolders: '1' }),
    )
    // The event's page then offers a note to follow the message (test/holder-messages/after-a-change.test.ts).
    expectRedirect(response, `${url}?moved=told`)

    const queued = await changeMessages(event.id)
    expect(queued.map((row) => row.recipient)).toEqual([buyers[0], buyers[1]])
    expect(JSON.parse(queued[0]!.data)).toEqual({
      orderId: orders[0]!.id,
      siteUrl: 'http://localhost:80',
      was: { startsAt: Date.UTC(2099, 5, 12, 17, 0), endsAt: Date.UTC(2099, 5, 12, 20, 0), timeZone: 'Europe/Berlin', venue: 'Old Hall' },
    })
    expect(await auditDetails(t.db, 'event.updated', event.id)).toMatchObject({ ticketHoldersTold: 2 })

    for (const [i, buyer] of buyers.slice(0, 2).entries()) {
      const mail = (await t.smtp.waitFor(buyer, 2)).find((received) => received.parsed.subject === 'Changed: Moved Concert')
      expect(mail, buyer).toBeDefined()
      const order = await t.db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', orders[i]!.id).executeTakeFirstOrThrow()
      for (const part of [mail!.parsed.text!, mail!.parsed.html as string]) {
        expect(part).toContain(i === 0 ? 'Ann, the organiser changed' : 'Bo, the organiser changed')
        expect(part).toContain('Sat, 13 Jun 2099, 20:00 CEST')
        expect(part).toContain('New Hall')
        expect(part).toContain('Fri, 12 Jun 2099, 19:00 CEST')
        expect(part).toContain('Old Hall')
        expect(part).toContain(`/orders/${order.code}?key=${order.accessKey}`)
      }
    }
    await t.app.mail.runRound()
    expect(
      t.smtp.to(buyers[2]!).map((mail) => mail.parsed.subject),
      'a cancelled order is not told',
    ).not.toContain('Changed: Moved Concert')
  })

  it('tells a change of time zone that moves the event, but not a change that leaves date, time and venue as they were', async () => {
    const { event, browser, fields, url } = await soldEvent('Renamed Only')
    expectRedirect(await browser.submit(url, url, fields({ title: 'Renamed', description: 'New words', notifyTicketHolders: '1' })), url)
    expect(await changeMessages(event.id)).toEqual([])

    expectRedirect(
      await browser.submit(url, url, fields({ title: 'Renamed', timeZone: 'Europe/London', notifyTicketHolders: '1' })),
      `${url}?moved=told`,
    )
    expect(await changeMessages(event.id)).toHaveLength(2)
    const moved = await t.db.selectFrom('events').select(['startsAt', 'timeZone']).where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(instantToLocalInput(moved.startsAt, moved.timeZone)).toBe('2099-06-12T19:00')
  })

  it('tells nobody when the box is unticked, and nothing when the edit is refused', async () => {
    const { event, browser, fields, url } = await soldEvent('Quiet Move')
    expectRedirect(await browser.submit(url, url, fields({ venue: 'Quiet Hall' })), `${url}?moved=untold`)
    expect(await changeMessages(event.id)).toEqual([])

    const refused = await browser.submit(url, url, fields({ venue: 'Small Hall', capacity: '1', notifyTicketHolders: '1' }))
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toMatch(/<input type="checkbox" id="f-notifyTicketHolders"[^>]* checked>/)
    expect(await changeMessages(event.id)).toEqual([])
    expect((await t.db.selectFrom('events').select('venue').where('id', '=', event.id).executeTakeFirstOrThrow()).venue).toBe('Quiet Hall')

    const unticked = await browser.submit(url, url, fields({ venue: 'Small Hall', capacity: '1' }))
    expect(unticked.statusCode).toBe(422)
    expect(unticked.body, 'an unticked box comes back unticked').toMatch(
      /<input type="checkbox" id="f-notifyTicketHolders"[^>]*value="1" aria-describedby="f-notifyTicketHolders-hint">/,
    )
  })
})
