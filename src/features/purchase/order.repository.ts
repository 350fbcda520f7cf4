import type { Db } from '../../db/database.js'
import type { EventRow, OrderRow } from '../../db/schema.js'

export interface OrderWithTickets {
  order: OrderRow
  event: EventRow
  tickets: { code: string; priceMinor: number; ticketTypeName: string }[]
}

export async function findOrderByCode(db: Db, code: string): Promise<OrderWithTickets | undefined> {
  const order = await db.selectFrom('orders').selectAll().where('code', '=', code).executeTakeFirst()
  if (!order) return undefined
  const event = await db.selectFrom('events').selectAll().where('id', '=', order.eventId).executeTakeFirstOrThrow()
  const tickets = await db
    .selectFrom('tickets')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'tickets.ticketTypeId')
    .select(['tickets.code', 'tickets.priceMinor', 'ticketTypes.name as ticketTypeName'])
    .where('tickets.orderId', '=', order.id)
    .orderBy('tickets.ticketTypeId')
    .orderBy('tickets.id')
    .execute()
  return { order, event, tickets }
}

export async function ticketExists(db: Db, code: string): Promise<boolean> {
  return (await db.selectFrom('tickets').select('id').where('code', '=', code).executeTakeFirst()) !== undefined
}

export async function ordersOfUser(db: Db, userId: number) {
  return db
    .selectFrom('orders')
    .innerJoin('events', 'events.id', 'orders.eventId')
    .select([
      'orders.code',
      'orders.accessKey',
      'orders.status',
      'orders.totalMinor',
      'orders.createdAt',
      'events.title as eventTitle',
      'events.startsAt as eventStartsAt',
      'events.timeZone as eventTimeZone',
      (eb) => eb.selectFrom('tickets').select(eb.fn.countAll<number>().as('n')).whereRef('tickets.orderId', '=', 'orders.id').as('ticketCount'),
    ])
    .where('orders.userId', '=', userId)
    .orderBy('orders.createdAt', 'desc')
    .execute()
}
