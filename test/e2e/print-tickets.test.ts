import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { placeOrder } from '../../src/features/purchase/purchase.service.js'
import { beforeAll, expect, it } from 'vitest'
import { axeProblems } from '../helpers/axe.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { payByHand } from '../helpers/paid-orders.js'
import { readPdf } from '../helpers/pdf.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { decodePngQr } from '../helpers/qr-decode.js'

/** A4 at the 96 px an inch of CSS: what a printed page shows. */
const A4 = { width: 794, height: 1123 }

describeInBrowser(
  'tickets to print, in chromium',
  () => {
    const t = useBrowserApp('sqlite')
    let organiser: Persona
    let eventId: number
    type Placed = { code: string; accessKey: string; doorCodes: string[] }
    let paid: Placed
    let atDoor: Placed
    let unpaid: Placed

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser', { name: 'Olive Organiser' })
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
        title: 'Harbour Lights Festival',
        venue: 'Doca de Alcântara, North Quay',
        timeZone: 'Europe/Lisbon',
        ticketTypes: [{ name: 'Weekend pass', priceMinor: 5900, capacity: 100, maxPerOrder: 6 }],
      })
      eventId = event.id
      // Placed by the purchase itself, as the buy form does: the order page draws each QR code from the ticket's real code.
      const place = async (quantity: number, method: string, pay: boolean): Promise<Placed> => {
        const type = ticketTypes[0]!
        const placed = await placeOrder(t.db, {
          cart: {
            eventId: event.id,
            quantities: new Map([[type.id, quantity]]),
            seen: { currency: 'EUR', prices: new Map([[type.id, type.priceMinor]]) },
            formKey: randomUUID(),
          },
          buyer: { name: 'Zoë Straße-Łukasiewicz', email: 'zoe@example.test', browser: null },
          actor: { userId: null, label: 'zoe@example.test', isAdmin: false, ip: null },
          settings: { currency: 'EUR', maxTicketsPerOrder: 50, siteUrl: t.origin },
          channel: { kind: 'online' },
          payment: { method, deadline: method === 'at-door' ? null : Date.now() + 3_600_000 },
        })
        if (pay) await payByHand(t.db, placed.id)
        const { accessKey } = await t.db.selectFrom('orders').select('accessKey').where('id', '=', placed.id).executeTakeFirstOrThrow()
        return { code: placed.code, accessKey, doorCodes: await doorCodesOfOrder(t.db, placed.id) }
      }
      paid = await place(3, 'at-door', true)
      atDoor = await place(1, 'at-door', false)
      unpaid = await place(1, 'bank-transfer', false)
    })

    const printPage = (placed: Placed) => `/orders/${placed.code}/tickets?key=${placed.accessKey}`

    it('with JavaScript off, the buyer goes from the order page to the tickets; printed, each QR code reads back, one ticket an A4 page', async () => {
      const page = await t.newPage({ javaScriptEnabled: false, viewport: A4 })
      await page.goto(`/orders/${paid.code}?key=${paid.accessKey}`)
      await Promise.all([
        page.waitForURL(`**${printPage(paid)}`),
        page.getByRole('link', { name: 'Print the tickets or save them as a PDF' }).click(),
      ])
      await page.getByText('each ticket comes out on a page of its own').waitFor()
      await page.emulateMedia({ media: 'print' })
      // On paper: the tickets alone, without the site's menu or the words about printing.
      for (const hidden of [page.locator('.site-header'), page.getByRole('link', { name: 'Download the tickets as a PDF' })]) {
        expect(await hidden.isVisible()).toBe(false)
      }
      const qrCodes = page.getByRole('img', { name: /^QR code of ticket / })
      expect(await qrCodes.count()).toBe(3)
      for (const [i, doorCode] of paid.doorCodes.entries()) {
        expect(decodePngQr(await qrCodes.nth(i).screenshot())).toBe(doorCode)
      }
      // Chromium's own print, on the A4 the page asks for: as many pages as tickets.
      const printed = await page.pdf({ preferCSSPageSize: true })
      expect(readPdf(printed).pageObjects).toBe(3)
      const sizes = [...printed.toString('latin1').matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)]
      expect(sizes).toHaveLength(3)
      for (const [, width, height] of sizes) {
        expect(Number(width)).toBeCloseTo(595.3, 0)
        expect(Number(height)).toBeCloseTo(841.9, 0)
      }
      // On sheets as long as three A4 pages, with room for all three: still a ticket a page, each starting a page of its own.
      // (The page's own @page size decides the layout, so the longer sheet is asked for in CSS, which bypassCSP lets in.)
      const long = await t.newPage({ bypassCSP: true, viewport: A4 })
      await long.goto(printPage(paid))
      await long.emulateMedia({ media: 'print' })
      await long.addStyleTag({ content: '@page ticket { size: 210mm 891mm; }' })
      const longPrint = await long.pdf({ preferCSSPageSize: true })
      expect(longPrint.toString('latin1')).toMatch(/\/MediaBox \[0 0 59\d\.\d+ 252\d(\.\d+)?\]/)
      expect(readPdf(longPrint).pageObjects).toBe(3)
    })

    it('the organiser prints any order of their event from the orders page', async () => {
      const page = await t.newPage({ viewport: A4 })
      await logIn(page, organiser)
      await page.goto(`/events/${eventId}/orders?q=${atDoor.code}`)
      await Promise.all([
        page.waitForURL(`**/events/${eventId}/orders/${atDoor.code}/tickets`),
        page.getByRole('link', { name: /^Tickets to print/ }).click(),
      ])
      await page.emulateMedia({ media: 'print' })
      await page.getByText(`Not paid yet: the door collects €59.00 for the whole order ${atDoor.code} before letting it in.`).waitFor()
      expect(decodePngQr(await page.getByRole('img', { name: /^QR code of ticket / }).screenshot())).toBe(atDoor.doorCodes[0])
      expect(readPdf(await page.pdf({ preferCSSPageSize: true })).pageObjects).toBe(1)
    })

    const pages: [string, () => Placed][] = [
      ['paid', () => paid],
      ['to pay at the door', () => atDoor],
      ['nothing to print yet', () => unpaid],
    ]

    async function open(placed: Placed, width: number): Promise<Page> {
      const page = await t.newPage({ bypassCSP: true, viewport: { width, height: 900 } })
      const response = await page.goto(printPage(placed))
      expect(response?.status()).toBe(200)
      return page
    }

    it.each(pages)(
      '%s: axe finds nothing serious or critical at 390 and 1280 px, light or dark, and nothing scrolls sideways on a phone',
      async (_name, placed) => {
        for (const width of [390, 1280]) {
          const page = await open(placed(), width)
          expect(await axeProblems(page), `at ${width} px`).toEqual([])
          const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
          expect(widths.page, `page width at a ${width} px viewport`).toBeLessThanOrEqual(widths.screen)
        }
      },
    )
  },
  { sqliteOnly: true },
)
