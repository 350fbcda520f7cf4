import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { axeProblems } from '../helpers/axe.js'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { makeCode } from '../helpers/codes.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'

/** Clicks the button and waits for the page it leads to. */
async function submit(page: Page, button: string) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button, exact: true }).click()])
}

describeInBrowser('discount and access codes, in the browser', (kind) => {
  const t = useBrowserApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  it('with JavaScript off: the organiser makes a code for a hidden type, its link opens the form with that type and the discount, and buys', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Night Ferry',
      ticketTypes: [
        { name: 'Deck', priceMinor: 2500, capacity: 50, maxPerOrder: 4 },
        { name: 'Crew guests', priceMinor: 2000, capacity: 10, maxPerOrder: 2 },
      ],
    })
    const guests = ticketTypes[1]!
    const desk = await t.newPage({ javaScriptEnabled: false })
    await logIn(desk, organiser)
    await desk.goto(`/ticket-types/${guests.id}/edit`)
    await desk.getByLabel('Hidden unless unlocked by a code').check()
    await submit(desk, 'Save ticket type')
    await Promise.all([desk.waitForNavigation(), desk.getByRole('link', { name: 'Discount and access codes' }).click()])
    await Promise.all([desk.waitForNavigation(), desk.getByRole('link', { name: 'New code' }).click()])
    await desk.getByLabel('Code', { exact: true }).fill('CrewHalf')
    await desk.getByLabel('A percentage off').check()
    await desk.getByLabel('Percentage off (1 to 100)').fill('50')
    await desk.getByLabel('Only the types ticked:').check()
    await desk.getByLabel('Crew guests').check()
    await desk.getByLabel('Most uses (optional)').fill('5')
    await submit(desk, 'Add code')
    await desk.getByText('Code CrewHalf added.').waitFor()
    await Promise.all([desk.waitForNavigation(), desk.getByRole('link', { name: 'Edit CrewHalf' }).click()])
    const link = await desk.locator('a.break').first().getAttribute('href')
    expect(link).toMatch(new RegExp(`/buy-tickets/${event.id}\\?code=CrewHalf$`))

    const buyer = await t.newPage({ javaScriptEnabled: false })
    await buyer.goto(`/event/${event.id}`)
    expect(await buyer.getByText('Crew guests').count()).toBe(0)
    await buyer.goto(new URL(link!).pathname + new URL(link!).search)
    await buyer.getByText('Code CrewHalf applied').waitFor()
    expect(await buyer.locator('.ticket-row', { hasText: 'Crew guests' }).locator('.ticket-row__price').textContent()).toMatch(
      /€10\.00\s*instead of\s*€20\.00/,
    )
    await buyer.getByLabel('Crew guests').fill('2')
    await buyer.getByLabel('Name', { exact: true }).fill('Cora Crew')
    await buyer.getByLabel('Email').fill('cora@example.test')
    await Promise.all([buyer.waitForURL(/\/purchase\/success\?order=/), buyer.getByRole('button', { name: 'Buy tickets' }).click()])
    await buyer.getByText('€20.00 off').waitFor()
    const order = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', 'cora@example.test').executeTakeFirstOrThrow()
    expect(order.totalMinor).toBe(2000)

    // A code typed on the form, wrong, then right: said at the field, the rest of the form kept.
    const other = await t.newPage({ javaScriptEnabled: false })
    await other.goto(`/buy-tickets/${event.id}`)
    await other.getByLabel('Deck').fill('3')
    await other.getByLabel('Name', { exact: true }).fill('Dan Deck')
    await other.getByLabel('Email').fill('dan@example.test')
    await other.getByLabel('Discount or access code (if you have one)').fill('CREWHALFF')
    await submit(other, 'Buy tickets')
    await other
      .locator('[data-error-summary]')
      .getByRole('link', { name: 'There is no such code for this event. Check how it is spelt.' })
      .waitFor()
    expect(await other.getByLabel('Deck').inputValue()).toBe('3')
    expect(await other.getByLabel('Name', { exact: true }).inputValue()).toBe('Dan Deck')
  })
})

describeInBrowser(
  'accessibility of the codes pages',
  (kind) => {
    const t = useBrowserApp(kind)
    let organiser: Persona
    let eventId: number
    let codeId: number

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser')
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
        title: 'Riverside Jazz Weekend with a rather long title that wraps',
        ticketTypes: [
          { name: 'Day pass', priceMinor: 3500 },
          { name: 'Press', priceMinor: 0, capacity: 20 },
        ],
      })
      eventId = event.id
      await t.db.updateTable('ticketTypes').set({ hidden: 1 }).where('id', '=', ticketTypes[1]!.id).execute()
      const code = await makeCode(t.db, event.id, 'EARLYBIRD-2026', { maxUses: 100, validUntil: Date.now() + 30 * 24 * 3600_000 })
      codeId = code.id
      await makeCode(t.db, event.id, 'PRESS-LIST', {
        discount: 'none',
        amount: 0,
        ticketTypeIds: [ticketTypes[1]!.id],
        maxUses: 10,
        countedPer: 'ticket',
        reserved: true,
      })
    })

    async function organiserPage(app: BrowserApp, url: string): Promise<Page> {
      const page = await app.newPage({ bypassCSP: true })
      await logIn(page, organiser)
      await page.goto(url)
      return page
    }

    const pages: [string, () => Promise<Page>][] = [
      ['the codes', () => organiserPage(t, `/events/${eventId}/codes`)],
      ['a new code', () => organiserPage(t, `/events/${eventId}/codes/new`)],
      [
        'a code with errors',
        async () => {
          const page = await organiserPage(t, `/events/${eventId}/codes/new`)
          await page.getByLabel('Code', { exact: true }).fill('two words')
          await page.getByLabel('Keep its tickets aside for its holders').check()
          await submit(page, 'Add code')
          return page
        },
      ],
      ['edit a code', () => organiserPage(t, `/events/${eventId}/codes/${codeId}/edit`)],
      ['generate codes', () => organiserPage(t, `/events/${eventId}/codes/generate`)],
      [
        'the buy form with a code',
        async () => {
          const page = await t.newPage({ bypassCSP: true })
          await page.goto(`/buy-tickets/${eventId}?code=press-list`)
          return page
        },
      ],
      [
        'the buy form with a code refused',
        async () => {
          const page = await t.newPage({ bypassCSP: true })
          await page.goto(`/buy-tickets/${eventId}?code=nothing-like-it`)
          return page
        },
      ],
    ]

    it.each(pages)(
      '%s: axe finds nothing serious or critical at 1280 and 390 px, and nothing scrolls sideways on a phone',
      async (_name, open) => {
        const page = await open()
        await page.setViewportSize({ width: 1280, height: 800 })
        expect(await axeProblems(page), 'at 1280 px').toEqual([])
        await page.setViewportSize({ width: 390, height: 844 })
        expect(await axeProblems(page), 'at 390 px').toEqual([])
        const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
        expect(widths.page, 'page width at a 390 px viewport').toBeLessThanOrEqual(widths.screen)
      },
    )
  },
  { sqliteOnly: true },
)
