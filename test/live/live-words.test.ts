import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

/**
 * live.js writes only words the page gives it (data-live-words): the live
 * messages carry states and numbers. The words are the page's own, so that a
 * page updated live reads like the same page reloaded.
 */
describeEachDatabase('the words a live page gives live.js', (kind) => {
  const t = useTestApp(kind)
  let eventId: number

  beforeAll(async () => {
    const organiser = await createUser(t.db, 'organiser')
    eventId = (await createEvent(t.db, organiser.id)).event.id
  })

  function wordsOf(html: string): Record<string, unknown> {
    const attribute = /<template data-live-words="([^"]*)">/.exec(html)?.[1]
    expect(attribute, 'the page carries its words for live.js').toBeDefined()
    const json = attribute!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
    return JSON.parse(json) as Record<string, unknown>
  }

  it.each(['/', '/attendee', '/event/:id', '/buy-tickets/:id'])(
    '%s gives the counts, statuses and announcements in its language',
    async (url) => {
      const page = await new TestBrowser(t.app).get(url.replace(':id', String(eventId)))
      expect(page.statusCode).toBe(200)
      expect(wordsOf(page.body)).toMatchObject({
        left: { one: '{count} left', other: '{count} left' },
        soldOut: 'Sold out',
        orders: { one: '{count} order', other: '{count} orders' },
        status: { on_sale: 'On sale', sold_out: 'Sold out', cancelled: 'Cancelled', unavailable: 'No longer available' },
        notOnSale: 'Not on sale',
        onSaleAgain: '{name}: tickets are on sale again.',
        statusChanged: '{name}: {status}.',
        typeSoldOut: '{type} sold out.',
        someType: 'A ticket type',
      })
    },
  )

  it.each(['/event/:id', '/buy-tickets/:id'])(
    '%s of a cancelled event gives only what it may still become, no counts: deleted, it says so',
    async (url) => {
      const organiser = await createUser(t.db, 'organiser')
      const { event } = await createEvent(t.db, organiser.id)
      await t.db
        .updateTable('events')
        .set({ status: 'cancelled', cancelledAt: Date.now(), wasPublic: 1 })
        .where('id', '=', event.id)
        .execute()
      const page = await new TestBrowser(t.app).get(url.replace(':id', String(event.id)))
      expect(page.statusCode).toBe(200)
      const words = wordsOf(page.body)
      expect(words).toMatchObject({
        status: { cancelled: 'Cancelled', unavailable: 'No longer available' },
        statusChanged: '{name}: {status}.',
      })
      expect(Object.keys(words)).not.toContain('left')
    },
  )
})
