import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createPersonas, type Persona } from '../helpers/personas.js'
import { cancelEvent } from '../../src/features/organiser/event.service.js'
import { describeInBrowser, launchChromium } from '../helpers/chromium.js'
import { liveUrl, sell } from './live-client.js'

const WAIT = { timeout: 10_000 }

// Two browsers on one event: what the issue calls done, driven through real pages and public/live.js.
describeInBrowser('live availability in a browser: public/live.js', (kind) => {
  const t = useTestApp(kind)
  let origin: string
  let browser: Browser
  let ownerId: number
  const problems: string[] = []

  beforeAll(async () => {
    origin = (await liveUrl(t.app)).replace('ws://', 'http://').replace('/live', '')
    ownerId = (await createPersonas(t.db)).organiser.id
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
  })

  afterEach(() => {
    expect(problems.splice(0), 'script errors in the pages').toEqual([])
  })

  /** A page in a browser of its own (its own cookies), whose script errors fail the test. */
  async function newPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage()
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      // Browsers ask for /favicon.ico by themselves; the site has none.
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) problems.push(message.text())
    })
    return page
  }

  async function loggedInPage(person: Persona): Promise<Page> {
    const page = await newPage()
    await page.goto(`${origin}/login`)
    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password').fill(person.password)
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()])
    return page
  }

  /** A new page that has received its first live state. */
  async function open(path: string): Promise<Page> {
    const page = await newPage()
    await page.goto(origin + path)
    await page.waitForSelector('[data-live-event][data-live-current]', { state: 'attached', ...WAIT })
    return page
  }

  function text(page: Page, selector: string) {
    return page.locator(selector).first().textContent()
  }

  it("drops the other browser's remaining count when one buys, without a reload", async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ name: 'Standard', capacity: 5, maxPerOrder: 4 }] })
    const typeId = ticketTypes[0]!.id
    const watcher = await open(`/event/${event.id}`)
    const buyer = await open(`/buy-tickets/${event.id}`)
    expect(await text(watcher, `[data-live-remaining="${typeId}"]`)).toBe('5 left')

    await buyer.locator(`[data-live-qty="${typeId}"]`).fill('2')
    await buyer.getByLabel('Name').fill('Bea Buyer')
    await buyer.getByLabel('Email').fill('bea@example.test')
    await Promise.all([buyer.waitForURL(/\/purchase\/success\?order=/), buyer.getByRole('button', { name: 'Buy tickets' }).click()])

    await watcher.waitForFunction((id) => document.querySelector(`[data-live-remaining="${id}"]`)?.textContent === '3 left', typeId, WAIT)
    const row = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', typeId).executeTakeFirstOrThrow()
    expect(row.sold).toBe(2)
  })

  it('disables a quantity that can no longer be met, shows "Sold out", and announces only the sell-out', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, {
      ticketTypes: [
        { name: 'Early bird', capacity: 3, maxPerOrder: 2 },
        { name: 'Standard', capacity: 10, maxPerOrder: 4 },
      ],
    })
    const [early, standard] = [ticketTypes[0]!.id, ticketTypes[1]!.id]
    const buyer = await open(`/buy-tickets/${event.id}`)
    const earlyInput = buyer.locator(`[data-live-qty="${early}"]`)
    expect(await earlyInput.getAttribute('max')).toBe('2')

    await sell(t.app, early, event.id, 2)
    await buyer.waitForFunction((id) => document.querySelector(`[data-live-qty="${id}"]`)?.getAttribute('max') === '1', early, WAIT)
    expect(await earlyInput.isDisabled()).toBe(false)

    await sell(t.app, early, event.id, 1)
    await buyer.waitForFunction(
      (id) => (document.querySelector(`[data-live-qty="${id}"]`) as HTMLInputElement | null)?.disabled,
      early,
      WAIT,
    )
    expect(await buyer.locator(`[data-live-qty="${early}"] + [data-live-note]`).textContent()).toBe('Sold out')
    expect(await buyer.locator(`[data-live-qty="${standard}"]`).isDisabled()).toBe(false)
    expect(await text(buyer, `[data-live-remaining="${early}"]`)).toBe('Sold out')

    const region = buyer.locator('[aria-live="polite"]')
    await buyer.waitForFunction(() => document.querySelector('[aria-live="polite"]')?.textContent !== '', null, WAIT)
    expect(await region.textContent()).toBe('Early bird sold out.')
    expect(await buyer.locator('[aria-live]').count()).toBe(1)
  })

  it('shows a cancellation on the event page and the buy form, and hides the way to buy and the counts', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId)
    await placeOrder(t.db, event.id, ticketTypes[0]!.id)
    const watcher = await open(`/event/${event.id}`)
    const buyer = await open(`/buy-tickets/${event.id}`)
    expect(await watcher.locator('[data-live-buy]').isVisible()).toBe(true)
    expect(await text(watcher, '[data-live-remaining]')).toBe('99 left')

    const actor = { userId: ownerId, label: 'owner@example.test', isAdmin: false, ip: null }
    expect(await cancelEvent({ db: t.db, afterCommit: t.app.afterCommit }, actor, event.id, origin)).toBeNull()

    for (const page of [watcher, buyer]) {
      await page.waitForFunction(() => document.querySelector('[data-live-status]')?.textContent === 'Cancelled', null, WAIT)
      expect(await page.locator('[data-live-status]').isVisible()).toBe(true)
      expect(await page.locator('[data-live-buy]').isVisible()).toBe(false)
      expect(await page.locator('[data-live-remaining]').isVisible(), 'what was left of a cancelled event is not shown').toBe(false)
    }
    expect(await watcher.locator('main').innerText()).not.toMatch(/\d+ left/)
  })

  it("updates the sold counts on the owner's dashboard", async () => {
    const people = await createPersonas(t.db)
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 20 }] })
    const typeId = ticketTypes[0]!.id
    const owner = await loggedInPage(people.organiser)
    await owner.goto(`${origin}/organiser`)
    await owner.waitForSelector('[data-live-event][data-live-current]', { state: 'attached', ...WAIT })
    expect(await text(owner, `[data-live-sold="${typeId}"]`)).toBe('0')

    await sell(t.app, typeId, event.id, 3)

    await owner.waitForFunction((id) => document.querySelector(`[data-live-sold="${id}"]`)?.textContent === '3', typeId, WAIT)
  })

  it("keeps the owner's totals, orders and money due in step with a purchase, and colours a sell-out as a reload would", async () => {
    const people = await createPersonas(t.db)
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, {
      title: 'Two Seat Recital',
      ticketTypes: [{ name: 'Seat', priceMinor: 1500, capacity: 2, maxPerOrder: 2 }],
    })
    const owner = await loggedInPage(people.organiser)
    await owner.goto(`${origin}/organiser`)
    await owner.waitForSelector(`[data-live-event="${event.id}"][data-live-current]`, { state: 'attached', ...WAIT })
    const watcher = await open('/attendee')
    const buyer = await open(`/buy-tickets/${event.id}`)

    await buyer.locator(`[data-live-qty="${ticketTypes[0]!.id}"]`).fill('2')
    await buyer.getByLabel('Name').fill('Bea Buyer')
    await buyer.getByLabel('Email').fill('bea@example.test')
    await Promise.all([buyer.waitForURL(/\/purchase\/success\?order=/), buyer.getByRole('button', { name: 'Buy tickets' }).click()])

    const card = owner.locator(`[data-live-event="${event.id}"]`)
    await owner.waitForFunction(
      (id) => document.querySelector(`[data-live-event="${id}"] [data-live-orders]`)?.textContent === '1 order',
      event.id,
      WAIT,
    )
    expect(await card.locator('[data-live-sold-total]').textContent()).toBe('2')
    // Bought to be paid at the door: money due there, none received yet.
    expect(await card.locator('[data-live-revenue]').textContent()).toBe('€0.00')
    expect(await card.locator('[data-live-due-at-door]').textContent()).toBe('€30.00')
    expect(await card.locator('[data-live-awaiting]').textContent()).toBe('€0.00')
    expect(await card.locator('[data-live-status]').textContent()).toBe('Sold out')

    const badge = `[data-live-event="${event.id}"] [data-live-status]`
    await watcher.waitForFunction((selector) => document.querySelector(selector)?.textContent === 'Sold out', badge, WAIT)
    const colours = (page: Page) =>
      page.locator(badge).evaluate((element) => [getComputedStyle(element).color, getComputedStyle(element).backgroundColor])
    const live = await colours(watcher)
    await watcher.reload()
    expect(await watcher.locator(badge).textContent()).toBe('Sold out')
    expect(live, 'the badge coloured live as after a reload').toEqual(await colours(watcher))
  })

  it("stops the owner's figures when an admin disables the account, and the page goes on as a visitor's", async () => {
    const people = await createPersonas(t.db)
    const { event, ticketTypes } = await createEvent(t.db, people.organiser.id, { ticketTypes: [{ capacity: 6 }] })
    const typeId = ticketTypes[0]!.id
    const owner = await loggedInPage(people.organiser)
    const frames: string[] = []
    owner.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))))
    await owner.goto(`${origin}/event/${event.id}`)
    await expect.poll(() => frames.join(), WAIT).toContain('"sold":0')

    const admin = new TestBrowser(t.app)
    await admin.login(people.admin.email, people.admin.password)
    expect((await admin.submit('/users/list-users', `/users/${people.organiser.id}/disable`)).statusCode).toBe(303)
    const seen = frames.length
    await sell(t.app, typeId, event.id, 2)

    // The socket opened as the owner is closed; the one the script opens next is anonymous.
    await owner.waitForFunction((id) => document.querySelector(`[data-live-remaining="${id}"]`)?.textContent === '4 left', typeId, WAIT)
    expect(frames.slice(seen).join()).not.toMatch(/"sold"|"revenue/)
    const row = await t.db.selectFrom('users').select('status').where('id', '=', people.organiser.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('disabled')
  })

  it('reconnects after the connection drops and shows what changed meanwhile', async () => {
    const { event, ticketTypes } = await createEvent(t.db, ownerId, { ticketTypes: [{ capacity: 9 }] })
    const typeId = ticketTypes[0]!.id
    const watcher = await open(`/event/${event.id}`)

    for (const socket of t.app.websocketServer.clients) socket.terminate()
    await sell(t.app, typeId, event.id, 4)

    await watcher.waitForFunction((id) => document.querySelector(`[data-live-remaining="${id}"]`)?.textContent === '5 left', typeId, WAIT)
  })
})
