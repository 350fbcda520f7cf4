import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { translator } from '../../src/i18n/translate.js'
import { axeProblems } from '../helpers/axe.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { decodePngQr } from '../helpers/qr-decode.js'
import { sellAtDesk, soldOrder } from '../helpers/box-office.js'
import { TestBrowser } from '../helpers/browser.js'

/**
 * The box office in chromium with JavaScript off: the organiser opens the
 * desk from the event's page, sells two tickets for cash (after a first
 * try that forgot how it was paid), and opens their printable tickets, whose
 * QR codes read back. axe finds nothing serious on the desk's pages (the
 * form, the form with its mistakes, a sale's page) at 390 and 1280 px, and
 * nothing scrolls sideways on a phone; nor on the event's page with the takings.
 */

const t = translator('en')

/** The app in chromium, an organiser and their event with two ticket types on sale. */
function useDeskApp(kind: Parameters<typeof useBrowserApp>[0]) {
  const app = useBrowserApp(kind)
  const made = { organiser: undefined as unknown as Persona, eventId: 0, typeId: 0 }
  beforeAll(async () => {
    const organiser = await createUser(app.db, 'organiser', { name: 'Olive Organiser' })
    const { event, ticketTypes } = await createEvent(app.db, organiser.id, {
      title: 'Harbour Lights Festival',
      ticketTypes: [
        { name: 'Weekend pass', priceMinor: 5900, capacity: 100, maxPerOrder: 6 },
        { name: 'Day ticket', priceMinor: 2900, capacity: 100 },
      ],
    })
    made.organiser = organiser
    made.eventId = event.id
    made.typeId = ticketTypes[0]!.id
  })
  async function asOrganiser(options: { javaScriptEnabled?: boolean; bypassCSP?: boolean; viewport?: { width: number; height: number } }) {
    const page = await app.newPage(options)
    await logIn(page, made.organiser)
    return page
  }
  return { app, made, asOrganiser }
}

describeInBrowser('the box office', (kind) => {
  const { app, made, asOrganiser } = useDeskApp(kind)

  it('with JavaScript off: sells two tickets at the desk and opens their printable tickets', async () => {
    const page = await asOrganiser({ javaScriptEnabled: false })
    await page.goto(`/edit-event/${made.eventId}`)
    await Promise.all([
      page.waitForURL(`**/events/${made.eventId}/box-office`),
      page.getByRole('link', { name: t('boxOffice.manage.link') }).click(),
    ])
    await page.getByLabel('Weekend pass').fill('2')
    await page.getByLabel(t('purchase.buy.name')).fill('Walk-in Wanda')
    // Forgot how it was paid: the form comes back as typed, and says so.
    await page.getByRole('button', { name: t('boxOffice.desk.submit') }).click()
    await page.getByRole('alert').getByText(t('boxOffice.form.paymentMissing')).waitFor()
    expect(await page.getByLabel('Weekend pass').inputValue()).toBe('2')
    expect(await page.getByLabel(t('purchase.buy.name')).inputValue()).toBe('Walk-in Wanda')

    await page.getByLabel(t('boxOffice.method.cash')).check()
    await Promise.all([
      page.waitForURL(/\/box-office\/orders\/[0-9A-Z]{10}$/),
      page.getByRole('button', { name: t('boxOffice.desk.submit') }).click(),
    ])
    const { order } = await soldOrder(app.db, new URL(page.url()).pathname)
    expect(order).toMatchObject({ status: 'paid', paymentMethod: 'cash', totalMinor: 11_800 })
    await page.getByText(t('boxOffice.sold.summary', { count: 2, name: 'Walk-in Wanda', total: '€118.00' })).waitFor()
    const codes = await doorCodesOfOrder(app.db, order.id)
    // Shown on screen too, for a phone to take or the door to scan there and then.
    const shown = page.getByRole('img', { name: /^QR code for ticket / })
    expect(await shown.count()).toBe(2)
    for (const [i, code] of codes.entries()) expect(decodePngQr(await shown.nth(i).screenshot())).toBe(code)

    await Promise.all([
      page.waitForURL(`**/events/${made.eventId}/orders/${order.code}/tickets`),
      page.getByRole('link', { name: t('boxOffice.sold.print') }).click(),
    ])
    await page.emulateMedia({ media: 'print' })
    const printed = page.getByRole('img', { name: /^QR code of ticket / })
    expect(await printed.count()).toBe(2)
    for (const [i, code] of codes.entries()) expect(decodePngQr(await printed.nth(i).screenshot())).toBe(code)
  })
})

describeInBrowser(
  'the box office’s pages',
  (kind) => {
    const { app, made, asOrganiser } = useDeskApp(kind)

    /** The desk's pages as they are met: the form, the form with mistakes, a sale's page. */
    const pages: [string, (page: Page) => Promise<void>][] = [
      ['the desk', async (page) => void (await page.goto(`/events/${made.eventId}/box-office`))],
      [
        'the desk with its mistakes',
        async (page) => {
          await page.goto(`/events/${made.eventId}/box-office`)
          await page.getByLabel('Day ticket').fill('1')
          await page.getByLabel(t('boxOffice.method.complimentary')).check()
          await page.getByRole('button', { name: t('boxOffice.desk.submit') }).click()
          await page.getByRole('alert').getByText(t('boxOffice.form.reasonMissing')).waitFor()
        },
      ],
      [
        'a sale',
        async (page) => {
          const desk = new TestBrowser(app.app)
          await desk.login(made.organiser.email, made.organiser.password)
          const sold = await sellAtDesk(desk, made.eventId, {
            [`qty_${made.typeId}`]: '1',
            name: 'Axe Andrea',
            payment: 'complimentary',
            reason: 'Press',
          })
          await page.goto(sold.headers.location as string)
        },
      ],
      [
        'the event’s page with the takings',
        async (page) => {
          const desk = new TestBrowser(app.app)
          await desk.login(made.organiser.email, made.organiser.password)
          await sellAtDesk(desk, made.eventId, { [`qty_${made.typeId}`]: '1', name: 'Cash Carl', payment: 'cash' })
          await page.goto(`/edit-event/${made.eventId}`)
          await page.getByRole('heading', { name: t('boxOffice.takings.heading') }).waitFor()
        },
      ],
    ]

    it.each(pages)(
      '%s: axe finds nothing serious or critical at 390 and 1280 px, light or dark, and nothing scrolls sideways on a phone',
      async (_name, open) => {
        for (const width of [390, 1280]) {
          const page = await asOrganiser({ bypassCSP: true, viewport: { width, height: 900 } })
          await open(page)
          expect(await axeProblems(page), `at ${width} px`).toEqual([])
          const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
          expect(widths.page, `page width at a ${width} px viewport`).toBeLessThanOrEqual(widths.screen)
        }
      },
    )
  },
  { sqliteOnly: true },
)
