import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { axeProblems } from '../helpers/axe.js'
import { placeOrder } from '../helpers/orders.js'
import { cancelEvent } from '../../src/features/organiser/event.service.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { joinWaitingList } from '../../src/features/waiting-list/waiting-list.service.js'
import { type Persona, createPersonas } from '../helpers/personas.js'

/** Every message next to a field is named by that field's aria-describedby, and every summary link leads to a field. */
function errorsNotTiedToFields(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = []
    const describedBy = (element: Element) => (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    const referenced = new Set([...document.querySelectorAll('[aria-describedby]')].flatMap(describedBy))
    for (const message of document.querySelectorAll('.field-error')) {
      if (!message.id || !referenced.has(message.id)) problems.push(`no field names the message “${message.textContent?.trim()}”`)
    }
    for (const field of document.querySelectorAll('[aria-invalid="true"]')) {
      const messages = describedBy(field).filter((id) => document.getElementById(id)?.classList.contains('field-error'))
      if (messages.length === 0) problems.push(`#${field.id} is invalid but names no message`)
    }
    for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-error-summary] a[href^="#"]')) {
      if (!document.getElementById(link.hash.slice(1))) problems.push(`the summary link ${link.hash} leads nowhere`)
    }
    return problems
  })
}

async function focusedIsErrorSummary(page: Page): Promise<boolean> {
  return page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary') ?? false)
}

/** Submits the page's form with the button named `button` and waits for the answer to render. */
async function submit(page: Page, button: string) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()])
}

describeInBrowser(
  'accessibility of the main pages',
  (kind) => {
    const t = useBrowserApp(kind)
    let people: Awaited<ReturnType<typeof createPersonas>>
    let eventId: number
    let soldOut: { eventId: number; typeId: number }
    let cancelledId: number

    beforeAll(async () => {
      people = await createPersonas(t.db)
      const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, {
        title: 'Quayside Jazz Night',
        description: 'Two sets by the water.\n\nDoors at seven.',
        ticketTypes: [
          { name: 'Standard', priceMinor: 2500, capacity: 50 },
          { name: 'Student', priceMinor: 1500, capacity: 3 },
        ],
      })
      eventId = event.id
      // Orders with payments to show and forms to act on: one to be paid at the door, one paid there.
      await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: 'Dora Door' })
      const paid = await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: 'Pia Paid', quantity: 2 })
      const organiser = { userId: people.organiser.id, label: people.organiser.email, isAdmin: false, ip: null }
      await recordPaymentByHand(t.db, paid.id, 'at-door', organiser)
      await createEvent(t.db, people.organiser.id, { title: 'Harbour Market', status: 'draft' })
      soldOut = await soldOutWithWaitingList(t, people.organiser.id)
      const rainedOff = await createEvent(t.db, people.organiser.id, { title: 'Rained Off Regatta' })
      await placeOrder(t.db, rainedOff.event.id, rainedOff.ticketTypes[0]!.id)
      await cancelEvent(
        { db: t.db, afterCommit: t.app.afterCommit },
        { userId: people.organiser.id, label: people.organiser.email, isAdmin: false, ip: null },
        rainedOff.event.id,
        t.origin,
      )
      cancelledId = rainedOff.event.id
    })

    async function pageAs(app: BrowserApp, persona?: Persona): Promise<Page> {
      const page = await app.newPage({ bypassCSP: true })
      if (persona) await logIn(page, persona)
      return page
    }

    /** The buy form sent with no ticket chosen, as the 422 page renders it. */
    async function buyWithErrors(): Promise<Page> {
      const page = await pageAs(t)
      await page.goto(`/buy-tickets/${eventId}`)
      await page.getByLabel('Email').fill('not an email')
      await submit(page, 'Buy tickets')
      return page
    }

    /** The order page right after a purchase. */
    async function bought(): Promise<Page> {
      const page = await pageAs(t)
      await page.goto(`/buy-tickets/${eventId}`)
      await page.getByLabel('Standard').fill('2')
      await page.getByLabel('Name').fill('Bea Buyer')
      await page.getByLabel('Email').fill('bea@example.test')
      await submit(page, 'Buy tickets')
      return page
    }

    const pages: [string, () => Promise<Page>][] = [
      ['home', async () => visit(await pageAs(t), '/')],
      ['browse', async () => visit(await pageAs(t), '/attendee?q=jazz')],
      ['event', async () => visit(await pageAs(t), `/event/${eventId}`)],
      ['buy', async () => visit(await pageAs(t), `/buy-tickets/${eventId}`)],
      ['buy with errors', buyWithErrors],
      ['success with QR codes', bought],
      [
        'cancel an order',
        async () => {
          const page = await bought()
          await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Cancel this order…' }).click()])
          return page
        },
      ],
      ['sold-out event with a waiting list', async () => visit(await pageAs(t), `/event/${soldOut.eventId}`)],
      ['join the waiting list', async () => visit(await pageAs(t), `/event/${soldOut.eventId}/waiting-list?type=${soldOut.typeId}`)],
      ['waiting list of an event', async () => visit(await pageAs(t, people.organiser), `/events/${soldOut.eventId}/waiting-list`)],
      ['login', async () => visit(await pageAs(t), '/login')],
      ['register', async () => visit(await pageAs(t), '/register')],
      ['cancelled event', async () => visit(await pageAs(t), `/event/${cancelledId}`)],
      ['organiser dashboard', async () => visit(await pageAs(t, people.organiser), '/organiser')],
      ['event management', async () => visit(await pageAs(t, people.organiser), `/edit-event/${eventId}`)],
      [
        'orders, with their payment forms open',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), `/events/${eventId}/orders`)
          for (const summary of await page.locator('.order-actions summary').all()) await summary.click()
          return page
        },
      ],
      ['event management, tickets sold', async () => visit(await pageAs(t, people.organiser), `/edit-event/${soldOut.eventId}`)],
      ['delete a ticket type', async () => visit(await pageAs(t, people.organiser), `/ticket-types/${soldOut.typeId}/delete`)],
      [
        'event details with errors',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), `/edit-event/${soldOut.eventId}`)
          await page.getByLabel('Venue', { exact: true }).fill('')
          await submit(page, 'Save changes')
          return page
        },
      ],
      [
        'door staff with errors',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), `/events/${eventId}/door-staff`)
          await submit(page, 'Make a link')
          return page
        },
      ],
      [
        'event form with errors',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), '/create-event')
          await submit(page, 'Save draft')
          return page
        },
      ],
      ['site settings', async () => visit(await pageAs(t, people.admin), '/site-settings')],
      ['users list', async () => visit(await pageAs(t, people.admin), '/users/list-users')],
      ['audit log', async () => visit(await pageAs(t, people.admin), '/admin/audit')],
    ]

    it.each(pages)('%s: axe finds nothing serious or critical, light or dark', async (_name, open) => {
      expect(await axeProblems(await open())).toEqual([])
    })

    it.each(pages)('%s: fits a phone, with nothing that scrolls the page sideways', async (_name, open) => {
      const page = await open()
      await page.setViewportSize({ width: 390, height: 844 })
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
      expect(widths.page, 'page width at a 390 px viewport').toBeLessThanOrEqual(widths.screen)
    })

    it.each([
      ['buy', buyWithErrors],
      [
        'event form',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), '/create-event')
          await page.getByLabel('Title', { exact: true }).fill('Late Show')
          await submit(page, 'Save draft')
          return page
        },
      ],
      [
        'waiting list',
        async () => {
          const page = await visit(await pageAs(t), `/event/${soldOut.eventId}/waiting-list?type=${soldOut.typeId}`)
          await page.getByLabel('Email').fill('nobody')
          await submit(page, 'Join the waiting list')
          return page
        },
      ],
      [
        'event details',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), `/edit-event/${soldOut.eventId}`)
          await page.getByLabel('An offer expires after (hours)').fill('0')
          await submit(page, 'Save changes')
          return page
        },
      ],
      [
        'door staff',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), `/events/${eventId}/door-staff`)
          await page.getByLabel('Email of their account').fill('nobody')
          await submit(page, 'Add')
          return page
        },
      ],
      [
        'publishing',
        async () => {
          const { event } = await createEvent(t.db, people.organiser.id, { title: 'Dockside Poetry', status: 'draft' })
          const page = await visit(await pageAs(t, people.organiser), `/edit-event/${event.id}`)
          await page.getByLabel('At a set time (below)').check()
          await submit(page, 'Publish')
          return page
        },
      ],
      [
        'register',
        async () => {
          const page = await visit(await pageAs(t), '/register')
          await page.getByLabel('Password').fill('short')
          await submit(page, 'Create account')
          return page
        },
      ],
      [
        'site settings',
        async () => {
          const page = await visit(await pageAs(t, people.admin), '/site-settings')
          await page.getByLabel('Site name').fill('')
          await page.getByLabel('Contact email').fill('nobody')
          await submit(page, 'Save settings')
          return page
        },
      ],
      [
        'login',
        async () => {
          const page = await visit(await pageAs(t), '/login')
          await page.getByLabel('Email').fill(people.attendee.email)
          await page.getByLabel('Password').fill('not the password')
          await submit(page, 'Log in')
          return page
        },
      ],
      [
        'event form without a way to pay',
        async () => {
          const page = await visit(await pageAs(t, people.organiser), '/create-event')
          await page.getByLabel('Title', { exact: true }).fill('Late Show')
          await page.getByLabel('Pay at the door').uncheck()
          await submit(page, 'Save draft')
          return page
        },
      ],
    ])('%s sent with mistakes: focus on the error summary, each message tied to its field', async (_name, open) => {
      const page = await open()
      expect(await page.locator('[data-error-summary]').count()).toBeGreaterThan(0)
      expect(await focusedIsErrorSummary(page)).toBe(true)
      expect(await errorsNotTiedToFields(page)).toEqual([])
    })

    it('a link in the error summary puts the focus in its field', async () => {
      const page = await buyWithErrors()
      await page.locator('[data-error-summary]').getByRole('link', { name: 'Enter an email address like name@example.com.' }).click()
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-email')
      await page.locator('[data-error-summary]').getByRole('link', { name: 'Choose at least one ticket.' }).click()
      const firstQuantity = await page.locator('[data-live-qty]').first().getAttribute('id')
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(firstQuantity)
    })

    it('buys with the keyboard alone, and every stop on the way shows where the focus is', async () => {
      const page = await t.newPage()
      await page.goto(`/buy-tickets/${eventId}`)
      const unseen: string[] = []
      /** Presses Tab until the focus reaches `selector`, noting any stop without a visible focus indicator. */
      async function tabTo(selector: string) {
        for (let presses = 0; presses < 30; presses += 1) {
          await page.keyboard.press('Tab')
          const stop = await page.evaluate((wanted) => {
            const element = document.activeElement as HTMLElement
            const style = getComputedStyle(element)
            const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'
            return { reached: element.matches(wanted), visible, name: element.id || element.textContent?.trim() || element.tagName }
          }, selector)
          if (!stop.visible) unseen.push(stop.name)
          if (stop.reached) return
        }
        throw new Error(`Tab never reached ${selector}`)
      }

      await tabTo('.skip-link')
      expect(await page.locator('.skip-link').isVisible(), 'the skip link shows when focused').toBe(true)
      await tabTo('[data-live-qty]')
      await page.keyboard.type('2')
      await tabTo('#f-name')
      await page.keyboard.type('Kim Keys')
      await tabTo('#f-email')
      await page.keyboard.type('kim@example.test')
      await tabTo('button[type="submit"]:not(.link-button)')
      await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.keyboard.press('Enter')])
      expect(unseen, 'focus stops without a visible indicator').toEqual([])

      const order = await t.db.selectFrom('orders').select('buyerName').where('buyerName', '=', 'Kim Keys').executeTakeFirst()
      expect(order).toBeDefined()
    })
  },
  { sqliteOnly: true },
)

/** A sold-out event with its waiting list on and one person waiting. */
async function soldOutWithWaitingList(t: BrowserApp, ownerId: number) {
  const { event, ticketTypes } = await createEvent(t.db, ownerId, { title: 'Pier Cinema', ticketTypes: [{ name: 'Seat', capacity: 1 }] })
  const typeId = ticketTypes[0]!.id
  await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
  await placeOrder(t.db, event.id, typeId)
  await joinWaitingList(t.db, {
    eventId: event.id,
    ticketTypeId: typeId,
    name: 'Wes Waiting',
    email: 'wes@example.test',
    quantity: 1,
    siteUrl: t.origin,
  })
  return { eventId: event.id, typeId }
}

async function visit(page: Page, path: string): Promise<Page> {
  await page.goto(path)
  return page
}
