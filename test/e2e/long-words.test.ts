import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { MailComposer } from '../../src/features/mail/mail.messages.js'
import { placeOrder } from '../../src/features/purchase/purchase.service.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { joinWaitingList } from '../../src/features/waiting-list/waiting-list.service.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodeOf } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createPersonas, createUser } from '../helpers/personas.js'

/** A word with no place to break, as pasted by someone who means a URL, a hash or nothing at all. */
function longWord(stem: string): string {
  return stem.repeat(Math.ceil(10_000 / stem.length)).slice(0, 10_000)
}

const PHONE = { width: 390, height: 844 }

/**
 * The outermost elements that reach past the right edge of the screen, each
 * named by its tag and classes: what a failure shows, so that it says where.
 * An element inside a box that scrolls sideways is that box's business.
 */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const edge = document.documentElement.clientWidth
    const scrolls = (element: Element) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(element).overflowX)
    const found: string[] = []
    const walk = (element: Element) => {
      if (element.getBoundingClientRect().right > edge + 1) {
        found.push(`${element.tagName.toLowerCase()}${[...element.classList].map((name) => `.${name}`).join('')}`)
        return
      }
      if (element !== document.documentElement && element !== document.body && scrolls(element)) return
      for (const child of element.children) walk(child)
    }
    walk(document.body)
    return found
  })
}

/**
 * Lines of text wider than the screen, inside a box that scrolls sideways or not: each named by
 * the element that holds the text. A long word that wraps makes none.
 */
function linesWiderThanScreen(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found = new Set<string>()
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    const range = document.createRange()
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // Text for screen readers only is clipped to a pixel, whatever its length.
      if (node.parentElement!.closest('.visually-hidden')) continue
      range.selectNodeContents(node)
      if ([...range.getClientRects()].some((line) => line.width > document.documentElement.clientWidth)) {
        const holder = node.parentElement!
        found.add(`${holder.tagName.toLowerCase()}${[...holder.classList].map((name) => `.${name}`).join('')}`)
      }
    }
    return [...found]
  })
}

async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth)
}

describeInBrowser(
  'long words on a phone',
  (kind) => {
    const t = useBrowserApp(kind)
    let people: Awaited<ReturnType<typeof createPersonas>>
    let buyer: Persona
    let eventId: number
    let longTypeId: number
    let order: { id: number; code: string; accessKey: string }

    beforeAll(async () => {
      people = await createPersonas(t.db)
      buyer = await createUser(t.db, 'attendee', { name: longWord('Bartholomew') })
      const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, {
        title: longWord('Quayside'),
        description: `Two sets by the water. ${longWord('https://example.test/')}\n\nDoors at seven.`,
        venue: longWord('Armazém'),
        ticketTypes: [
          { name: longWord('Balcony'), capacity: 2, maxPerOrder: 2 },
          { name: 'Standard', capacity: 100 },
        ],
      })
      eventId = event.id
      longTypeId = ticketTypes[0]!.id
      await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
      // Straight through the purchase: the buy form takes names of at most 100 characters, the database any.
      const buyerEmail = `${'b'.repeat(64)}@${'long-domain-name-'.repeat(10)}example.test`
      const placed = await placeOrder(t.db, {
        cart: {
          eventId: event.id,
          quantities: new Map([[longTypeId, 2]]),
          seen: { currency: 'EUR', prices: new Map([[longTypeId, ticketTypes[0]!.priceMinor]]) },
          formKey: randomUUID(),
        },
        buyer: { name: buyer.name, email: buyerEmail, browser: null },
        actor: { userId: buyer.id, label: buyerEmail, isAdmin: false, ip: null },
        settings: { currency: 'EUR', maxTicketsPerOrder: 10, siteUrl: t.origin },
        channel: { kind: 'online' },
      })
      const { accessKey } = await t.db.selectFrom('orders').select('accessKey').where('id', '=', placed.id).executeTakeFirstOrThrow()
      order = { id: placed.id, code: placed.code, accessKey }
      await joinWaitingList(t.db, {
        eventId: event.id,
        ticketTypeId: longTypeId,
        name: longWord('Wilhelmina'),
        email: 'wes@example.test',
        quantity: 1,
        siteUrl: t.origin,
      })
    })

    async function phonePage(persona?: Persona): Promise<Page> {
      const page = await t.newPage({ viewport: PHONE })
      if (persona) await logIn(page, persona)
      return page
    }

    const visit = (path: string, persona?: () => Persona) => async () => {
      const page = await phonePage(persona?.())
      const response = await page.goto(path)
      expect(response?.status(), path).toBeLessThan(500)
      return page
    }
    const organiser = () => people.organiser

    /** The HTML part of the first message of this kind, as a phone shows it. */
    async function mailPage(kind: string): Promise<Page> {
      const row = await t.db.selectFrom('outbox').selectAll().where('kind', '=', kind).orderBy('id').executeTakeFirstOrThrow()
      const mail = await new MailComposer(t.db, false, 'tickets@admit-one.test').compose(row, await getSiteSettings(t.db))
      const page = await phonePage()
      await page.setContent(mail.html)
      return page
    }

    const pages: [string, () => Promise<Page>][] = [
      ['home', visit('/')],
      ['browse', visit('/attendee')],
      ['event', () => visit(`/event/${eventId}`)()],
      ['buy form', () => visit(`/buy-tickets/${eventId}`)()],
      [
        'buy form sent with mistakes',
        async () => {
          const page = await visit(`/buy-tickets/${eventId}`)()
          await page.getByLabel('Name').fill(buyer.name)
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Buy tickets' }).click()])
          return page
        },
      ],
      ['join the waiting list', () => visit(`/event/${eventId}/waiting-list?type=${longTypeId}`)()],
      ['order', () => visit(`/orders/${order.code}?key=${order.accessKey}`)()],
      ['cancel the order', () => visit(`/orders/${order.code}/cancel?key=${order.accessKey}`)()],
      ['my tickets', () => visit('/my-tickets', () => buyer)()],
      ['organiser dashboard', visit('/organiser', organiser)],
      ['admin dashboard', visit('/organiser', () => people.admin)],
      ['event management', () => visit(`/edit-event/${eventId}`, organiser)()],
      ['preview', () => visit(`/events/${eventId}/preview`, organiser)()],
      ['edit a ticket type', () => visit(`/ticket-types/${longTypeId}/edit`, organiser)()],
      ['cancel the event', () => visit(`/events/${eventId}/cancel`, organiser)()],
      ['delete the event', () => visit(`/events/${eventId}/delete`, organiser)()],
      ['orders', () => visit(`/events/${eventId}/orders`, organiser)()],
      ['waiting list', () => visit(`/events/${eventId}/waiting-list`, organiser)()],
      ['seat map', () => visit(`/events/${eventId}/seat-map`, organiser)()],
      [
        'door staff',
        async () => {
          const page = await visit(`/events/${eventId}/door-staff`, organiser)()
          await page.getByLabel('Email of their account').fill(buyer.email)
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add', exact: true }).click()])
          return page
        },
      ],
      [
        'check-in with an answer',
        async () => {
          const ticket = await t.db
            .selectFrom('tickets')
            .select('id')
            .where('orderId', '=', order.id)
            .orderBy('id')
            .executeTakeFirstOrThrow()
          const page = await visit(`/events/${eventId}/check-in`, organiser)()
          await page.getByLabel('Ticket code').fill(await doorCodeOf(t.db, eventId, ticket.id))
          await page.getByLabel('Ticket code').press('Enter')
          await page.locator('[data-scan-answer]').waitFor()
          return page
        },
      ],
      ['door list', () => visit(`/events/${eventId}/door-list`, organiser)()],
      ['the order confirmation mail', () => mailPage('order-confirmation')],
      ['the waiting list mail', () => mailPage('waiting-list-joined')],
    ]

    it.each(pages)('%s: a 10,000-character word wraps, and the page stays 390 px wide', async (_name, open) => {
      const page = await open()
      expect(await overflowing(page), 'what reaches past the screen').toEqual([])
      expect(await linesWiderThanScreen(page), 'lines wider than the screen').toEqual([])
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width)
    })

    // The admin's tables of users, audit entries and messages scroll sideways in a box of their own.
    it.each([
      ['users', '/users/list-users'],
      ['audit log', '/admin/audit'],
      ['outbox', '/admin/outbox'],
    ])('%s: the page stays 390 px wide', async (_name, path) => {
      const page = await visit(path, () => people.admin)()
      expect(await overflowing(page), 'what reaches past the screen').toEqual([])
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width)
    })
  },
  { sqliteOnly: true },
)
