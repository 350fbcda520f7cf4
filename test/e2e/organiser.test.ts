import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInBrowser, useBrowserApp } from '../helpers/chromium.js'

const NEXT_YEAR = new Date().getUTCFullYear() + 1

async function addTicketType(page: Page, type: { name: string; price: string; capacity: string; maxPerOrder: string }) {
  await page.getByRole('link', { name: 'Add a ticket type' }).click()
  await page.getByRole('heading', { name: 'New ticket type' }).waitFor()
  await page.getByLabel('Name', { exact: true }).fill(type.name)
  await page.getByLabel('Price (EUR)').fill(type.price)
  await page.getByLabel('Capacity', { exact: true }).fill(type.capacity)
  await page.getByLabel('Most per order').fill(type.maxPerOrder)
  await Promise.all([page.waitForURL(/\/edit-event\/\d+/), page.getByRole('button', { name: 'Add ticket type' }).click()])
  await page
    .getByRole('status')
    .filter({ hasText: `Ticket type “${type.name}” added.` })
    .waitFor()
}

describeInBrowser('an organiser in a browser', (kind) => {
  const t = useBrowserApp(kind)

  it('registers, creates an event with two ticket types, schedules it, then publishes it now', async () => {
    const page = await t.newPage()
    await page.goto('/')
    await page.getByRole('link', { name: 'Sign up' }).click()
    await page.getByLabel('Your name').fill('Olive Organiser')
    await page.getByLabel('Email').fill('olive@example.test')
    await page.getByLabel('Password').fill('organising since 2020')
    await page.getByLabel('I want to organise events').check()
    await Promise.all([page.waitForURL('**/organiser'), page.getByRole('button', { name: 'Create account' }).click()])

    await page.getByRole('link', { name: 'New event' }).click()
    await page.getByLabel('Title', { exact: true }).fill('Harbour Lights Festival')
    await page.getByLabel('Description', { exact: true }).fill('Three stages on the quay.\n\nFood trucks from six o’clock.')
    await page.getByLabel('Venue', { exact: true }).fill('North Quay, Lisbon')
    await page.getByLabel('Time zone', { exact: true }).selectOption('Europe/Lisbon')
    await page.getByLabel('Starts', { exact: true }).fill(`${NEXT_YEAR}-06-12T18:00`)
    await page.getByLabel('Ends', { exact: true }).fill(`${NEXT_YEAR}-06-12T23:30`)
    await Promise.all([page.waitForURL(/\/edit-event\/\d+/), page.getByRole('button', { name: 'Save draft' }).click()])
    const eventId = Number(/\/edit-event\/(\d+)/.exec(page.url())![1])
    await page.getByRole('status').filter({ hasText: 'Draft saved.' }).waitFor()

    await addTicketType(page, { name: 'Day pass', price: '35', capacity: '400', maxPerOrder: '6' })
    await addTicketType(page, { name: 'Front row', price: '79.50', capacity: '40', maxPerOrder: '2' })

    await page.getByLabel('At a set time (below)').check()
    await page.getByLabel('Goes on sale at').fill(`${NEXT_YEAR}-03-01T10:00`)
    await Promise.all([page.waitForURL(`**/edit-event/${eventId}`), page.getByRole('button', { name: 'Publish' }).click()])
    await page.getByRole('status').filter({ hasText: 'Scheduled: the event goes on sale' }).waitFor()
    const scheduled = await t.db.selectFrom('events').select(['status', 'publishedAt']).where('id', '=', eventId).executeTakeFirstOrThrow()
    expect(scheduled.status).toBe('published')
    expect(scheduled.publishedAt).toBe(Date.UTC(NEXT_YEAR, 2, 1, 10, 0))

    const visitor = await t.newPage()
    expect((await visitor.goto(`/event/${eventId}`))?.status(), 'scheduled events are not public yet').toBe(404)

    // The form shows the schedule as it stands: pressing its button as it is keeps the event scheduled.
    expect(await page.getByLabel('At a set time (below)').isChecked()).toBe(true)
    expect(await page.getByLabel('Now', { exact: true }).isChecked()).toBe(false)
    expect(await page.getByLabel('Goes on sale at').inputValue()).toBe(`${NEXT_YEAR}-03-01T10:00`)
    await Promise.all([page.waitForURL(`**/edit-event/${eventId}`), page.getByRole('button', { name: 'Publish or reschedule' }).click()])
    await page.getByRole('status').filter({ hasText: 'Scheduled: the event goes on sale' }).waitFor()
    expect(await t.db.selectFrom('events').select('publishedAt').where('id', '=', eventId).executeTakeFirstOrThrow()).toEqual({
      publishedAt: Date.UTC(NEXT_YEAR, 2, 1, 10, 0),
    })

    await page.getByLabel('Now', { exact: true }).check()
    await Promise.all([page.waitForURL(`**/edit-event/${eventId}`), page.getByRole('button', { name: 'Publish or reschedule' }).click()])
    await page.getByRole('status').filter({ hasText: 'Published: the event is on sale now.' }).waitFor()

    await page.getByRole('link', { name: 'Your events' }).click()
    const card = page.locator('.dashboard-event', { hasText: 'Harbour Lights Festival' })
    expect(await card.locator('.status-badge').textContent()).toBe('On sale')

    expect((await visitor.goto(`/event/${eventId}`))?.status()).toBe(200)
    const rows = visitor.locator('.ticket-table tbody tr')
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/Day pass.*€35\.00.*400 left/s),
      expect.stringMatching(/Front row.*€79\.50.*40 left/s),
    ])

    const event = await t.db
      .selectFrom('events')
      .innerJoin('users', 'users.id', 'events.ownerId')
      .select(['users.email', 'events.timeZone', 'events.startsAt'])
      .where('events.id', '=', eventId)
      .executeTakeFirstOrThrow()
    expect(event).toEqual({ email: 'olive@example.test', timeZone: 'Europe/Lisbon', startsAt: Date.UTC(NEXT_YEAR, 5, 12, 17, 0) })
    const types = await t.db
      .selectFrom('ticketTypes')
      .select(['name', 'priceMinor', 'capacity', 'maxPerOrder'])
      .where('eventId', '=', eventId)
      .orderBy('id')
      .execute()
    expect(types).toEqual([
      { name: 'Day pass', priceMinor: 3500, capacity: 400, maxPerOrder: 6 },
      { name: 'Front row', priceMinor: 7950, capacity: 40, maxPerOrder: 2 },
    ])
  })
})
