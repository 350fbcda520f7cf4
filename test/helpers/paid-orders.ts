import type { Db } from '../../src/db/database.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { type OrderFixture, placeOrder } from './orders.js'

/** Who takes the money in these fixtures, as the audit log and the payment's recorded_by name them. */
export const CASHIER = { userId: null, label: 'cashier@example.test', isAdmin: false, ip: null }

/**
 * A priced order is placed pending (paid at the door unless told): for a
 * test about what comes after the payment (admission, cancelling a paid
 * order), its payment recorded by hand, by the app's own function, as the
 * organiser's "mark paid" or the door's "Paid — let in" do. Throws when the
 * order could not be paid, so that a test never goes on with an unpaid one.
 */
export async function payByHand(db: Db, orderId: number): Promise<void> {
  const order = await db.selectFrom('orders').select(['status', 'paymentMethod']).where('id', '=', orderId).executeTakeFirstOrThrow()
  if (order.status === 'paid') return
  const paid = await recordPaymentByHand(db, orderId, order.paymentMethod, CASHIER)
  if (paid.kind !== 'paid') throw new Error(`order ${orderId} could not be paid: ${paid.kind}`)
}

/** The placeOrder fixture's order, paid (see payByHand). */
export async function placePaidOrder(
  db: Db,
  eventId: number,
  ticketTypeId: number,
  order: Omit<OrderFixture, 'status'> = {},
): Promise<{ id: number; code: string }> {
  const placed = await placeOrder(db, eventId, ticketTypeId, order)
  await payByHand(db, placed.id)
  return placed
}
