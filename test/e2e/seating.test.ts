import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { axeProblems } from '../helpers/axe.js'
import { TestBrowser } from '../helpers/browser.js'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { addSeatBlock, hallEvent, seatId } from '../helpers/seats.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import { rowSeatKey } from '../../src/features/seating/seat-labels.js'
import { markSeats } from '../../src/features/seating/seating.service.js'

/** The organiser builds the map through its form, as a person would: 20 rows of 20 in the stalls, 5 of 20 on the balcony. */
async function buildMap(t: BrowserApp, page: Page, eventId: number) {
  await page.goto(`/events/${eventId}/seat-map`)
  const block = async (fields: Record<string, string>, type: string) => {
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value)
    await page.getByLabel('Ticket type (price category)').selectOption({ label: type })
    await Promise.all([page.waitForURL(`**/events/${eventId}/seat-map`), page.getByRole('button', { name: 'Add seats' }).click()])
  }
  await block(
    {
      Section: 'Stalls',
      Rows: 'A-T',
      'Seats per row': '20',
      'Aisles after seats (optional)': '10',
      'Wheelchair spaces (optional)': 'A1, A2',
    },
    'Stalls',
  )
  await block({ Section: 'Balcony', Rows: '1-5', 'Seats per row': '20' }, 'Balcony')
  await page.getByText('500 seats').first().waitFor()
  expect(await t.db.selectFrom('seats').select('id').where('eventId', '=', eventId).execute()).toHaveLength(500)
}

/** Ticks a seat as a person does: by its box on the map (the label), the checkbox under it being hidden. */
async function tick(page: Page, name: string) {
  const box = page.getByRole('checkbox', { name, exact: true })
  await page.locator(`label[for="${await box.getAttribute('id')}"]`).click()
  expect(await box.isChecked(), name).toBe(true)
}

/** Fills in the buyer and sends the buy form, waiting for the order page. */
async function buyAs(page: Page, name: string, email: string) {
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await Promise.all([page.waitForURL(/\/purchase\/success/), page.getByRole('button', { name: 'Buy tickets' }).click()])
}

async function seatedEvent(t: BrowserApp, title: string) {
  const organiser = await createUser(t.db, 'organiser')
  const { event } = await createEvent(t.db, organiser.id, {
    title,
    ticketTypes: [
      { name: 'Stalls', priceMinor: 4000, capacity: 1, maxPerOrder: 6 },
      { name: 'Balcony', priceMinor: 2500, capacity: 1, maxPerOrder: 6 },
    ],
  })
  const page = await t.newPage()
  await logIn(page, organiser)
  await buildMap(t, page, event.id)
  await page.context().close()
  return event.id
}

describeInBrowser('choosing seats', (kind) => {
  const t = useBrowserApp(kind)

  it('with JavaScript off: the organiser builds a 500-seat map, a buyer ticks two seats and gets them on the order', async () => {
    const eventId = await seatedEvent(t, 'Plain Form Theatre')
    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(`/buy-tickets/${eventId}`)
    await tick(page, 'Row F, seat 12, Stalls, €40.00')
    await tick(page, 'Row F, seat 13, Stalls, €40.00')
    await buyAs(page, 'Nina No-Script', 'nina@example.test')
    await page.getByText('Stalls, row F, seat 12').waitFor()
    await page.getByText('Stalls, row F, seat 13').waitFor()
  })

  it('with JavaScript: a seat someone else takes goes grey at once, and best available picks seats side by side', async () => {
    const eventId = await seatedEvent(t, 'Live Seats Theatre')
    const page = await t.newPage()
    await page.goto(`/buy-tickets/${eventId}`)
    await page.locator('[data-live-event][data-live-current]').waitFor()
    const a5 = await seatId(t.db, eventId, 'A', '5')
    const box = page.locator(`#seat-${a5}`)
    expect(await box.isDisabled()).toBe(false)

    // Someone else buys A5 meanwhile.
    const other = new TestBrowser(t.app)
    const form = await other.get(`/buy-tickets/${eventId}`)
    const prices = Object.fromEntries([...form.body.matchAll(/name="(currency|price_\d+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]))
    const bought = await other.post(`/purchase/${eventId}`, {
      ...prices,
      seat: String(a5),
      name: 'Quick Quinn',
      email: 'quinn@example.test',
    })
    expect(bought.headers.location).toMatch(/^\/purchase\/success/)
    await page.waitForFunction((id) => (document.getElementById(`seat-${id}`) as HTMLInputElement).disabled, a5)

    await tick(page, 'Row C, seat 3, Stalls, €40.00')
    expect(await page.locator('[data-buy-total]').textContent()).toBe('Total for 1 ticket: €40.00')
    await page.getByLabel('Balcony: best available seats').fill('2')
    expect(await page.locator('[data-buy-total]').textContent()).toBe('Total for 3 tickets: €90.00')
    await buyAs(page, 'Jo Script', 'jo@example.test')
    await page.getByText('Stalls, row C, seat 3').waitFor()
    // Front row of the balcony, in its middle.
    await page.getByText('Balcony, row 1, seat 10').waitFor()
    await page.getByText('Balcony, row 1, seat 11').waitFor()
  })
})

describeInBrowser(
  'the seat map’s accessibility',
  () => {
    const t = useBrowserApp('sqlite')

    for (const width of [390, 1280]) {
      it(`axe finds nothing serious at ${width} px, light or dark, and the page never scrolls sideways`, async () => {
        const eventId = await seatedEvent(t, `Axe Theatre ${width}`)
        const page = await t.newPage({ viewport: { width, height: 900 }, bypassCSP: true })
        await page.goto(`/buy-tickets/${eventId}`)
        // On a phone the map is folded behind a button (best available is the default there): axe checks it open.
        if (width === 390) await page.getByRole('button', { name: 'Choose seats on the map instead' }).click()
        await page.locator('#f-seats:not([hidden])').waitFor()
        expect(await axeProblems(page)).toEqual([])
        const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
        expect(widths.page).toBeLessThanOrEqual(widths.screen)
      })
    }

    it('the organiser’s map tells a screen reader which seats are free, taken or not sold', async () => {
      const organiser = await createUser(t.db, 'organiser')
      const { event, hall } = await hallEvent(t.db, organiser.id, 'Heard Map', 2000)
      await addSeatBlock(t.db, organiser, event.id, { section: 'Hall', rows: ['A'], seatsPerRow: 3, ticketTypeId: hall })
      const buyer = new TestBrowser(t.app)
      await buyer.get(`/buy-tickets/${event.id}`)
      const a2 = String(await seatId(t.db, event.id, 'A', '2'))
      const bought = await buyer.post(`/purchase/${event.id}`, {
        [`qty_${hall}`]: '0',
        seat: a2,
        name: 'Ty Taken',
        email: 'ty@example.test',
      })
      expect(bought.headers.location).toMatch(/^\/purchase\/success/)
      const change = {
        event: (await findEvent(t.db, event.id))!,
        actor: { userId: organiser.id, label: organiser.email, isAdmin: false, ip: null },
      }
      expect(await markSeats(t.db, change, { section: 'Hall', seats: new Map([[rowSeatKey('A', '3'), 'A3']]), blocked: true })).toBeNull()

      const page = await t.newPage({ bypassCSP: true })
      await logIn(page, organiser)
      await page.goto(`/events/${event.id}/seat-map`)
      const heard = await page.getByRole('group', { name: 'Row A' }).ariaSnapshot()
      expect(heard).toContain('Row A, seat 1, Hall, €20.00: free')
      expect(heard).toContain('Row A, seat 2, Hall, €20.00: taken')
      expect(heard).toContain('Row A, seat 3, Hall, €20.00: not sold')
      expect(heard.match(/: taken/g)).toHaveLength(1)
      expect(await axeProblems(page)).toEqual([])
    })

    it('on a phone, best available is the default: the map waits behind a button, and the quantity buys seats side by side', async () => {
      const eventId = await seatedEvent(t, 'Phone Theatre')
      const page = await t.newPage({ viewport: { width: 390, height: 844 } })
      await page.goto(`/buy-tickets/${eventId}`)
      const toggle = page.getByRole('button', { name: 'Choose seats on the map instead' })
      await toggle.waitFor()
      expect(await page.locator('#f-seats').isHidden()).toBe(true)
      await page.getByLabel('Stalls: best available seats').fill('2')
      await buyAs(page, 'Pia Phone', 'pia@example.test')
      // The front row, beside its middle aisle (seats 1 and 2 are wheelchair spaces, left for those who need them).
      await page.getByText('Stalls, row A, seat 9').waitFor()
      await page.getByText('Stalls, row A, seat 10').waitFor()
    })
  },
  { sqliteOnly: true },
)
