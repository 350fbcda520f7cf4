import { beforeAll, expect, it, vi } from 'vitest'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder, ticketTypeFields, useOrganiser } from './support.js'

// Counts the reads of the settings row: the page's own and the layout's must be one.
vi.mock('../../src/features/settings/settings.repository.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/features/settings/settings.repository.js')>()
  return { ...original, getSiteSettings: vi.fn(original.getSiteSettings) }
})

describeEachDatabase('organiser pages read the site settings once', (kind) => {
  const t = useTestApp(kind)
  const me = useOrganiser(t)
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, me.organiser.id)
    eventId = event.id
    typeId = ticketTypes[0]!.id
    await placeOrder(t.db, event.id, typeId)
  })

  const pages: [string, () => string][] = [
    ['/organiser', () => '/organiser'],
    ['/create-event', () => '/create-event'],
    ['/edit-event/:id', () => `/edit-event/${eventId}`],
    ['/events/:id/ticket-types/new', () => `/events/${eventId}/ticket-types/new`],
    ['/ticket-types/:id/edit', () => `/ticket-types/${typeId}/edit`],
    ['/events/:id/preview', () => `/events/${eventId}/preview`],
    ['/events/:id/orders', () => `/events/${eventId}/orders`],
  ]
  it.each(pages)('GET %s', async (_route, url) => {
    vi.mocked(getSiteSettings).mockClear()
    const response = await me.browser.get(url())
    expect(response.statusCode).toBe(200)
    expect(getSiteSettings).toHaveBeenCalledTimes(1)
  })

  it('a ticket type form sent back with a mistake', async () => {
    const url = `/ticket-types/${typeId}/edit`
    await me.browser.get(url)
    vi.mocked(getSiteSettings).mockClear()
    const response = await me.browser.post(url, ticketTypeFields({ price: 'lots' }))
    expect(response.statusCode).toBe(422)
    expect(getSiteSettings).toHaveBeenCalledTimes(1)
  })
})
