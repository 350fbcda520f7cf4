import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { TestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import {
  type CardBuyer,
  capacityCounts,
  lapseDeadline,
  offerCard,
  orderByCard,
  stripeAt,
  useStripeStandIn,
} from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'
import { useListeningServers } from '../helpers/servers.js'
import { capacityViolations, join } from '../waiting-list/support.js'

/**
 * Unpaid card orders lapse lazily, at their deadline, with no job runner:
 * whatever reads or decides the event's availability first (the upkeep
 * round, a view of the event's page, a purchase) lapses them, gives their
 * tickets back (to the waiting list first when it is on), tells each buyer,
 * and sets the event's next expiry to the next deadline still waiting.
 */

const PRICE = 2500
const CAPACITY = 3
const WAITER = 'next-in-line@example.test'

function useLapsingSale(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  const standIn = useStripeStandIn()
  return async (options: { waitingList: boolean; ready?: Ready }) => {
    const { urls, apps, db } = await listen(1, stripeAt(standIn()))
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, { ticketTypes: [{ capacity: CAPACITY, priceMinor: PRICE }] })
    await offerCard(db, event.id, 'card,at-door')
    await db
      .updateTable('events')
      .set({ waitingList: options.waitingList ? 1 : 0 })
      .where('id', '=', event.id)
      .execute()
    const sale = { app: apps[0]!, url: urls[0]!, db, eventId: event.id, ticketTypeId: ticketTypes[0]!.id }
    const buy = { baseUrl: sale.url, eventId: sale.eventId, ticketTypeId: sale.ticketTypeId }
    // Sold out to two unpaid card orders: one to lapse, one still within its hold.
    const lapsing = await orderByCard(db, standIn(), { ...buy, quantity: 2 })
    // What lapses the order readies itself while a ticket is left (a buy form open).
    const lapse = await (options.ready ?? PATHS['the upkeep round']!)(sale)
    const waiting = await orderByCard(db, standIn(), buy)
    if (options.waitingList) await join(sale.app, sale.eventId, sale.ticketTypeId, { email: WAITER })
    return { ...sale, lapsing, waiting, lapse }
  }
}

/** The event being sold, as the ways to lapse an order reach it. */
interface Place {
  app: TestApp
  url: string
  eventId: number
  ticketTypeId: number
}

/** A way an order is lapsed: it readies itself, then, once the deadline has passed, lapses it; returns the tickets it bought. */
type Ready = (place: Place) => Promise<() => Promise<number>>

/** The order, and what its lapsing leaves: its state, when it lapsed, the mails telling its buyer. */
async function lapseOf(db: Db, buyer: CardBuyer) {
  const order = await db
    .selectFrom('orders')
    .select(['status', 'expiredAt', 'buyerEmail', 'paymentDeadline'])
    .where('id', '=', buyer.orderId)
    .executeTakeFirstOrThrow()
  const mails = await db.selectFrom('outbox').select(['recipient', 'data']).where('kind', '=', 'order-expired').execute()
  return {
    status: order.status,
    lapsed: order.expiredAt !== null,
    expiredMails: mails
      .filter((mail) => (JSON.parse(mail.data) as { orderId: number }).orderId === buyer.orderId)
      .map((mail) => mail.recipient),
    buyerEmail: order.buyerEmail,
    deadline: order.paymentDeadline,
  }
}

async function nextExpiryOf(db: Db, eventId: number): Promise<number | null> {
  const event = await db.selectFrom('events').select('nextExpiryAt').where('id', '=', eventId).executeTakeFirstOrThrow()
  return event.nextExpiryAt === null ? null : Number(event.nextExpiryAt)
}

async function waiterOf(db: Db, eventId: number) {
  return db
    .selectFrom('waitingListEntries')
    .select(['state', 'offeredQuantity'])
    .where('eventId', '=', eventId)
    .where('email', '=', WAITER)
    .executeTakeFirstOrThrow()
}

/** A purchase of one ticket at the door, its form opened earlier (opening it settles too). */
const purchaseOfOne: Ready = async (sale) => {
  const browser = new TestBrowser(sale.app)
  expect((await browser.get(`/buy-tickets/${sale.eventId}`)).statusCode).toBe(200)
  return async () => {
    const bought = await browser.post(`/purchase/${sale.eventId}`, {
      [`qty_${sale.ticketTypeId}`]: '1',
      name: 'Rival Buyer',
      email: 'rival@example.test',
      payment: 'at-door',
    })
    expect(bought.statusCode).toBe(303)
    expect(bought.headers.location).toMatch(/^\/purchase\/success\?order=/)
    return 1
  }
}

const PATHS: Record<string, Ready> = {
  'the upkeep round': async (sale) => async () => (await sale.app.upkeep.runRound(), 0),
  "a view of the event's page": async (sale) => async () => {
    const page = await fetch(`${sale.url}/event/${sale.eventId}`)
    expect(page.status).toBe(200)
    await page.body?.cancel()
    return 0
  },
  'a purchase': purchaseOfOne,
}

describeEachDatabase('an unpaid card order past its deadline', (kind) => {
  const start = useLapsingSale(kind)

  for (const [path, ready] of Object.entries(PATHS)) {
    it(`lapses through ${path}: its tickets go to the waiting list first, its buyer is told, the next expiry is the next deadline`, async () => {
      const sale = await start({ waitingList: true, ready })
      const { db, eventId, ticketTypeId } = sale
      await lapseDeadline(db, sale.lapsing.orderId)

      const bought = await sale.lapse()

      const lapsed = await lapseOf(db, sale.lapsing)
      expect(lapsed).toMatchObject({ status: 'expired', lapsed: true, expiredMails: [lapsed.buyerEmail] })
      // Of the two tickets it gave back, the person waiting is offered the one they asked for, before anyone may buy it.
      expect(await waiterOf(db, eventId)).toEqual({ state: 'offered', offeredQuantity: 1 })
      const type = await db.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', ticketTypeId).executeTakeFirstOrThrow()
      expect(type).toEqual({ sold: 1 + bought, held: 1 })
      expect(await capacityCounts(db, eventId, ticketTypeId)).toMatchObject({ eventSold: 1 + bought, ticketsHeld: 1 + bought })
      expect(await capacityViolations(db, eventId)).toEqual([])
      // The order still within its hold waits on, and its deadline is the next one to look at.
      const waiting = await lapseOf(db, sale.waiting)
      expect(waiting).toMatchObject({ status: 'pending', lapsed: false, expiredMails: [] })
      expect(await nextExpiryOf(db, eventId)).toBe(Number(waiting.deadline))
    })
  }

  it('gives its tickets back on sale when the waiting list is off, and leaves no next expiry once no order waits', async () => {
    const sale = await start({ waitingList: false })
    const { app, db, eventId, ticketTypeId } = sale
    await lapseDeadline(db, sale.lapsing.orderId)
    await app.upkeep.runRound()

    expect((await lapseOf(db, sale.lapsing)).status).toBe('expired')
    expect(await capacityCounts(db, eventId, ticketTypeId)).toMatchObject({ eventSold: 1, typeSold: 1, ticketsHeld: 1 })
    expect(await nextExpiryOf(db, eventId)).toBe(Number((await lapseOf(db, sale.waiting)).deadline))

    await lapseDeadline(db, sale.waiting.orderId)
    await app.upkeep.runRound()

    expect(await lapseOf(db, sale.waiting)).toMatchObject({ status: 'expired', lapsed: true, expiredMails: [expect.any(String)] })
    expect(await capacityCounts(db, eventId, ticketTypeId)).toMatchObject({ eventSold: 0, typeSold: 0, ticketsHeld: 0 })
    expect(await nextExpiryOf(db, eventId)).toBeNull()
  })
})
