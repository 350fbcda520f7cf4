import type { Db } from '../../src/db/database.js'
import type { OrderStatus } from '../../src/db/schema.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { type PaymentChoice, placeOrder as placeOrderOf } from '../../src/features/purchase/purchase.service.js'

export interface OrderFixture {
  buyerName?: string
  buyerEmail?: string
  quantity?: number
  status?: OrderStatus
  /** When it was placed; now unless told. */
  createdAt?: number
  /** The site's currency when it was placed; EUR, the site's currency when the tests begin, unless told. */
  currency?: string
  /** How a priced order will be paid, and until when it holds its tickets; at the door (never lapsing) unless told. */
  payment?: PaymentChoice
}

let orderCounter = 0

/**
 * An order of `quantity` tickets of one type, placed by the real purchase at
 * the price the ticket type has, and cancelled by the buyer's real
 * cancellation for status 'cancelled': the sold counters and audit entries are
 * what the app itself leaves. Not told to the live updates (no eventChanges).
 *
 * Two things the purchase cannot produce are written afterwards, straight in
 * the database: a createdAt in the past (a purchase happens now), and the
 * ticket codes TKT<order code>N<i>, i from 0 in ticket order, which tests
 * search for and expect in exports (a purchase's codes are random).
 */
export async function placeOrder(
  db: Db,
  eventId: number,
  ticketTypeId: number,
  order: OrderFixture = {},
): Promise<{ id: number; code: string }> {
  orderCounter += 1
  const quantity = order.quantity ?? 1
  const currency = order.currency ?? 'EUR'
  const buyerEmail = order.buyerEmail ?? `buyer${orderCounter}@example.test`
  const type = await db.selectFrom('ticketTypes').select('priceMinor').where('id', '=', ticketTypeId).executeTakeFirstOrThrow()
  const placed = await placeOrderOf(db, {
    cart: {
      eventId,
      quantities: new Map([[ticketTypeId, quantity]]),
      seen: { currency, prices: new Map([[ticketTypeId, type.priceMinor]]) },
      formKey: `fixture-order-${process.pid}-${orderCounter}`,
    },
    buyer: { name: order.buyerName ?? `Buyer ${orderCounter}`, email: buyerEmail, browser: null },
    actor: { userId: null, label: buyerEmail, isAdmin: false, ip: null },
    settings: { currency, maxTicketsPerOrder: quantity, siteUrl: 'http://admit-one.test' },
    channel: { kind: 'online' },
    payment: order.payment,
  })
  if (order.status === 'cancelled') {
    const audit = { actorId: null, actorLabel: buyerEmail, action: 'order.cancelled_by_buyer', subjectType: 'order', subjectId: placed.id }
    await cancelOrder(db, { id: placed.id, eventId, buyerEmail, locale: 'en' }, audit, 'http://admit-one.test')
  }
  if (order.createdAt !== undefined) {
    await db.updateTable('orders').set({ createdAt: order.createdAt }).where('id', '=', placed.id).execute()
  }
  const tickets = await db.selectFrom('tickets').select('id').where('orderId', '=', placed.id).orderBy('id').execute()
  for (const [i, ticket] of tickets.entries()) {
    await db
      .updateTable('tickets')
      .set({ code: `TKT${placed.code}N${i}` })
      .where('id', '=', ticket.id)
      .execute()
  }
  return { id: placed.id, code: placed.code }
}
