import { expect, it } from 'vitest'
import { describeInBrowser, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

describeInBrowser('buying with JavaScript switched off', (kind) => {
  const t = useBrowserApp(kind)

  it('works through plain forms: a mistake comes back with a message, then the order and its QR codes', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Lighthouse Lecture',
      ticketTypes: [{ name: 'Seat', priceMinor: 1200, capacity: 30, maxPerOrder: 4 }],
    })

    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(`/event/${event.id}`)
    await page.getByRole('link', { name: 'Buy tickets' }).click()
    await page.getByLabel('Name').fill('Nora No-Script')
    await page.getByLabel('Email').fill('nora@example.test')
    const refused = page.waitForResponse((response) => response.url().endsWith(`/purchase/${event.id}`))
    await page.getByRole('button', { name: 'Buy tickets' }).click()
    expect((await refused).status()).toBe(422)
    await page.locator('[data-error-summary]').getByRole('link', { name: 'Choose at least one ticket.' }).waitFor()
    expect(await page.getByLabel('Name').inputValue(), 'what was typed is kept').toBe('Nora No-Script')

    // Sent back again, the form says what the quantities typed come to.
    await page.getByLabel('Seat').fill('3')
    await page.getByLabel('Email').fill('nora@example')
    const again = page.waitForResponse((response) => response.url().endsWith(`/purchase/${event.id}`))
    await page.getByRole('button', { name: 'Buy tickets' }).click()
    expect((await again).status()).toBe(422)
    await page.getByText('Total for 3 tickets: €36.00').waitFor()

    await page.getByLabel('Email').fill('nora@example.test')
    await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.getByRole('button', { name: 'Buy tickets' }).click()])
    await page.getByRole('heading', { name: 'Thank you, your tickets are booked' }).waitFor()
    expect(await page.locator('.summary').textContent()).toMatch(/Total\s*€36\.00/)
    const qrCodes = page.locator('.ticket__qr img')
    expect(await qrCodes.count()).toBe(3)
    for (const qr of await qrCodes.all()) {
      await qr.evaluate((img: HTMLImageElement) => img.decode())
      expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
    }
    expect(await page.locator('[data-live-note]').count(), 'no script ran').toBe(0)

    const type = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', ticketTypes[0]!.id).executeTakeFirstOrThrow()
    expect(type.sold).toBe(3)
    const orders = await t.db.selectFrom('orders').select(['buyerName', 'totalMinor']).execute()
    expect(orders).toEqual([{ buyerName: 'Nora No-Script', totalMinor: 3600 }])
  })

  it('shows a price that changed while the form was open, keeps what was typed, and buys at the new price once seen', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Harbour Choir',
      ticketTypes: [{ name: 'Seat', priceMinor: 1200, capacity: 30, maxPerOrder: 4 }],
    })
    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(`/buy-tickets/${event.id}`)
    await page.getByLabel('Seat').fill('2')
    await page.getByLabel('Name').fill('Pat Price')
    await page.getByLabel('Email').fill('pat@example.test')
    await t.db.updateTable('ticketTypes').set({ priceMinor: 1500 }).where('id', '=', ticketTypes[0]!.id).execute()

    const refused = page.waitForResponse((response) => response.url().endsWith(`/purchase/${event.id}`))
    await page.getByRole('button', { name: 'Buy tickets' }).click()
    expect((await refused).status()).toBe(409)
    await page.locator('[data-error-summary]').getByText('Prices have changed since this page was shown').waitFor()
    await page.locator('.field-error', { hasText: 'The price is now €15.00, not €12.00.' }).waitFor()
    expect(await page.getByLabel('Seat').inputValue()).toBe('2')
    expect(await page.getByLabel('Name').inputValue()).toBe('Pat Price')
    expect(await t.db.selectFrom('orders').select('id').where('eventId', '=', event.id).execute()).toEqual([])

    await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.getByRole('button', { name: 'Buy tickets' }).click()])
    const order = await t.db.selectFrom('orders').select('totalMinor').where('eventId', '=', event.id).executeTakeFirstOrThrow()
    expect(order.totalMinor).toBe(3000)
  })
})
