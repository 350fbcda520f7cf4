import type { Db } from '../../src/db/database.js'
import type { TestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'
import { holdsCapacityCondition, ticketStandsCondition } from '../../src/features/orders/order.states.js'

/** A published event with its waiting list on and one ticket type, sold out to orders of one ticket each. */
export async function soldOutEvent(db: Db, options: { capacity?: number; maxPerOrder?: number; offerHours?: number } = {}) {
  const capacity = options.capacity ?? 2
  const owner = await createUser(db, 'organiser')
  const { event, ticketTypes } = await createEvent(db, owner.id, {
    title: 'Lantern Night',
    ticketTypes: [{ name: 'Seat', capacity, maxPerOrder: options.maxPerOrder ?? 4 }],
  })
  await db
    .updateTable('events')
    .set({ waitingList: 1, offerHours: options.offerHours ?? 24 })
    .where('id', '=', event.id)
    .execute()
  const orders = []
  for (let i = 0; i < capacity; i++)
    orders.push(await placeOrder(db, event.id, ticketTypes[0]!.id, { buyerEmail: `holder${i}@example.test` }))
  return { owner, eventId: event.id, typeId: ticketTypes[0]!.id, orders }
}

/** Joins through the form, as a browser with JavaScript off does. */
export async function join(app: TestApp, eventId: number, typeId: number, fields: { name?: string; email: string; quantity?: number }) {
  const browser = new TestBrowser(app)
  await browser.get(`/event/${eventId}/waiting-list?type=${typeId}`)
  const response = await browser.post(`/event/${eventId}/waiting-list`, {
    type: String(typeId),
    name: fields.name ?? 'Wendy Waiter',
    email: fields.email,
    quantity: String(fields.quantity ?? 1),
  })
  return { browser, response }
}

/** Cancels an order as its buyer would, by its kept link. */
export async function cancelAsBuyer(app: TestApp, db: Db, orderId: number) {
  const order = await db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', orderId).executeTakeFirstOrThrow()
  const browser = new TestBrowser(app)
  await browser.get(`/orders/${order.code}/cancel?key=${order.accessKey}`)
  return browser.post(`/orders/${order.code}/cancel`, { key: order.accessKey })
}

/** The counters and what the rows say they should be: held and sold never above capacity, and the counters equal to the rows. */
export async function capacityViolations(db: Db, eventId: number): Promise<string[]> {
  const violations: string[] = []
  const event = await db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow()
  const types = await db.selectFrom('ticketTypes').selectAll().where('eventId', '=', eventId).execute()
  for (const type of types) {
    const tickets = await db
      .selectFrom('tickets')
      .innerJoin('orders', 'orders.id', 'tickets.orderId')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tickets.ticketTypeId', '=', type.id)
      .where(holdsCapacityCondition)
      .where(ticketStandsCondition)
      .executeTakeFirstOrThrow()
    const offers = await db
      .selectFrom('waitingListEntries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('offeredQuantity'), eb.lit(0)).as('held'))
      .where('ticketTypeId', '=', type.id)
      .where('state', '=', 'offered')
      .executeTakeFirstOrThrow()
    if (type.sold > type.capacity) violations.push(`${type.name}: oversold, ${type.sold} sold of capacity ${type.capacity}`)
    if (type.sold + type.held > type.capacity)
      violations.push(`${type.name}: sold ${type.sold} + held ${type.held} above capacity ${type.capacity}`)
    if (type.held < 0) violations.push(`${type.name}: held ${type.held} below zero`)
    if (type.sold !== Number(tickets.count))
      violations.push(`${type.name}: sold ${type.sold} but ${tickets.count} tickets of orders holding capacity`)
    if (type.held !== Number(offers.held)) violations.push(`${type.name}: held ${type.held} but open offers hold ${offers.held}`)
  }
  const sold = types.reduce((sum, type) => sum + type.sold, 0)
  const held = types.reduce((sum, type) => sum + type.held, 0)
  if (event.sold !== sold || event.held !== held)
    violations.push(`event counters ${event.sold}/${event.held} differ from its types' ${sold}/${held}`)
  return violations
}

/** The token of the offer link in a message's text. */
export function offerTokenIn(text: string): string {
  const token = /\?offer=([A-Za-z0-9_-]+)/.exec(text)?.[1]
  if (!token) throw new Error(`no offer link in: ${text}`)
  return token
}
