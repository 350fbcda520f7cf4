import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'

const SCREENS = [
  ['a phone', { width: 390, height: 844 }],
  ['a desktop', { width: 1280, height: 900 }],
] as const

/** Whether the element is wholly inside the window as the page is scrolled now. */
function inView(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((element) => {
    const box = element.getBoundingClientRect()
    // Within a pixel: a target scrolled to the top can sit a fraction of a pixel above it (seen: -0.016).
    return box.top >= -1 && box.bottom <= window.innerHeight + 1
  })
}

/** Clicks the button and waits for the page the form's answer renders. */
async function send(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForEvent('response', (r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: button }).click(),
  ])
  await page.waitForLoadState()
  return response.status()
}

describeInBrowser('error summaries in a browser', (kind) => {
  const t = useBrowserApp(kind)
  let organiser: Persona
  let eventId: number

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
    eventId = (await createEvent(t.db, organiser.id, { status: 'draft', title: 'Long Form Gala' })).event.id
  })

  /** The event's page with its details sent with a mistake at the very end of the form (and one near its top). */
  async function eventFormWithMistakes(javaScriptEnabled: boolean, viewport: { width: number; height: number }): Promise<Page> {
    const page = await t.newPage({ javaScriptEnabled, viewport })
    await logIn(page, organiser)
    await page.goto(`/edit-event/${eventId}`)
    await page.getByLabel('Venue', { exact: true }).fill('')
    await page.getByLabel(/people may join its waiting list/).check()
    await page.getByLabel('An offer expires after (hours)').fill('1000')
    expect(await send(page, 'Save changes')).toBe(422)
    return page
  }

  /** The buy form sent with nothing chosen and a bad address. */
  async function buyFormWithMistakes(javaScriptEnabled: boolean, viewport: { width: number; height: number }): Promise<Page> {
    const { event } = await createEvent(t.db, organiser.id, {
      title: 'Many Kinds Night',
      ticketTypes: Array.from({ length: 6 }, (_, i) => ({ name: `Kind ${i + 1}` })),
    })
    const page = await t.newPage({ javaScriptEnabled, viewport })
    await page.goto(`/buy-tickets/${event.id}`)
    await page.getByLabel('Email').fill('not an email')
    expect(await send(page, 'Buy tickets')).toBe(422)
    return page
  }

  it.each(SCREENS)(
    'the event form on %s, with JavaScript off: the summary is in view at the top, and its link goes to the field far down',
    async (_screen, viewport) => {
      const page = await eventFormWithMistakes(false, viewport)
      expect(await page.evaluate(() => window.scrollY)).toBe(0)
      expect(await inView(page, '[data-error-summary]'), 'the summary is seen without scrolling').toBe(true)
      const summary = page.locator('[data-error-summary]')
      expect(await summary.getByRole('link').allTextContents()).toEqual([
        'Enter where the event takes place.',
        'Enter a whole number from 1 to 336.',
      ])

      await summary.getByRole('link', { name: 'Enter a whole number from 1 to 336.' }).click()
      expect(new URL(page.url()).hash).toBe('#f-offerHours')
      expect(await inView(page, '#f-offerHours'), 'the field is brought into view').toBe(true)
      expect(await page.getByLabel('An offer expires after (hours)').inputValue(), 'what was typed is kept').toBe('1000')
    },
  )

  it.each(SCREENS)(
    'the event form on %s, with JavaScript on: the focus goes to the summary, and its link puts it in the field',
    async (_screen, viewport) => {
      const page = await eventFormWithMistakes(true, viewport)
      expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true)
      expect(await inView(page, '[data-error-summary]')).toBe(true)
      await page.locator('[data-error-summary]').getByRole('link', { name: 'Enter a whole number from 1 to 336.' }).click()
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-offerHours')
      expect(await inView(page, '#f-offerHours')).toBe(true)
    },
  )

  it.each(SCREENS)(
    'the buy form on %s, with JavaScript off and on: the summary in view at the top, its links to the fields',
    async (_screen, viewport) => {
      for (const javaScriptEnabled of [false, true]) {
        const page = await buyFormWithMistakes(javaScriptEnabled, viewport)
        expect(await page.evaluate(() => window.scrollY), `script ${javaScriptEnabled ? 'on' : 'off'}`).toBe(0)
        expect(await inView(page, '[data-error-summary]')).toBe(true)
        await page.locator('[data-error-summary]').getByRole('link', { name: 'Enter an email address like name@example.com.' }).click()
        expect(await inView(page, '#f-email')).toBe(true)
        if (javaScriptEnabled) expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-email')
        else expect(new URL(page.url()).hash).toBe('#f-email')
      }
    },
  )
})
