import { type ExpressionBuilder, sql } from 'kysely'
import {
  TICKET_WAS_USED,
  awaitsPaymentCondition,
  holdsCapacityCondition,
  ticketStands,
  ticketStandsCondition,
} from '../orders/order.states.js'
import type { Db, Trx } from '../../db/database.js'
import type { Database, OrderRow, OrderStatus, PaymentRow, RefundRow, SalesChannel } from '../../db/schema.js'
import { type Event, toEvent } from '../events/event.model.js'
import type { Money } from '../../lib/money.js'
import { foldedPattern } from '../../lib/search.js'
import { signDoorCode } from '../../lib/door-code.js'
import { checkInSecretOf } from '../events/event.repository.js'
import { seatsOfTickets } from '../seating/seating.repository.js'
import { type EventAnswers, answersOfEventOrders } from '../questions/questions.repository.js'

/** An order with its event, tickets and money; with the questions its event asks now and its answers (none read for an event that asks none). */
export interface OrderWithTickets extends EventAnswers {
  order: OrderRow
  event: Event
  tickets: OrderTicket[]
  /** Every attempt to pay it, oldest first. */
  payments: PaymentRow[]
  /** Every refund of it, oldest first. */
  refunds: RefundRow[]
  /** The code it was placed with, as the organiser wrote it; null for none. */
  code: string | null
}

export interface OrderTicket {
  id: number
  /** The stored code: names the ticket in its QR code's URL. */
  code: string
  /** What its QR code carries and the door checks (src/lib/door-code.ts). */
  doorCode: string
  priceMinor: number
  ticketTypeId: number
  ticketTypeName: string
  checkedInAt: number | null
  /** "Stalls, row F, seat 12" for a seated ticket; null without a seat. */
  seat: string | null
  /** Let in at the door once, and not undone since: its order can no longer be cancelled, even after a check-out. */
  used: boolean
  /** Cancelled on its own by the organiser, the rest of the order kept (ticketStands). */
  cancelled: boolean
  /** Who it is for, when the event asked and the buyer said. */
  holderName: string | null
  /** What the order's code took off its price. */
  discountMinor: number
}

export async function findOrderByCode(db: Db, code: string): Promise<OrderWithTickets | undefined> {
  const order = await db.selectFrom('orders').selectAll().where('code', '=', code).executeTakeFirst()
  return order && withEventAndTickets(db, order)
}

/** For the order's e-mails, which name it by id. */
export async function findOrderById(db: Db, id: number): Promise<OrderWithTickets | undefined> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  return order && withEventAndTickets(db, order)
}

async function withEventAndTickets(db: Db, order: OrderRow): Promise<OrderWithTickets> {
  const event = toEvent(await db.selectFrom('events').selectAll().where('id', '=', order.eventId).executeTakeFirstOrThrow())
  const secret = await checkInSecretOf(db, event)
  const tickets = await db
    .selectFrom('tickets')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'tickets.ticketTypeId')
    .select([
      'tickets.id',
      'tickets.code',
      'tickets.priceMinor',
      'tickets.ticketTypeId',
      'ticketTypes.name as ticketTypeName',
      'tickets.checkedInAt',
      'tickets.cancelledAt',
      'tickets.holderName',
      'tickets.discountMinor',
    ])
    .select(TICKET_WAS_USED.as('used'))
    .where('tickets.orderId', '=', order.id)
    .orderBy('tickets.ticketTypeId')
    .orderBy('tickets.id')
    .execute()
  const seats = await seatsOfTickets(
    db,
    tickets.map((ticket) => ticket.id),
  )
  const payments = await db.selectFrom('payments').selectAll().where('orderId', '=', order.id).orderBy('id').execute()
  const refunds = await db.selectFrom('refunds').selectAll().where('orderId', '=', order.id).orderBy('id').execute()
  const code =
    order.codeId === null ? undefined : await db.selectFrom('codes').select('code').where('id', '=', order.codeId).executeTakeFirst()
  return {
    order,
    payments,
    refunds,
    code: code?.code ?? null,
    ...(await answersOfEventOrders(db, event, [order.id])),
    event: { ...event, checkInSecret: secret },
    // PostgreSQL answers exists() with a boolean, SQLite with 0 or 1.
    tickets: tickets.map(({ cancelledAt, ...ticket }) => ({
      ...ticket,
      used: Boolean(ticket.used),
      cancelled: !ticketStands({ cancelledAt }),
      doorCode: signDoorCode(secret, event.id, ticket.id),
      seat: seats.get(ticket.id) ?? null,
    })),
  }
}

/** The door code a ticket's QR code carries, found by the ticket's stored code. */
export async function doorCodeOfTicket(db: Db, code: string): Promise<string | undefined> {
  const ticket = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .innerJoin('events', 'events.id', 'orders.eventId')
    .select(['tickets.id', 'events.id as eventId', 'events.checkInSecret'])
    .where('tickets.code', '=', code)
    .executeTakeFirst()
  if (!ticket) return undefined
  const secret = await checkInSecretOf(db, { id: ticket.eventId, checkInSecret: ticket.checkInSecret })
  return signDoorCode(secret, ticket.eventId, ticket.id)
}

export async function ordersOfUser(db: Db, userId: number) {
  return db
    .selectFrom('orders')
    .innerJoin('events', 'events.id', 'orders.eventId')
    .select([
      'orders.code',
      'orders.accessKey',
      'orders.status',
      'orders.paymentDeadline',
      'orders.totalMinor',
      'orders.createdAt',
      'events.title as eventTitle',
      'events.startsAt as eventStartsAt',
      'events.timeZone as eventTimeZone',
      (eb) =>
        eb
          .selectFrom('tickets')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('tickets.orderId', '=', 'orders.id')
          .where(ticketStandsCondition)
          .as('ticketCount'),
      (eb) =>
        eb
          .selectFrom('tickets')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('tickets.orderId', '=', 'orders.id')
          .where('tickets.cancelledAt', 'is not', null)
          .as('cancelledTicketCount'),
    ])
    .where('orders.userId', '=', userId)
    .orderBy('orders.createdAt', 'desc')
    .execute()
}

export interface OrderTotals {
  /**
   * Money received: what paid payments took, less refunds made or on their
   * way (a failed one gave nothing back), whatever the order's state is now.
   * One sum per currency the orders were paid in (the site's currency may
   * have changed since); none without any.
   */
  revenue: Money[]
  /** The totals of orders waiting for a payment by card or bank transfer: money due, not received. */
  awaiting: Money[]
  /** The totals of orders to be paid at the door: money due there. */
  dueAtDoor: Money[]
  orders: number
}

/** Money received, money awaited and order counts per event, for the events given, in one read. */
export async function orderTotalsByEvent(db: Db, eventIds: number[]): Promise<Map<number, OrderTotals>> {
  const totals = new Map<number, OrderTotals>(eventIds.map((id) => [id, { revenue: [], awaiting: [], dueAtDoor: [], orders: 0 }]))
  if (eventIds.length === 0) return totals
  const rows = await db
    .selectFrom('orders')
    .select((eb) => {
      const due = (atDoor: boolean) =>
        eb.fn.sum<number>(
          eb
            .case()
            .when(eb.and([awaitsPaymentCondition(eb), eb('orders.paymentMethod', atDoor ? '=' : '!=', 'at-door')]))
            .then(eb.ref('orders.totalMinor'))
            .else(0)
            .end(),
        )
      return [
        'orders.eventId',
        'orders.currency',
        eb.fn.countAll<number>().as('orders'),
        eb.fn.sum<number>(sql<number>`(${paidOf(eb)}) - (${refundedOf(eb)})`).as('receivedMinor'),
        due(false).as('awaitingMinor'),
        due(true).as('dueAtDoorMinor'),
      ]
    })
    .where('orders.eventId', 'in', eventIds)
    .groupBy(['orders.eventId', 'orders.currency'])
    .orderBy('orders.currency')
    .execute()
  for (const row of rows) {
    const total = totals.get(row.eventId)!
    total.orders += Number(row.orders)
    // pg answers sums as strings: read as numbers here, so that no caller knows the database.
    const add = (list: Money[], minor: unknown) => {
      if (Number(minor) !== 0) list.push({ minor: Number(minor), currency: row.currency })
    }
    add(total.revenue, row.receivedMinor)
    add(total.awaiting, row.awaitingMinor)
    add(total.dueAtDoor, row.dueAtDoorMinor)
  }
  return totals
}

/** What the paid payments of the order (`orders.id` of the query) took. */
function paidOf(eb: ExpressionBuilder<Database, 'orders'>) {
  return eb
    .selectFrom('payments')
    .select((sub) => sub.fn.coalesce(sub.fn.sum<number>('payments.amountMinor'), sql<number>`0`).as('paid'))
    .whereRef('payments.orderId', '=', 'orders.id')
    .where('payments.state', '=', 'paid')
}

/** What the refunds of the order (`orders.id` of the query) gave back or are giving back. */
function refundedOf(eb: ExpressionBuilder<Database, 'orders'>) {
  return eb
    .selectFrom('refunds')
    .select((sub) => sub.fn.coalesce(sub.fn.sum<number>('refunds.amountMinor'), sql<number>`0`).as('refunded'))
    .whereRef('refunds.orderId', '=', 'orders.id')
    .where('refunds.state', '!=', 'failed')
}

/** The money of each order: paid, refunded, being refunded, and refunds that failed. */
export interface OrderMoney {
  paidMinor: number
  refundedMinor: number
  refundingMinor: number
  failedRefundMinor: number
}

/** The money of each order given (none paid nor refunded when it has no row), in two reads. */
export async function moneyOfOrders(db: Db, orderIds: number[]): Promise<Map<number, OrderMoney>> {
  const money = new Map<number, OrderMoney>(
    orderIds.map((id) => [id, { paidMinor: 0, refundedMinor: 0, refundingMinor: 0, failedRefundMinor: 0 }]),
  )
  if (orderIds.length === 0) return money
  const paid = await db
    .selectFrom('payments')
    .select((eb) => ['orderId', eb.fn.sum<number>('amountMinor').as('minor')])
    .where('orderId', 'in', orderIds)
    .where('state', '=', 'paid')
    .groupBy('orderId')
    .execute()
  for (const row of paid) money.get(row.orderId)!.paidMinor = Number(row.minor)
  const refunds = await db
    .selectFrom('refunds')
    .select((eb) => ['orderId', 'state', eb.fn.sum<number>('amountMinor').as('minor')])
    .where('orderId', 'in', orderIds)
    .groupBy(['orderId', 'state'])
    .execute()
  const field = { done: 'refundedMinor', queued: 'refundingMinor', failed: 'failedRefundMinor' } as const
  for (const row of refunds) money.get(row.orderId)![field[row.state]] = Number(row.minor)
  return money
}

export async function countOrders(db: Db | Trx, eventId: number): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('eventId', '=', eventId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function countTicketsOfType(db: Db | Trx, ticketTypeId: number): Promise<number> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('ticketTypeId', '=', ticketTypeId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export interface AttendeeLine {
  orderId: number
  orderCode: string
  status: OrderStatus
  /** How it is paid: a payment method's id, or 'free'. */
  paymentMethod: string
  /** When the order lapses while unpaid; null: it does not (paid at the door, or free). */
  paymentDeadline: number | null
  /** Sold online, or at the box office's desk: by whom, and why it was free when it was given away. */
  salesChannel: SalesChannel
  soldBy: string | null
  complimentaryReason: string | null
  buyerName: string
  buyerEmail: string
  totalMinor: number
  /** The currency the order was paid in: its total's and its tickets' prices'. */
  currency: string
  orderedAt: number
  ticketId: number
  ticketCode: string
  ticketTypeName: string
  priceMinor: number
  checkedInAt: number | null
  checkedInBy: string | null
  checkedInGate: string | null
  /** When the ticket was cancelled on its own, its order kept; null while it stands (ticketStands). */
  ticketCancelledAt: number | null
  /** Who the ticket is for, when the event asked and the buyer said. */
  holderName: string | null
  /** The code the order was placed with; null for none. */
  discountCode: string | null
  /** What the code took off this ticket's price. */
  discountMinor: number
}

/** Where a list of orders (newest first) stopped: its last order. */
export interface OrderCursor {
  orderedAt: number
  orderId: number
}

export interface OrderSearch {
  /** Matches order and ticket codes, buyer names and emails; '' for all. */
  text: string
  /** Only the order of this ticket (one found by its door code). */
  ticketId?: number
  /** At most this many orders (with all their tickets), after `offset` orders or the orders up to `after`. */
  limit?: number
  offset?: number
  after?: OrderCursor
}

/**
 * Orders of an event matching the search, newest first, one line per ticket.
 * With a limit, the page is cut in orders (never in the middle of an order).
 */
export async function attendeeLines(db: Db, eventId: number, search: OrderSearch): Promise<AttendeeLine[]> {
  const pattern = foldedPattern(search.text)
  const matching = db
    .selectFrom('orders')
    .select('orders.id')
    .where('orders.eventId', '=', eventId)
    .$if(search.ticketId !== undefined, (qb) =>
      qb.where((eb) =>
        eb.exists(
          eb
            .selectFrom('tickets')
            .select('tickets.id')
            .whereRef('tickets.orderId', '=', 'orders.id')
            .where('tickets.id', '=', search.ticketId!),
        ),
      ),
    )
    .$if(search.text !== '' && search.ticketId === undefined, (qb) =>
      qb.where(
        // Ticket codes are letters A-Z and digits, which lower() folds as searchFold does.
        sql<boolean>`(orders.search_text like ${pattern} escape '\\'
          or exists (select 1 from tickets where tickets.order_id = orders.id and lower(tickets.code) like ${pattern} escape '\\'))`,
      ),
    )
    .$if(search.limit !== undefined, (qb) =>
      qb
        .orderBy('orders.createdAt', 'desc')
        .orderBy('orders.id', 'desc')
        .limit(search.limit!)
        .offset(search.offset ?? 0),
    )
    .$if(search.after !== undefined, (qb) =>
      qb.where((eb) => eb(eb.refTuple('orders.createdAt', 'orders.id'), '<', eb.tuple(search.after!.orderedAt, search.after!.orderId))),
    )
  return db
    .selectFrom('orders')
    .innerJoin('tickets', 'tickets.orderId', 'orders.id')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'tickets.ticketTypeId')
    .leftJoin('codes', 'codes.id', 'orders.codeId')
    .select([
      'orders.id as orderId',
      'orders.code as orderCode',
      'orders.status',
      'orders.paymentMethod',
      'orders.paymentDeadline',
      'orders.salesChannel',
      'orders.soldBy',
      'orders.complimentaryReason',
      'orders.buyerName',
      'orders.buyerEmail',
      'orders.totalMinor',
      'orders.currency',
      'orders.createdAt as orderedAt',
      'tickets.id as ticketId',
      'tickets.code as ticketCode',
      'ticketTypes.name as ticketTypeName',
      'tickets.priceMinor',
      'tickets.checkedInAt',
      'tickets.checkedInBy',
      'tickets.checkedInGate',
      'tickets.cancelledAt as ticketCancelledAt',
      'tickets.holderName',
      'codes.code as discountCode',
      'tickets.discountMinor',
    ])
    .where('orders.id', 'in', matching)
    .orderBy('orders.createdAt', 'desc')
    .orderBy('orders.id', 'desc')
    .orderBy('tickets.ticketTypeId')
    .orderBy('tickets.id')
    .execute()
}

/**
 * All of an event's attendee lines, in attendeeLines' order, `batchSize`
 * orders at a time. Each batch starts after the last order of the one before
 * (a keyset, not an offset), so no batch reads the orders before it again,
 * and orders sharing an instant are neither skipped nor repeated.
 */
export async function* attendeeLineBatches(db: Db, eventId: number, batchSize: number): AsyncGenerator<AttendeeLine[]> {
  let after: OrderCursor | undefined
  for (;;) {
    const lines = await attendeeLines(db, eventId, { text: '', limit: batchSize, after })
    const last = lines.at(-1)
    if (!last) return
    yield lines
    after = { orderedAt: last.orderedAt, orderId: last.orderId }
  }
}

/**
 * What each code took off the orders that hold tickets (paid, or awaiting
 * payment), the tickets cancelled on their own left out: one sum per
 * currency the orders were placed in.
 */
export async function takenOffByCode(db: Db, codeIds: number[]): Promise<Map<number, Money[]>> {
  const taken = new Map<number, Money[]>(codeIds.map((id) => [id, []]))
  if (codeIds.length === 0) return taken
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .select((eb) => ['tickets.codeId', 'orders.currency', eb.fn.sum<number>('tickets.discountMinor').as('minor')])
    .where('tickets.codeId', 'in', codeIds)
    .where(holdsCapacityCondition)
    .where(ticketStandsCondition)
    .groupBy(['tickets.codeId', 'orders.currency'])
    .orderBy('orders.currency')
    .execute()
  // pg answers sums as strings: read as numbers here.
  for (const row of rows) if (Number(row.minor) !== 0) taken.get(row.codeId!)?.push({ minor: Number(row.minor), currency: row.currency })
  return taken
}
