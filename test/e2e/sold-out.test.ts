import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInBrowser, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

async function fillOrder(page: Page, quantity: string, name: string) {
  await page.getByLabel('Standard').fill(quantity)
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(`${name.split(' ')[0]!.toLowerCase()}@example.test`)
}

describeInBrowser('a sold-out event in a browser', (kind) => {
  const t = useBrowserApp(kind)

  it('refuses the buyer who came second with a reason and a way back, and then says it is sold out', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Rooftop Quartet',
      ticketTypes: [{ name: 'Standard', priceMinor: 3000, capacity: 2, maxPerOrder: 2 }],
    })

    // Without JavaScript the late buyer's form cannot learn that the tickets went while it was open.
    const late = await t.newPage({ javaScriptEnabled: false })
    await late.goto(`/buy-tickets/${event.id}`)
    await fillOrder(late, '2', 'Lou Late')

    const first = await t.newPage()
    await first.goto(`/buy-tickets/${event.id}`)
    await fillOrder(first, '2', 'Fay First')
    await Promise.all([first.waitForURL(/\/purchase\/success\?order=/), first.getByRole('button', { name: 'Buy tickets' }).click()])

    await Promise.all([late.waitForURL('**/purchase/fail'), late.getByRole('button', { name: 'Buy tickets' }).click()])
    await late.getByRole('heading', { name: 'Your order could not be completed' }).waitFor()
    const notice = await late.getByRole('alert').textContent()
    expect(notice).toContain('Standard is sold out.')
    expect(notice).toContain('Nothing was charged and no tickets were booked.')
    expect(await late.getByRole('link', { name: 'Back to the form' }).getAttribute('href')).toBe(`/buy-tickets/${event.id}`)

    const orders = await t.db.selectFrom('orders').select('buyerName').execute()
    expect(orders).toEqual([{ buyerName: 'Fay First' }])
    const type = await t.db.selectFrom('ticketTypes').select('sold').where('id', '=', ticketTypes[0]!.id).executeTakeFirstOrThrow()
    expect(type.sold).toBe(2)

    await late.getByRole('link', { name: 'Back to the form' }).click()
    await late.getByText('This event is sold out.').waitFor()
    expect(await late.getByRole('button', { name: 'Buy tickets' }).count(), 'no form to send').toBe(0)

    const visitor = await t.newPage()
    await visitor.goto(`/event/${event.id}`)
    expect(await visitor.locator(`[data-live-remaining="${ticketTypes[0]!.id}"]`).textContent()).toBe('Sold out')
    expect(await visitor.getByRole('link', { name: 'Buy tickets' }).count()).toBe(0)
    const soldOutNotice = visitor.locator('.notice[data-live-status="sold_out"]')
    expect(await soldOutNotice.isVisible(), 'the sold-out notice, as a live update would show it').toBe(true)
    expect(await soldOutNotice.textContent()).toBe('Sold out')
  })
})
