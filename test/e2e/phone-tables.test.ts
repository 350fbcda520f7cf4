import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { axeProblems } from '../helpers/axe.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createPersonas } from '../helpers/personas.js'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 900 }

/**
 * The links and buttons of the page's tables that cannot be reached on this screen: outside
 * it, and not inside a box of their own that scrolls sideways and that the keyboard can reach
 * and a screen reader can name. Each is named by its text.
 */
function actionsOutOfReach(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const screen = document.documentElement.clientWidth
    const onScreen = (element: Element) => {
      const box = element.getBoundingClientRect()
      return box.left >= 0 && box.right <= screen
    }
    const scrollBoxOf = (element: Element) => {
      for (let box = element.parentElement; box; box = box.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX) && box.scrollWidth > box.clientWidth) return box
      }
      return null
    }
    const found: string[] = []
    for (const action of document.querySelectorAll('main table a, main table button')) {
      if (onScreen(action)) continue
      const box = scrollBoxOf(action)
      const reachable = box !== null && onScreen(box) && box.tabIndex === 0 && box.hasAttribute('aria-label')
      if (!reachable) found.push(action.textContent!.trim())
    }
    return found
  })
}

/** The cells of the page's tables that reach past the screen's edges: what cannot be read without scrolling sideways. */
function cellsOffScreen(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const screen = document.documentElement.clientWidth
    return [...document.querySelectorAll('main tbody th, main tbody td')]
      .filter((cell) => {
        const box = cell.getBoundingClientRect()
        return box.width > 0 && (box.left < 0 || box.right > screen)
      })
      .map((cell) => cell.textContent!.trim().slice(0, 40))
  })
}

describeInBrowser(
  'the organiser’s tables on a phone',
  (kind) => {
    const t = useBrowserApp(kind)
    let people: Awaited<ReturnType<typeof createPersonas>>
    let eventId: number

    beforeAll(async () => {
      people = await createPersonas(t.db)
      const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, {
        title: 'Quayside Jazz Night',
        venue: 'Armazém 16, Cais do Sodré',
        ticketTypes: [
          { name: 'Standard', priceMinor: 2500, capacity: 120, maxPerOrder: 6 },
          { name: 'Student', priceMinor: 1500, capacity: 40, maxPerOrder: 2, salesEndAt: Date.now() + 10 * 86_400_000 },
          { name: 'Table for two', priceMinor: 7000, capacity: 12, maxPerOrder: 1 },
        ],
      })
      eventId = event.id
      const buyers = ['Inês Costa', 'Maximilian Oberhausen-Wittgenstein', 'Amara Okafor']
      for (const [i, buyerName] of buyers.entries()) {
        await placeOrder(t.db, event.id, ticketTypes[i]!.id, { buyerName, buyerEmail: `buyer${i}@example.com`, quantity: 1 })
      }
      // A ticket inside: the orders page offers to undo its check-in.
      const ticket = await t.db.selectFrom('tickets').select('id').orderBy('id').executeTakeFirstOrThrow()
      await t.db
        .updateTable('tickets')
        .set({ checkedInAt: Date.now(), checkedInBy: 'Olive Organiser', checkedInGate: 'River gate' })
        .where('id', '=', ticket.id)
        .execute()
    })

    async function open(path: string, viewport: { width: number; height: number }): Promise<Page> {
      const page = await t.newPage({ viewport, bypassCSP: true })
      await logIn(page, people.organiser)
      await page.goto(path)
      return page
    }

    const pages: [string, () => string, string[]][] = [
      ['event management', () => `/edit-event/${eventId}`, ['Edit', 'Delete']],
      ['orders', () => `/events/${eventId}/orders`, ['Undo check-in']],
      ['door list', () => `/events/${eventId}/door-list`, []],
    ]

    it.each(pages)(
      '%s at 390 px: every action and every cell is on the screen, and the page does not scroll sideways',
      async (_name, path, actions) => {
        const page = await open(path(), PHONE)
        for (const action of actions) expect(await page.locator('main table').getByText(action).count(), action).toBeGreaterThan(0)
        expect(await actionsOutOfReach(page), 'actions out of reach').toEqual([])
        expect(await cellsOffScreen(page), 'cells cut off').toEqual([])
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
      },
    )

    it.each(pages)('%s at 390 px: axe finds nothing serious or critical, light or dark', async (_name, path) => {
      expect(await axeProblems(await open(path(), PHONE))).toEqual([])
    })

    it.each(pages)('%s at 1280 px: still a table, its column headers on show', async (_name, path) => {
      const page = await open(path(), DESKTOP)
      const header = await page.locator('main thead').boundingBox()
      expect(header?.height).toBeGreaterThan(20)
      expect(await cellsOffScreen(page), 'cells cut off').toEqual([])
    })
  },
  { sqliteOnly: true },
)
