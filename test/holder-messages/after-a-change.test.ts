import { expect, it } from 'vitest'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs } from '../helpers/login.js'
import { placeOrder } from '../helpers/orders.js'
import { useTestApp } from '../helpers/app.js'
import { eventFields, expectRedirect } from '../events/support.js'
import { holderOutboxCount } from './support.js'

describeEachDatabase('writing to ticket holders after the event moved', (kind) => {
  const t = useTestApp(kind)

  /** An event on 12 June 2099, 19:00 to 22:00 in Berlin at the Old Hall, with two orders, and its owner logged in. */
  async function soldEvent(title: string) {
    const { browser, user } = await loginAs(t, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, user.id, {
      title,
      venue: 'Old Hall',
      timeZone: 'Europe/Berlin',
      startsAt: Date.UTC(2099, 5, 12, 17, 0),
      endsAt: Date.UTC(2099, 5, 12, 20, 0),
    })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2 })
    const url = `/edit-event/${event.id}`
    const edit = (overrides: Record<string, string>) =>
      browser.submit(
        url,
        url,
        eventFields({ title, venue: 'Old Hall', startsAt: '2099-06-12T19:00', endsAt: '2099-06-12T22:00', ...overrides }),
      )
    return { browser, event, url, edit }
  }

  const moved = { venue: 'New Hall', startsAt: '2099-06-13T20:00', endsAt: '2099-06-13T23:00' }

  it('offers a note to follow the automatic message of the change, not the change a second time', async () => {
    const { browser, event, url, edit } = await soldEvent('Moved Concert')
    expectRedirect(await edit({ ...moved, notifyTicketHolders: '1' }), `${url}?moved=told`)
    const page = await browser.get(`${url}?moved=told`)
    expect(page.body).toContain('The date, time or venue changed')
    expect(page.body).toContain('Each ticket holder is being sent the new details, and the old, by mail.')
    expect(page.body).toContain(
      `<a class="button button--secondary" href="/events/${event.id}/messages/new?about=change">Write a note to ticket holders</a>`,
    )

    const form = await browser.get(`/events/${event.id}/messages/new?about=change`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(
      '2 ticket holders were sent the new date, time and venue, and the old, by the automatic message of the change.',
    )
    expect(form.body).toContain('value="More about the change to Moved Concert"')
    expect(form.body).toContain(
      '>Further to our message about the change to Moved Concert, now on Sat, 13 Jun 2099, 20:00 CEST at New Hall:',
    )
    expect(form.body).not.toContain('Before:')
    // The offer writes nothing by itself: the automatic message is the only one so far.
    expect(await holderOutboxCount(t.db)).toBe(0)
    const automatic = await t.db.selectFrom('outbox').select('kind').where('kind', '=', 'event-changed').execute()
    expect(automatic).toHaveLength(2)
  })

  it('offers to tell ticket holders of the change, filled in with it, when the automatic message was turned off', async () => {
    const { browser, event, url, edit } = await soldEvent('Quiet Move')
    expectRedirect(await edit(moved), `${url}?moved=untold`)
    const page = await browser.get(`${url}?moved=untold`)
    expect(page.body).toContain('Ticket holders were not told of the change.')
    expect(page.body).toContain(`href="/events/${event.id}/messages/new?about=change">Tell ticket holders</a>`)

    const form = await browser.get(`/events/${event.id}/messages/new?about=change`)
    expect(form.body).toContain('value="Changed: Quiet Move"')
    expect(form.body).toContain('Now: Sat, 13 Jun 2099, 20:00 CEST to Sat, 13 Jun 2099, 23:00 CEST, New Hall')
    expect(form.body).toContain('Before: Fri, 12 Jun 2099, 19:00 CEST to Fri, 12 Jun 2099, 22:00 CEST, Old Hall')
    expect(form.body).not.toContain('by the automatic message of the change')
  })

  it('offers nothing after an edit that leaves the date, time and venue, nor for an event without ticket holders', async () => {
    const { browser, event, url, edit } = await soldEvent('Renamed')
    expectRedirect(await edit({ title: 'Renamed Again', notifyTicketHolders: '1' }), url)
    expect((await browser.get(url)).body).not.toContain('The date, time or venue changed')
    // A change that moved nothing leaves the form blank, whatever the link says.
    const form = await browser.get(`/events/${event.id}/messages/new?about=change`)
    expect(form.body).toContain('id="f-subject" name="subject" type="text" value=""')

    const owner = await loginAs(t, 'organiser')
    const { event: unsold } = await createEvent(t.db, owner.user.id, { title: 'Nobody Coming' })
    expect((await owner.browser.get(`/edit-event/${unsold.id}?moved=told`)).body).not.toContain('The date, time or venue changed')
  })
})
