import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { placeOrder } from '../../src/features/purchase/purchase.service.js'
import { settle } from '../../src/features/upkeep/settle.js'
import { axeProblems } from '../helpers/axe.js'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { StripeStandIn } from '../helpers/stripe-stand-in.js'

const HOUR = 60 * 60 * 1000
const BANK_DETAILS = 'Quayside Music Association\nIBAN PT50 0002 0123 1234 5678 9015 4\nBIC CGDIPTPL'

/** The app with card payments on, sent to a Stripe stand-in this file starts first (its pay page is where the browser goes). */
function useCardApp(kind: Parameters<typeof useBrowserApp>[0]): { t: BrowserApp; standIn: StripeStandIn } {
  const standIn = new StripeStandIn()
  beforeAll(() => standIn.start())
  afterAll(() => standIn.close())
  const t = useBrowserApp(kind, {
    config: () => ({ stripe: { secretKey: standIn.secretKey, webhookSecret: 'whsec_test_secret', apiUrl: standIn.url } }),
  })
  return { t, standIn }
}

/** An event that offers every method: card, bank transfer and at the door. */
async function eventWithEveryMethod(t: BrowserApp, organiser: Persona) {
  const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
    title: 'Quayside Jazz Night',
    ticketTypes: [
      { name: 'Standard', priceMinor: 2500, capacity: 50, maxPerOrder: 6 },
      { name: 'Student', priceMinor: 1500, capacity: 20, maxPerOrder: 2 },
    ],
  })
  await t.db
    .updateTable('events')
    .set({ paymentMethods: 'card,bank-transfer,at-door', bankDetails: BANK_DETAILS })
    .where('id', '=', event.id)
    .execute()
  return { eventId: event.id, typeId: ticketTypes[0]!.id }
}

describeInBrowser('paying by card', (kind) => {
  const { t, standIn } = useCardApp(kind)

  it.each([
    ['off', false],
    ['on', true],
  ])(
    'with JavaScript %s: from the buy form to the payment page, and back to an order that is paid, with its tickets',
    async (_, javaScriptEnabled) => {
      const organiser = await createUser(t.db, 'organiser')
      const { eventId } = await eventWithEveryMethod(t, organiser)
      const email = `card-${javaScriptEnabled ? 'on' : 'off'}@example.test`

      const page = await t.newPage({ javaScriptEnabled })
      await page.goto(`/buy-tickets/${eventId}`)
      await page.getByLabel('Standard').fill('2')
      await page.getByLabel('Name').fill('Cara Card')
      await page.getByLabel('Email').fill(email)
      await page.getByRole('group', { name: 'How you pay' }).getByLabel('Card').check()
      await Promise.all([page.waitForURL(`${standIn.url}/pay/**`), page.getByRole('button', { name: 'Buy tickets' }).click()])
      await page.getByRole('heading', { name: 'Pay €50.00' }).waitFor()
      const order = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', email).executeTakeFirstOrThrow()
      expect(order).toMatchObject({ status: 'pending', paymentMethod: 'card', totalMinor: 5000 })

      await Promise.all([
        page.waitForURL((url) => url.origin === t.origin && url.pathname === `/orders/${order.code}`),
        page.getByRole('button', { name: 'Pay' }).click(),
      ])
      await page.getByRole('heading', { name: `Order ${order.code}` }).waitFor()
      expect(await page.locator('.summary').textContent()).toMatch(/Payment\s*Card · Paid on /)
      expect(await page.getByText('waiting for its payment').count()).toBe(0)
      const codes = await doorCodesOfOrder(t.db, order.id)
      expect(codes).toHaveLength(2)
      for (const code of codes) {
        const qr = page.getByRole('img', { name: `QR code for ticket ${code}` })
        await qr.evaluate((img: HTMLImageElement) => img.decode())
        expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth), code).toBeGreaterThan(0)
      }
      const paid = await t.db.selectFrom('orders').select(['status', 'paidAt']).where('id', '=', order.id).executeTakeFirstOrThrow()
      expect(paid.status).toBe('paid')
      expect(paid.paidAt).not.toBeNull()
    },
  )

  it('comes back unpaid when the buyer gives up on the payment page, and pays from the order page', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { eventId } = await eventWithEveryMethod(t, organiser)
    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(`/buy-tickets/${eventId}`)
    await page.getByLabel('Student').fill('1')
    await page.getByLabel('Name').fill('Gil Givesup')
    await page.getByLabel('Email').fill('gil@example.test')
    await Promise.all([page.waitForURL(`${standIn.url}/pay/**`), page.getByRole('button', { name: 'Buy tickets' }).click()])
    await Promise.all([page.waitForURL(`${t.origin}/orders/**`), page.getByRole('button', { name: 'Cancel' }).click()])
    await page.getByText('This order is waiting for its payment.').waitFor()

    await Promise.all([page.waitForURL(`${standIn.url}/pay/**`), page.getByRole('button', { name: 'Pay now (€15.00)' }).click()])
    await Promise.all([page.waitForURL(`${t.origin}/orders/**`), page.getByRole('button', { name: 'Pay' }).click()])
    expect(await page.locator('.summary').textContent()).toMatch(/Card · Paid on /)
    expect(await page.locator('.ticket__qr img').count()).toBe(1)
  })
})

describeInBrowser(
  'the pages of payments, for everyone',
  (kind) => {
    const { t } = useCardApp(kind)
    let eventId: number
    let typeId: number
    let buyer: Persona
    let organiser: Persona
    let formKeys = 0

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser')
      buyer = await createUser(t.db, 'attendee', { name: 'Bea Buyer' })
      ;({ eventId, typeId } = await eventWithEveryMethod(t, organiser))
    })

    /** A page that axe may be injected into, with the buyer logged in. */
    async function asBuyer(): Promise<Page> {
      const page = await t.newPage({ bypassCSP: true })
      await logIn(page, buyer)
      return page
    }

    /** The order page of the buyer's order paid by `method`, after `then` has done to it what it does. */
    async function orderPage(method: string, deadline: number | null, then?: (orderId: number) => Promise<unknown>) {
      // Placed as the buy form places it: the fixture's ticket codes have no QR code to draw.
      const { id } = await placeOrder(t.db, {
        cart: {
          eventId,
          quantities: new Map([[typeId, 2]]),
          seen: { currency: 'EUR', prices: new Map([[typeId, 2500]]) },
          formKey: `payment-pages-${(formKeys += 1)}`,
        },
        buyer: { name: buyer.name, email: buyer.email, browser: null },
        actor: { userId: buyer.id, label: buyer.email, isAdmin: false, ip: null },
        settings: { currency: 'EUR', maxTicketsPerOrder: 10, siteUrl: t.origin },
        channel: { kind: 'online' },
        payment: { method, deadline },
      })
      await then?.(id)
      const { code, accessKey } = await t.db
        .selectFrom('orders')
        .select(['code', 'accessKey'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const page = await asBuyer()
      await page.goto(`/orders/${code}?key=${accessKey}`)
      return page
    }

    const markedPaid = (orderId: number) =>
      recordPaymentByHand(t.db, orderId, 'bank-transfer', { userId: organiser.id, label: organiser.email, isAdmin: false, ip: null })
    async function lapsed(orderId: number) {
      const past = Date.now() - 1000
      await t.db.updateTable('orders').set({ paymentDeadline: past }).where('id', '=', orderId).execute()
      await t.db.updateTable('events').set({ nextExpiryAt: past }).where('id', '=', eventId).execute()
      await settle(t.db, { id: eventId, held: 0, nextExpiryAt: past })
    }

    const pages: [string, () => Promise<Page>][] = [
      [
        'the buy form with its payment methods',
        async () => {
          const page = await asBuyer()
          await page.goto(`/buy-tickets/${eventId}`)
          await page.getByRole('group', { name: 'How you pay' }).waitFor()
          return page
        },
      ],
      ['an order awaiting a bank transfer', () => orderPage('bank-transfer', Date.now() + 72 * HOUR)],
      ['an order awaiting its card payment', () => orderPage('card', Date.now() + HOUR)],
      ['an order to pay at the door', () => orderPage('at-door', null)],
      ['a paid order', () => orderPage('bank-transfer', Date.now() + 72 * HOUR, markedPaid)],
      ['an expired order', () => orderPage('card', Date.now() + HOUR, lapsed)],
      [
        'My tickets',
        async () => {
          const page = await asBuyer()
          await page.goto('/my-tickets')
          return page
        },
      ],
    ]

    it.each(pages)('%s: axe finds nothing serious or critical at 390 and 1280 px, light or dark', async (_name, open) => {
      const page = await open()
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 })
        expect(await axeProblems(page), `at ${width} px`).toEqual([])
      }
    })

    it.each(pages)('%s: fits a phone, with nothing that scrolls the page sideways', async (_name, open) => {
      const page = await open()
      await page.setViewportSize({ width: 390, height: 844 })
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
      expect(widths.page, 'page width at a 390 px viewport').toBeLessThanOrEqual(widths.screen)
    })
  },
  { sqliteOnly: true },
)
