import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { translator } from '../../src/i18n/translate.js'
import { axeProblems } from '../helpers/axe.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { type Persona, createUser } from '../helpers/personas.js'

/**
 * Changing an order in chromium with JavaScript off: the organiser moves a
 * ticket to another ticket type of the same price (from the orders page to
 * the ticket, the type, the page that asks to confirm, and back) and sends
 * an order's confirmation again to a corrected address (a mistyped one
 * first, which comes back as typed). axe finds nothing serious or critical
 * on the new pages at 390 and 1280 px, light or dark, and nothing scrolls
 * the page sideways.
 */

const t = translator('en')

function useOrderChanges(kind: Parameters<typeof useBrowserApp>[0]) {
  const app = useBrowserApp(kind)
  let organiser: Persona
  let eventId: number
  let types: { hall: number; balcony: number }

  beforeAll(async () => {
    organiser = await createUser(app.db, 'organiser')
    const { event, ticketTypes } = await createEvent(app.db, organiser.id, {
      title: 'Quayside Jazz Night',
      ticketTypes: [
        { name: 'Hall', priceMinor: 2500, capacity: 50, maxPerOrder: 6 },
        { name: 'Balcony', priceMinor: 2500, capacity: 10, maxPerOrder: 6 },
        { name: 'Front row', priceMinor: 4000, capacity: 10, maxPerOrder: 6 },
      ],
    })
    eventId = event.id
    types = { hall: ticketTypes[0]!.id, balcony: ticketTypes[1]!.id }
  })

  async function asOrganiser(options: { javaScriptEnabled?: boolean; bypassCSP?: boolean }): Promise<Page> {
    const page = await app.newPage(options)
    await logIn(page, organiser)
    return page
  }

  return {
    app,
    asOrganiser,
    /** An order of two Hall tickets, to pay at the door. */
    order: (email = 'jo@example.test') =>
      placeOrder(app.db, eventId, types.hall, { buyerEmail: email, buyerName: 'Jo Buyer', quantity: 2 }),
    get eventId() {
      return eventId
    },
    get types() {
      return types
    },
  }
}

async function openMoreActions(page: Page, eventId: number, code: string) {
  await page.goto(`/events/${eventId}/orders?q=${code}`)
  await page.getByText(t('organiser.orders.moreActions')).click()
}

describeInBrowser('the organiser changing an order', (kind) => {
  const made = useOrderChanges(kind)
  const { app, asOrganiser } = made

  it('with JavaScript off: moves a ticket to another type of the same price, confirming first', async () => {
    const order = await made.order()
    const codes = await doorCodesOfOrder(app.db, order.id)
    const page = await asOrganiser({ javaScriptEnabled: false })

    await openMoreActions(page, made.eventId, order.code)
    await Promise.all([
      page.waitForURL(`**/orders/${order.code}/move-ticket`),
      page.getByRole('link', { name: t('orderChanges.orders.moveTicket') }).click(),
    ])
    await page.getByRole('heading', { name: t('orderChanges.move.ticketsHeading') }).waitFor()
    await page.getByRole('link', { name: `${t('orderChanges.move.chooseThis')} ${codes[1]}` }).click()

    // Sent with no type chosen: the form comes back and says why.
    await page.getByRole('button', { name: t('orderChanges.move.review') }).click()
    await page.getByRole('alert').getByText(t('orderChanges.move.chooseType')).waitFor()
    expect(await page.getByRole('radio', { name: /Front row/ }).isDisabled()).toBe(true)

    await page.getByRole('radio', { name: /Balcony/ }).check()
    await page.getByRole('button', { name: t('orderChanges.move.review') }).click()
    await page.getByRole('heading', { name: t('orderChanges.move.reviewHeading') }).waitFor()
    await page.getByText(t('orderChanges.move.reviewLine', { code: codes[1]!, price: '€25.00', from: 'Hall', to: 'Balcony' })).waitFor()
    await Promise.all([
      page.waitForURL(`**/events/${made.eventId}/orders?q=${order.code}`),
      page.getByRole('button', { name: t('orderChanges.move.confirm') }).click(),
    ])
    await page.getByText(t('flash.orderChanges.moved', { ticket: codes[1]!, code: order.code, type: 'Balcony' })).waitFor()
    expect(await page.locator('.orders-table li', { hasText: codes[1]! }).locator('bdi').first().textContent()).toBe('Balcony')

    const [ticket] = await app.db
      .selectFrom('tickets')
      .select('ticketTypeId')
      .where('orderId', '=', order.id)
      .orderBy('id', 'desc')
      .execute()
    expect(ticket!.ticketTypeId).toBe(made.types.balcony)
  })

  it("with JavaScript off: sends an order's confirmation again to a corrected address, a mistyped one coming back as typed", async () => {
    const order = await made.order('kim@exmaple')
    const page = await asOrganiser({ javaScriptEnabled: false })

    await openMoreActions(page, made.eventId, order.code)
    const field = page.getByLabel(t('orderChanges.orders.resendTo'))
    expect(await field.inputValue()).toBe('kim@exmaple')
    await Promise.all([
      page.waitForURL(`**/orders/${order.code}/resend`),
      page.getByRole('button', { name: new RegExp(t('orderChanges.orders.resendConfirmation')) }).click(),
    ])
    await page.getByRole('alert').getByText(t('orderChanges.resend.emailInvalid')).waitFor()
    expect(await page.getByLabel(t('orderChanges.resend.email')).inputValue()).toBe('kim@exmaple')

    await page.getByLabel(t('orderChanges.resend.email')).fill('kim@example.test')
    await Promise.all([
      page.waitForURL(`**/events/${made.eventId}/orders?q=${order.code}`),
      page.getByRole('button', { name: t('orderChanges.resend.submit') }).click(),
    ])
    await page
      .getByText(t('flash.orderChanges.resent', { mail: 'confirmation', code: order.code, email: 'kim@example.test', changed: 'yes' }))
      .waitFor()
    const row = await app.db.selectFrom('orders').select('buyerEmail').where('id', '=', order.id).executeTakeFirstOrThrow()
    expect(row.buyerEmail).toBe('kim@example.test')
    const mails = await app.db.selectFrom('outbox').select('recipient').where('kind', '=', 'order-confirmation').execute()
    expect(mails.filter((mail) => mail.recipient === 'kim@example.test')).toHaveLength(1)
  })
})

describeInBrowser(
  'the pages of changing an order',
  (kind) => {
    const made = useOrderChanges(kind)
    const { app, asOrganiser } = made

    const pages: [string, (code: string, orderId: number) => Promise<Page>][] = [
      [
        'the orders page with its actions open',
        async (code) => {
          const page = await asOrganiser({ bypassCSP: true })
          await openMoreActions(page, made.eventId, code)
          return page
        },
      ],
      [
        'the tickets of the order to move',
        async (code) => {
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${code}/move-ticket`)
          await page.getByRole('heading', { name: t('orderChanges.move.ticketsHeading') }).waitFor()
          return page
        },
      ],
      [
        'the types a ticket may go to, with its mistake',
        async (code, orderId) => {
          const [ticket] = await app.db.selectFrom('tickets').select('id').where('orderId', '=', orderId).execute()
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${code}/move-ticket?ticket=${ticket!.id}`)
          await page.getByRole('button', { name: t('orderChanges.move.review') }).click()
          await page.getByRole('alert').waitFor()
          return page
        },
      ],
      [
        'the page that asks to confirm the move',
        async (code, orderId) => {
          const [ticket] = await app.db.selectFrom('tickets').select('id').where('orderId', '=', orderId).execute()
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${code}/move-ticket?ticket=${ticket!.id}`)
          await page.getByRole('radio', { name: /Balcony/ }).check()
          await page.getByRole('button', { name: t('orderChanges.move.review') }).click()
          await page.getByRole('heading', { name: t('orderChanges.move.reviewHeading') }).waitFor()
          return page
        },
      ],
      [
        'the page to send the mail again, with a mistyped address',
        async (code) => {
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${code}/resend`)
          await page.getByLabel(t('orderChanges.resend.email')).fill('not an address')
          await page.getByRole('button', { name: t('orderChanges.resend.submit') }).click()
          await page.getByRole('alert').waitFor()
          return page
        },
      ],
    ]

    it.each(pages)('%s: axe finds nothing serious or critical at 390 and 1280 px, light or dark', async (_name, open) => {
      const order = await made.order(`axe-${Math.random().toString(36).slice(2)}@example.test`)
      const page = await open(order.code, order.id)
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 })
        expect(await axeProblems(page), `at ${width} px`).toEqual([])
        const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
        expect(widths.page, `nothing scrolls the page sideways at ${width} px`).toBeLessThanOrEqual(widths.screen)
      }
    })
  },
  { sqliteOnly: true },
)
