import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { GUARDED as GUARDED_CONFIRM } from '../../src/features/payments/confirm.js'
import {
  type CardBuyer,
  offerCard,
  onInstance,
  orderByCard,
  payOnPage,
  paymentTraces,
  postWebhook,
  sessionCompleted,
  showsPaid,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'
import type { StripeStandIn } from '../helpers/stripe-stand-in.js'

/**
 * One card payment learnt of three ways at the same moment: the buyer's
 * return from the payment page, Stripe's webhook, and views of the order
 * page, each of which asks Stripe and confirms what it says. Of all of them
 * one confirms; the order is paid once, with one mail and one audit entry,
 * and nothing is refunded.
 */

/** Returns from the payment page, and as many other views of the order page. */
const VIEWS = 10

function useCardSale(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async (instances: number, seams?: ServerOptions['seams']) => {
    const { urls, db } = await listen(instances, { ...stripeAt(standIn()), seams })
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ capacity: 10 }] })
    await offerCard(db, event.id)
    const buyer = await orderByCard(db, standIn(), { baseUrl: urls[0]!, eventId: event.id, ticketTypeId: ticketTypes[0]!.id, quantity: 2 })
    return { urls, db, standIn: standIn(), buyer }
  }
}

interface Outcome {
  webhook: number
  views: { status: number; paid: boolean }[]
}

/** The buyer pays (no webhook yet); then the return URL, the webhook and the views all go at once, spread over the instances. */
async function confirmAllAtOnce(urls: string[], standIn: StripeStandIn, buyer: CardBuyer): Promise<Outcome> {
  const returnUrl = await payOnPage(buyer)
  const webhook = sessionCompleted(standIn, buyer)
  const pages = Array.from({ length: VIEWS }, (_, i) => [
    onInstance(returnUrl, urls[i % urls.length]!),
    onInstance(buyer.orderPage, urls[(i + 1) % urls.length]!),
  ]).flat()
  const [status, ...responses] = await Promise.all([
    postWebhook(urls.at(-1)!, webhook),
    ...pages.map((page) => fetch(page, { headers: { cookie: buyer.cookie } })),
  ])
  const views = await Promise.all(
    (responses as Response[]).map(async (response) => ({ status: response.status, paid: showsPaid(await response.text()) })),
  )
  return { webhook: status as number, views }
}

/** What must hold once the same payment was confirmed from everywhere at once, as broken rules (none when all hold). */
async function confirmViolations(db: Db, buyer: CardBuyer, outcome: Outcome): Promise<string[]> {
  const violations: string[] = []
  const traces = await paymentTraces(db, buyer.orderId)
  if (traces.status !== 'paid') violations.push(`the order is ${traces.status}`)
  if (traces.tickets !== 2) violations.push(`the order has ${traces.tickets} tickets`)
  if (traces.payments.join() !== 'paid') violations.push(`payments: ${traces.payments.join()}`)
  if (traces.paidMails !== 1) violations.push(`${traces.paidMails} order-paid mails`)
  if (traces.paidAudits.join() !== 'order.paid') violations.push(`audited as ${traces.paidAudits.join() || 'nothing'}`)
  if (traces.refunds.length > 0) violations.push(`refunded ${traces.refunds.length} times though paid`)
  if (outcome.webhook !== 200) violations.push(`the webhook answered ${outcome.webhook}`)
  const failed = outcome.views.filter((view) => view.status !== 200)
  if (failed.length > 0) violations.push(`${failed.length} views answered ${failed.map((view) => view.status).join()}`)
  const unpaid = outcome.views.filter((view) => view.status === 200 && !view.paid)
  if (unpaid.length > 0) violations.push(`${unpaid.length} of ${outcome.views.length} views showed the paid order unpaid`)
  return violations
}

describeEachDatabase('a card payment confirmed by its return, its webhook and views at once', (kind) => {
  const start = useCardSale(kind)

  for (const instances of [1, 2]) {
    const where = instances === 1 ? 'on one server' : 'across two instances'
    it.runIf(instances === 1 || kind === 'postgres')(`pays the order once, ${where}`, async () => {
      const { urls, db, standIn, buyer } = await start(instances)
      const outcome = await confirmAllAtOnce(urls, standIn, buyer)

      expect(await confirmViolations(db, buyer, outcome)).toEqual([])
      const notices = await db.selectFrom('paymentNotices').select(['type', 'outcome']).execute()
      expect(notices).toEqual([{ type: 'checkout.session.completed', outcome: expect.stringMatching(/^(paid|already)$/) }])
      // The money stays: Stripe was never asked for a refund.
      expect(standIn.refunds.size).toBe(0)
    })

    it.runIf(instances === 1 || kind === 'postgres')(
      `control: without the conditional move of the payment, the same test catches the paid order refunded, ${where}`,
      async () => {
        const { urls, db, standIn, buyer } = await start(instances, { paymentGuard: { ...GUARDED_CONFIRM, conditional: false } })
        const outcome = await confirmAllAtOnce(urls, standIn, buyer)

        const violations = await confirmViolations(db, buyer, outcome)
        expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^refunded \d+ times though paid/))
      },
    )
  }
})
