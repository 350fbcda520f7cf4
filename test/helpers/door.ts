import type { Db } from '../../src/db/database.js'
import { signDoorCode } from '../../src/lib/door-code.js'
import { checkInSecretOf } from '../../src/features/events/event.repository.js'

/** The door code of each ticket of the order (what its QR code carries), in ticket id order. */
export async function doorCodesOfOrder(db: Db, orderId: number): Promise<string[]> {
  const tickets = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .select(['tickets.id', 'orders.eventId'])
    .where('tickets.orderId', '=', orderId)
    .orderBy('tickets.id')
    .execute()
  const codes: string[] = []
  for (const ticket of tickets) codes.push(await doorCodeOf(db, ticket.eventId, ticket.id))
  return codes
}

export async function doorCodeOf(db: Db, eventId: number, ticketId: number): Promise<string> {
  const event = await db.selectFrom('events').select(['id', 'checkInSecret']).where('id', '=', eventId).executeTakeFirstOrThrow()
  return signDoorCode(await checkInSecretOf(db, event), eventId, ticketId)
}
