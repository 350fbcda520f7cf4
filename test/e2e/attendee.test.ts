import { doorCodesOfOrder } from '../helpers/door.js'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInBrowser, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

function remaining(page: Page, typeId: number) {
  return page.locator(`[data-live-remaining="${typeId}"]`).first()
}

/** Waits until live.js has put `text` in the page, which happens only through the socket: the page is never reloaded. */
async function waitForRemaining(page: Page, typeId: number, text: string) {
  await page.waitForFunction(([id, wanted]) => document.querySelector(`[data-live-remaining="${id}"]`)?.textContent === wanted, [
    typeId,
    text,
  ] as const)
}

describeInBrowser('an attendee in a browser', (kind) => {
  const t = useBrowserApp(kind)

  it('searches, buys two kinds of ticket, sees a QR code per ticket and cancels; another page follows the count live', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Quayside Jazz Night',
      ticketTypes: [
        { name: 'Standard', priceMinor: 2500, capacity: 50, maxPerOrder: 6 },
        { name: 'Student', priceMinor: 1500, capacity: 20, maxPerOrder: 2 },
      ],
    })
    await createEvent(t.db, organiser.id, { title: 'Harbour Market' })
    const [standard, student] = [ticketTypes[0]!.id, ticketTypes[1]!.id]

    const watcher = await t.newPage()
    await watcher.goto(`/event/${event.id}`)
    expect(await remaining(watcher, standard).textContent()).toBe('50 left')

    const page = await t.newPage()
    await page.goto('/')
    await page.getByLabel('Find an event').fill('jazz')
    await Promise.all([page.waitForURL('**/attendee?q=jazz'), page.getByRole('button', { name: 'Search' }).click()])
    expect(await page.locator('.event-card__title').allTextContents()).toEqual(['Quayside Jazz Night'])

    await page.getByRole('link', { name: 'Quayside Jazz Night' }).click()
    await page.getByRole('link', { name: 'Buy tickets' }).click()
    // The total follows the quantities, at the prices the form shows.
    const total = page.locator('[data-buy-total]')
    expect(await total.isVisible()).toBe(false)
    await page.getByLabel('Standard').fill('2')
    expect(await total.textContent()).toBe('Total for 2 tickets: €50.00')
    await page.getByLabel('Student').fill('1')
    expect(await total.textContent()).toBe('Total for 3 tickets: €65.00')
    expect(await total.isVisible()).toBe(true)
    await page.getByLabel('Name').fill('Bea Buyer')
    await page.getByLabel('Email').fill('bea@example.test')
    await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.getByRole('button', { name: 'Buy tickets' }).click()])

    await page.getByRole('heading', { name: 'Thank you, your tickets are booked' }).waitFor()
    const order = await t.db.selectFrom('orders').select('id').executeTakeFirstOrThrow()
    // Each ticket is named by its door code, the one its QR code carries.
    const codes = await doorCodesOfOrder(t.db, order.id)
    expect(codes).toHaveLength(3)
    for (const code of codes) {
      const qr = page.getByRole('img', { name: `QR code for ticket ${code}` })
      // Drawn by its own request: the image must have arrived and decoded.
      await qr.evaluate((img: HTMLImageElement) => img.decode())
      expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth), code).toBeGreaterThan(0)
    }
    expect(await page.locator('.summary').textContent()).toContain('€65.00')

    await waitForRemaining(watcher, standard, '48 left')
    await waitForRemaining(watcher, student, '19 left')

    await Promise.all([
      page.waitForURL(/\/orders\/[0-9A-Z]{10}\/cancel\?key=/),
      page.getByRole('link', { name: 'Cancel this order…' }).click(),
    ])
    await Promise.all([page.waitForURL(/\/orders\/[0-9A-Z]{10}\?key=/), page.getByRole('button', { name: 'Cancel the order' }).click()])
    await page.getByRole('status').filter({ hasText: 'Your order is cancelled.' }).waitFor()
    await page.getByText('This order is cancelled. Its tickets are no longer valid.').waitFor()
    const cancelled = await t.db.selectFrom('orders').select(['status', 'buyerEmail']).executeTakeFirstOrThrow()
    expect(cancelled).toEqual({ status: 'cancelled', buyerEmail: 'bea@example.test' })
    const sold = await t.db.selectFrom('ticketTypes').select('sold').where('eventId', '=', event.id).orderBy('id').execute()
    expect(sold).toEqual([{ sold: 0 }, { sold: 0 }])

    await waitForRemaining(watcher, standard, '50 left')
    expect(watcher.url(), 'the watching page was never reloaded').toBe(`${t.origin}/event/${event.id}`)
  })
})
