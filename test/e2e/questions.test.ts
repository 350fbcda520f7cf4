import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { axeProblems } from '../helpers/axe.js'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { askQuestions } from '../helpers/questions.js'

/** Clicks the button and waits for the page it leads to. */
async function submit(page: Page, button: string) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button, exact: true }).click()])
}

/** Chooses tickets of the first step and goes on to who is coming. */
async function chooseTickets(page: Page, eventId: number, tickets: Record<string, string>) {
  await page.goto(`/buy-tickets/${eventId}`)
  for (const [type, quantity] of Object.entries(tickets)) await page.getByLabel(type, { exact: true }).fill(quantity)
  await page.getByLabel('Name', { exact: true }).fill('Bea Buyer')
  await page.getByLabel('Email').fill('bea@example.test')
  await submit(page, 'Continue')
  await page.getByRole('heading', { name: 'Who is coming' }).waitFor()
}

describeInBrowser('names and questions, in the browser', (kind) => {
  const t = useBrowserApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  it('with JavaScript off: the organiser asks, a buyer answers, a mistake comes back with its message, and the answers show on the order', async () => {
    const { event } = await createEvent(t.db, organiser.id, {
      title: 'Lighthouse Supper',
      ticketTypes: [{ name: 'Seat', priceMinor: 0, capacity: 30, maxPerOrder: 4 }],
    })
    const desk = await t.newPage({ javaScriptEnabled: false })
    await logIn(desk, organiser)
    await desk.goto(`/edit-event/${event.id}`)
    await Promise.all([desk.waitForNavigation(), desk.getByRole('link', { name: 'Names and questions' }).click()])
    await desk.getByLabel('Ask, and require a name for every ticket').check()
    await submit(desk, 'Save')
    await desk.getByText('Saved: a name is required for each ticket.').waitFor()
    await Promise.all([desk.waitForNavigation(), desk.getByRole('link', { name: 'Add a question' }).click()])
    await desk.getByLabel('Question', { exact: true }).fill('Meal')
    await desk.getByLabel('Kind of answer').selectOption({ label: 'One choice' })
    await desk.getByLabel('Choices').fill('Fish\nVegan')
    await desk.getByLabel('Buyers must answer it').check()
    await desk.getByLabel('For each ticket').check()
    await submit(desk, 'Save question')
    await desk.getByText('Question “Meal” added.').waitFor()
    await Promise.all([desk.waitForNavigation(), desk.getByRole('link', { name: 'Add a question' }).click()])
    await desk.getByLabel('Question', { exact: true }).fill('Newsletter')
    await desk.getByLabel('Kind of answer').selectOption({ label: 'Yes or no' })
    await submit(desk, 'Save question')
    await desk.getByText('Question “Newsletter” added.').waitFor()
    // Newsletter first: the order's question moves above the ticket's.
    await submit(desk, 'Move up Newsletter')
    expect(await desk.locator('.questions-table tbody th').allTextContents()).toEqual(['Newsletter', 'MealFish · Vegan'])

    const page = await t.newPage({ javaScriptEnabled: false })
    await chooseTickets(page, event.id, { Seat: '2' })
    const refused = page.waitForResponse((response) => response.url().endsWith(`/purchase/${event.id}`))
    const first = page.getByRole('group', { name: 'Ticket 1: Seat' })
    await first.getByLabel('Name on the ticket').fill('Nora Night')
    await page.getByRole('button', { name: 'Place order' }).click()
    expect((await refused).status()).toBe(422)
    const summary = page.locator('[data-error-summary]')
    await summary.getByRole('link', { name: 'Ticket 2 (Seat): Give the name of who this ticket is for.' }).waitFor()
    await summary.getByRole('link', { name: 'Ticket 1 (Seat): Answer “Meal”.' }).waitFor()
    expect(await first.getByLabel('Name on the ticket').inputValue(), 'what was typed is kept').toBe('Nora Night')

    await first.getByLabel('Meal').selectOption({ label: 'Vegan' })
    const second = page.getByRole('group', { name: 'Ticket 2: Seat' })
    await second.getByLabel('Name on the ticket').fill('Otto Oar')
    await second.getByLabel('Meal').selectOption({ label: 'Fish' })
    await page.getByRole('group', { name: 'Newsletter (optional)' }).getByLabel('Yes').check()
    await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.getByRole('button', { name: 'Place order' }).click()])
    await page.getByRole('heading', { name: 'Thank you, your tickets are booked' }).waitFor()
    const tickets = page.locator('.ticket__info')
    expect(await tickets.nth(0).textContent()).toMatch(/Nora Night[\s\S]*Meal\s*Vegan/)
    expect(await tickets.nth(1).textContent()).toMatch(/Otto Oar[\s\S]*Meal\s*Fish/)
    expect(await page.locator('.order-answers').textContent()).toMatch(/Newsletter\s*Yes/)

    const holders = await t.db
      .selectFrom('tickets')
      .innerJoin('orders', 'orders.id', 'tickets.orderId')
      .select('tickets.holderName')
      .where('orders.eventId', '=', event.id)
      .orderBy('tickets.id')
      .execute()
    expect(holders.map((row) => row.holderName)).toEqual(['Nora Night', 'Otto Oar'])
  })

  it('with JavaScript on: the same two steps, the total kept as the quantities change', async () => {
    const { event } = await createEvent(t.db, organiser.id, {
      title: 'Lantern Parade',
      ticketTypes: [{ name: 'Walker', priceMinor: 1500, capacity: 30, maxPerOrder: 4 }],
    })
    await askQuestions(t.db, event.id, 'optional', [{ label: 'Shoe size', kind: 'number', perTicket: true, required: true }])
    const page = await t.newPage()
    await page.goto(`/buy-tickets/${event.id}`)
    await page.getByLabel('Walker').fill('2')
    await page.getByText('Total for 2 tickets: €30.00').waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Jo Script')
    await page.getByLabel('Email').fill('jo@example.test')
    await submit(page, 'Continue')
    await page.getByText('Total for 2 tickets: €30.00').waitFor()
    await page.getByRole('group', { name: 'Ticket 1: Walker' }).getByLabel('Shoe size').fill('41.5')
    await page.getByRole('group', { name: 'Ticket 2: Walker' }).getByLabel('Shoe size').fill('big')
    await submit(page, 'Place order')
    await page
      .locator('[data-error-summary]')
      .getByRole('link', { name: 'Ticket 2 (Walker): “Shoe size” takes a number, like 12 or 3.5.' })
      .waitFor()
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true)
    await page.getByRole('group', { name: 'Ticket 2: Walker' }).getByLabel('Shoe size').fill('38')
    await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.getByRole('button', { name: 'Place order' }).click()])
    expect(await page.locator('.ticket__info').nth(1).textContent()).toMatch(/Shoe size\s*38/)
  })
})

describeInBrowser(
  'accessibility of the names and questions pages',
  (kind) => {
    const t = useBrowserApp(kind)
    let organiser: Persona
    let eventId: number

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser')
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
        title: 'Quayside Quiz Night with a rather long title that wraps',
        ticketTypes: [{ name: 'Team seat', priceMinor: 800 }, { name: 'Spectator' }],
      })
      eventId = event.id
      await askQuestions(t.db, event.id, 'required', [
        { label: 'Team name', kind: 'short-text', required: true },
        { label: 'Dietary needs', kind: 'several-choices', perTicket: true, options: ['Vegetarian', 'Vegan', 'No nuts'] },
        { label: 'Meal', kind: 'one-choice', perTicket: true, ticketTypeIds: [ticketTypes[0]!.id], options: ['Fish', 'Pie'] },
        { label: 'First quiz?', kind: 'yes-no', help: 'We pair new teams with a host.' },
        { label: 'Date of birth', kind: 'date', perTicket: true },
        { label: 'Notes', kind: 'long-text' },
        { label: 'Age', kind: 'number', perTicket: true },
      ])
    })

    async function organiserPage(app: BrowserApp, url: string): Promise<Page> {
      const page = await app.newPage({ bypassCSP: true })
      await logIn(page, organiser)
      await page.goto(url)
      return page
    }

    async function details(withErrors: boolean): Promise<Page> {
      const page = await t.newPage({ bypassCSP: true })
      await chooseTickets(page, eventId, { 'Team seat': '1', Spectator: '1' })
      if (withErrors) await submit(page, 'Place order')
      return page
    }

    const pages: [string, () => Promise<Page>][] = [
      ['names and questions', () => organiserPage(t, `/events/${eventId}/questions`)],
      [
        'a question with errors',
        async () => {
          const page = await organiserPage(t, `/events/${eventId}/questions/new`)
          await page.getByLabel('Only the types ticked:').check()
          await submit(page, 'Save question')
          return page
        },
      ],
      [
        'remove a question',
        async () => {
          const page = await organiserPage(t, `/events/${eventId}/questions`)
          await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Remove Notes' }).click()])
          return page
        },
      ],
      ['who is coming', () => details(false)],
      ['who is coming, with errors', () => details(true)],
      [
        'an order with names and answers',
        async () => {
          const page = await details(false)
          const team = page.getByRole('group', { name: 'Ticket 1: Team seat' })
          await team.getByLabel('Name on the ticket').fill('Quinn Quizmaster')
          await team.getByLabel('Meal').selectOption({ label: 'Pie' })
          await team.getByLabel('Vegan').check()
          await page.getByRole('group', { name: 'Ticket 2: Spectator' }).getByLabel('Name on the ticket').fill('Sam Spectator')
          await page.getByLabel('Team name').fill('The Know-Alls')
          await page.getByLabel('Notes').fill('Near the door,\nplease.')
          await submit(page, 'Place order')
          await page.getByRole('heading', { name: 'Thank you, your tickets are booked' }).waitFor()
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
