import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { translator } from '../../src/i18n/translate.js'
import { expectAccessibleAtWidths } from '../helpers/axe.js'
import { type CardBuyer, orderByCard, payOnPage, paymentTraces, showsPaid } from '../helpers/card-payments.js'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * The organiser cancels one ticket of a paid card order in chromium with
 * JavaScript off: from the orders page to the form, the page that asks to
 * confirm, and back to the orders page, the ticket cancelled and its price
 * on its way back through Stripe. axe finds nothing serious on the pages it
 * walks (the form, the form with its mistakes, the confirmation, the orders
 * page and the buyer's order page showing the cancelled ticket) at 390 and 1280 px.
 */

const t = translator('en')
const PRICE = 2500

function useCardApp(kind: Parameters<typeof useBrowserApp>[0]): { app: BrowserApp; standIn: StripeStandIn } {
  const standIn = new StripeStandIn()
  beforeAll(() => standIn.start())
  afterAll(() => standIn.close())
  const app = useBrowserApp(kind, {
    config: () => ({ stripe: { secretKey: standIn.secretKey, webhookSecret: 'whsec_test_secret', apiUrl: standIn.url } }),
  })
  return { app, standIn }
}

/** An organiser's event sold by card, in one app with a Stripe stand-in; its paid orders, and pages as its organiser. */
function useCancelTickets(kind: Parameters<typeof useBrowserApp>[0]) {
  const { app, standIn } = useCardApp(kind)
  let organiser: Persona
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    organiser = await createUser(app.db, 'organiser')
    const { event, ticketTypes } = await createEvent(app.db, organiser.id, {
      title: 'Quayside Jazz Night',
      ticketTypes: [{ name: 'Standard', priceMinor: PRICE, capacity: 50, maxPerOrder: 6 }],
    })
    await app.db.updateTable('events').set({ paymentMethods: 'card' }).where('id', '=', event.id).execute()
    eventId = event.id
    typeId = ticketTypes[0]!.id
  })

  /** A card order of three tickets, paid on the stand-in's page and confirmed by the buyer's return. */
  async function paidOrder(): Promise<CardBuyer> {
    const buyer = await orderByCard(app.db, standIn, { baseUrl: app.origin, eventId, ticketTypeId: typeId, quantity: 3 })
    const back = await fetch(await payOnPage(buyer), { headers: { cookie: buyer.cookie } })
    expect(showsPaid(await back.text())).toBe(true)
    return buyer
  }

  async function asOrganiser(options: { javaScriptEnabled?: boolean; bypassCSP?: boolean }): Promise<Page> {
    const page = await app.newPage(options)
    await logIn(page, organiser)
    return page
  }

  return {
    app,
    standIn,
    paidOrder,
    asOrganiser,
    get organiser() {
      return organiser
    },
    get eventId() {
      return eventId
    },
  }
}

describeInBrowser('the organiser cancelling some tickets of an order', (kind) => {
  const made = useCancelTickets(kind)
  const { app, standIn, paidOrder, asOrganiser } = made

  it('with JavaScript off: ticks one of three tickets, sees what will happen, confirms, and the ticket is cancelled and its price refunded', async () => {
    const buyer = await paidOrder()
    const codes = await doorCodesOfOrder(app.db, buyer.orderId)
    const page = await asOrganiser({ javaScriptEnabled: false })

    await page.goto(`/events/${made.eventId}/orders?q=${buyer.code}`)
    await page.getByText(t('organiser.orders.moreActions')).click()
    await Promise.all([
      page.waitForURL(`**/orders/${buyer.code}/cancel-tickets`),
      page.getByRole('link', { name: t('organiser.orders.cancelTickets') }).click(),
    ])
    await page.getByRole('heading', { name: t('payments.cancelTickets.heading', { code: buyer.code }) }).waitFor()

    // Sent with nothing ticked: the form comes back with what was typed, and says why.
    await page.getByLabel(t('payments.cancelTickets.amount')).fill('10.00')
    await page.getByRole('button', { name: t('payments.cancelTickets.review') }).click()
    await page.getByRole('alert').getByText(t('payments.cancelTickets.chooseOne')).waitFor()
    expect(await page.getByLabel(t('payments.cancelTickets.amount')).inputValue()).toBe('10.00')

    await page.getByLabel(t('payments.cancelTickets.amount')).fill('')
    await page.getByLabel(codes[1]!).check()
    await page.getByRole('button', { name: t('payments.cancelTickets.review') }).click()
    await page.getByRole('heading', { name: t('payments.cancelTickets.reviewHeading') }).waitFor()
    await page.getByText(t('payments.cancelTickets.reviewRefund', { amount: '€25.00' })).waitFor()
    await Promise.all([
      page.waitForURL(`**/events/${made.eventId}/orders?q=${buyer.code}`),
      page.getByRole('button', { name: t('payments.cancelTickets.confirm', { count: 1 }) }).click(),
    ])
    await page.getByText(t('flash.payments.ticketsCancelled', { code: buyer.code, count: 1 })).waitFor()
    expect(await page.locator('.ticket-line--cancelled code').textContent()).toBe(codes[1])

    await app.app.mail.runRound()
    const traces = await paymentTraces(app.db, buyer.orderId)
    expect(traces.refunds).toEqual([{ reason: 'organiser', state: 'done', amountMinor: PRICE, idempotencyKey: expect.any(String) }])
    expect([...standIn.refunds.values()].filter((refund) => refund.amount === PRICE)).toHaveLength(1)
    const cancelled = await app.db
      .selectFrom('tickets')
      .select('id')
      .where('orderId', '=', buyer.orderId)
      .where('cancelledAt', 'is not', null)
      .execute()
    expect(cancelled).toHaveLength(1)
  })
})

describeInBrowser(
  'the pages of cancelling some tickets',
  (kind) => {
    const made = useCancelTickets(kind)
    const { app, paidOrder, asOrganiser } = made

    const pages: [string, (buyer: CardBuyer) => Promise<Page>][] = [
      [
        'the form, with a ticket checked in',
        async (buyer) => {
          await checkIn(buyer)
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${buyer.code}/cancel-tickets`)
          await page.getByText(t('payments.cancelTickets.checkedInKept')).waitFor()
          return page
        },
      ],
      [
        'the form with its mistakes',
        async (buyer) => {
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${buyer.code}/cancel-tickets`)
          await page.getByLabel(t('payments.cancelTickets.amount')).fill('a lot')
          await page.getByRole('button', { name: t('payments.cancelTickets.review') }).click()
          await page.getByRole('alert').waitFor()
          return page
        },
      ],
      [
        'the page that asks to confirm',
        async (buyer) => {
          const page = await asOrganiser({ bypassCSP: true })
          await page.goto(`/events/${made.eventId}/orders/${buyer.code}/cancel-tickets`)
          await page.getByLabel((await doorCodesOfOrder(app.db, buyer.orderId))[0]!).check()
          await page.getByRole('button', { name: t('payments.cancelTickets.review') }).click()
          await page.getByRole('heading', { name: t('payments.cancelTickets.reviewHeading') }).waitFor()
          return page
        },
      ],
      [
        'the orders page with a cancelled ticket',
        async (buyer) => {
          const page = await cancelOne(buyer)
          await page.goto(`/events/${made.eventId}/orders`)
          return page
        },
      ],
      [
        "the buyer's order page with a cancelled ticket",
        async (buyer) => {
          await cancelOne(buyer)
          const page = await app.newPage({ bypassCSP: true })
          await page.goto(buyer.orderPage.replace(buyer.baseUrl, ''))
          await page.getByText(t('purchase.order.ticketCancelledNote')).waitFor()
          return page
        },
      ],
    ]

    /** The buyer's last ticket let in at the door (as the check-in writes it), so that the form keeps it out. */
    async function checkIn(buyer: CardBuyer): Promise<void> {
      const [last] = await app.db.selectFrom('tickets').select('id').where('orderId', '=', buyer.orderId).orderBy('id', 'desc').execute()
      const now = Date.now()
      await app.db
        .updateTable('tickets')
        .set({ checkedInAt: now, checkedInBy: made.organiser.email, checkedInGate: 'North' })
        .where('id', '=', last!.id)
        .execute()
      await app.db
        .insertInto('checkIns')
        .values({
          eventId: made.eventId,
          ticketId: last!.id,
          action: 'in',
          at: now,
          scannedAt: null,
          actorId: made.organiser.id,
          actorLabel: made.organiser.email,
          gate: 'North',
          nonce: null,
        })
        .execute()
    }

    /** Cancels the buyer's first ticket through the form, as the organiser; the organiser's page. */
    async function cancelOne(buyer: CardBuyer): Promise<Page> {
      const page = await asOrganiser({ bypassCSP: true })
      await page.goto(`/events/${made.eventId}/orders/${buyer.code}/cancel-tickets`)
      await page.getByLabel((await doorCodesOfOrder(app.db, buyer.orderId))[0]!).check()
      await page.getByRole('button', { name: t('payments.cancelTickets.review') }).click()
      await Promise.all([
        page.waitForURL('**/orders?q=*'),
        page.getByRole('button', { name: t('payments.cancelTickets.confirm', { count: 1 }) }).click(),
      ])
      return page
    }

    it.each(pages)('%s: axe finds nothing serious or critical at 390 and 1280 px, light or dark', async (_name, open) => {
      const page = await open(await paidOrder())
      await expectAccessibleAtWidths(page)
    })
  },
  { sqliteOnly: true },
)
