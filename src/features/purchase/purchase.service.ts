import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import type { OrderRow, TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import { formatDateTime } from '../../lib/format.js'
import { randomCode, randomSecret } from '../../lib/random.js'
import { type AuditEntry, recordAudit } from '../audit/audit.repository.js'
import { eventHasRoomFor, inSalesWindowCondition, isPublic, onSaleCondition, ticketTypeHasRoomFor } from '../events/event.rules.js'
import { findEvent, lockEvent } from '../events/event.repository.js'
import { type ChangedPrice, PriceChanged, PurchaseRefused } from './purchase.errors.js'
import type { SeenPrices } from './purchase.form.js'
import { MAX_INT32 } from '../../lib/numbers.js'

// orders.total_minor is a 32-bit integer column.
const MAX_ORDER_TOTAL_MINOR = MAX_INT32
// Rows per INSERT: far below SQLite's 32,766 bound variables at five columns a ticket.
const TICKETS_PER_INSERT = 500

export interface PurchaseRequest {
  eventId: number
  /** Ticket type id → how many, only the positive ones, already checked against the form. */
  quantities: Map<number, number>
  /** What the form showed: the currency and each ticket type's price. */
  seen: SeenPrices
  /** The most tickets one order may hold (the site's limit). */
  maxTicketsPerOrder: number
  buyerName: string
  /** Lower-cased (normaliseEmail): the per-buyer caps count one address once. */
  buyerEmail: string
  userId: number | null
  /** The one-time key the form carried: a second submit finds the first order. */
  idempotencyKey: string
  currency: string
  /** Who the audit log names: the logged-in account's email, else the one typed. */
  actorLabel: string
  /** The buyer's address, for the audit log. */
  ip: string | null
  /** Tags the order with the buying browser (see browserTag), which may then open it without the key. */
  buyerBrowser: string | null
}

export interface PlacedOrder {
  id: number
  code: string
  accessKey: string
  /** True when this was a repeated submit and the order already existed. */
  replayed: boolean
}

/**
 * How a purchase takes capacity: the guarded UPDATEs' conditions, and what
 * runs before the transaction. The one seam of the capacity guard: the
 * concurrency tests' control swaps GUARDED for CHECK_THEN_ACT to show they
 * catch an oversell.
 */
export interface CapacityGuard {
  eventHasRoomFor: typeof eventHasRoomFor
  ticketTypeHasRoomFor: typeof ticketTypeHasRoomFor
  before?: (db: Db, eventId: number, lines: [number, number][]) => Promise<void>
}

export const GUARDED: CapacityGuard = { eventHasRoomFor, ticketTypeHasRoomFor }

/** Test-only: the check-then-act of the system we replace. Never use it to sell tickets. */
export const CHECK_THEN_ACT: CapacityGuard = {
  eventHasRoomFor: () => (eb) => eb.lit(true),
  ticketTypeHasRoomFor: () => (eb) => eb.lit(true),
  before: checkThenAct,
}

/**
 * The purchase, in one transaction. Capacity is taken with conditional
 * UPDATEs that succeed only when enough remain, first on the event row (its
 * overall capacity, and its status), then on each ticket type in id order.
 * Every purchase locks rows in that same order, so two purchases cannot
 * deadlock on PostgreSQL; on SQLite the first UPDATE takes the write lock.
 * Under that lock the organiser's per-buyer caps are counted, and each price
 * is compared with the one the buyer saw. The order, its tickets and its
 * audit entry commit together; any refusal throws inside the transaction,
 * which rolls everything back.
 */
export async function purchase(db: Db, request: PurchaseRequest, guard: CapacityGuard = GUARDED): Promise<PlacedOrder> {
  const lines = [...request.quantities].filter(([, quantity]) => quantity > 0).sort(([a], [b]) => a - b)
  const total = lines.reduce((sum, [, quantity]) => sum + quantity, 0)
  // The form refuses these too; an order without tickets, or a huge one, must never be written.
  if (total === 0) throw new PurchaseRefused('Choose at least one ticket.')
  if (total > request.maxTicketsPerOrder) throw new PurchaseRefused(`One order may hold at most ${request.maxTicketsPerOrder} tickets.`)

  // No read of the form key first: a repeated submit is rare, and the unique
  // key on orders catches it (or the refusal, once the tickets are gone).
  try {
    await guard.before?.(db, request.eventId, lines)
    const placed = await db.transaction().execute(async (trx) => {
      const now = Date.now()
      const event = await trx
        .updateTable('events')
        .set((eb) => ({ sold: eb('sold', '+', total) }))
        .where('id', '=', request.eventId)
        .where(onSaleCondition(now))
        .where(guard.eventHasRoomFor(total))
        .returning(['maxTicketsPerBuyer', 'maxOrdersPerBuyer'])
        .executeTakeFirst()
      if (!event) throw await explainRefusal(trx, request.eventId, lines)
      await refuseOverBuyerCaps(trx, request, event, total)

      let totalMinor = 0
      const sameCurrency = request.seen.currency === request.currency
      const changed: ChangedPrice[] = []
      const tickets: { ticketTypeId: number; priceMinor: number }[] = []
      for (const [ticketTypeId, quantity] of lines) {
        const taken = await trx
          .updateTable('ticketTypes')
          .set((eb) => ({ sold: eb('sold', '+', quantity) }))
          .where('id', '=', ticketTypeId)
          .where('eventId', '=', request.eventId)
          .where('maxPerOrder', '>=', quantity)
          .where(inSalesWindowCondition(now))
          .where(guard.ticketTypeHasRoomFor(quantity))
          .returning(['priceMinor'])
          .executeTakeFirst()
        if (!taken) throw await explainRefusal(trx, request.eventId, lines)
        const seenMinor = sameCurrency ? (request.seen.prices.get(ticketTypeId) ?? null) : null
        if (seenMinor !== taken.priceMinor) changed.push({ ticketTypeId, seenMinor, nowMinor: taken.priceMinor })
        totalMinor += taken.priceMinor * quantity
        for (let i = 0; i < quantity; i++) tickets.push({ ticketTypeId, priceMinor: taken.priceMinor })
      }
      // Checked after the refusals above, which say more. An organiser's edit (or
      // the site's currency) changed between the page and this transaction, or
      // the form did not say what it showed: the buyer pays only what they saw.
      if (changed.length > 0) throw new PriceChanged(changed)

      if (totalMinor > MAX_ORDER_TOTAL_MINOR) {
        throw new PurchaseRefused('This order is larger than one order may be. Please buy fewer tickets at a time.')
      }
      const order = await trx
        .insertInto('orders')
        .values({
          code: randomCode(10),
          accessKey: randomSecret(),
          idempotencyKey: request.idempotencyKey,
          eventId: request.eventId,
          userId: request.userId,
          buyerName: request.buyerName,
          buyerEmail: request.buyerEmail,
          totalMinor,
          currency: request.currency,
          status: 'paid',
          createdAt: now,
          cancelledAt: null,
          buyerBrowser: request.buyerBrowser,
        })
        .returning(['id', 'code', 'accessKey'])
        .executeTakeFirstOrThrow()
      for (let start = 0; start < tickets.length; start += TICKETS_PER_INSERT) {
        await trx
          .insertInto('tickets')
          .values(tickets.slice(start, start + TICKETS_PER_INSERT).map((ticket) => ({ ...ticket, orderId: order.id, code: randomCode(16) })))
          .execute()
      }
      await recordAudit(trx, {
        actorId: request.userId,
        actorLabel: request.actorLabel,
        action: 'order.placed',
        subjectType: 'order',
        subjectId: order.id,
        details: { code: order.code, eventId: request.eventId, tickets: total, totalMinor, currency: request.currency },
        ip: request.ip,
      })
      return order
    })
    return { ...placed, replayed: false }
  } catch (error) {
    // A second submit of the same form (a double click, a refresh, back and
    // submit) shows the first one's order, whether it now collides with that
    // order's key, is refused because its tickets are gone, or meets a price
    // changed since (never "nothing was charged" for a placed order); but only to the
    // browser (or account) that placed it, and for the same event.
    if (isUniqueViolation(error) || error instanceof PurchaseRefused || error instanceof PriceChanged) {
      const earlier = await findOrderByIdempotencyKey(db, request.idempotencyKey)
      if (earlier && isReplayOf(earlier, request)) return { id: earlier.id, code: earlier.code, accessKey: earlier.accessKey, replayed: true }
      if (earlier) throw new PurchaseRefused('This form was already used to place an order. Open the event again to buy tickets.')
    }
    throw error
  }
}

function isReplayOf(earlier: Pick<OrderRow, 'eventId' | 'buyerBrowser' | 'userId'>, request: PurchaseRequest): boolean {
  if (earlier.eventId !== request.eventId) return false
  const sameBrowser = earlier.buyerBrowser !== null && earlier.buyerBrowser === request.buyerBrowser
  const sameAccount = earlier.userId !== null && earlier.userId === request.userId
  return sameBrowser || sameAccount
}

/**
 * The organiser's caps on one buyer (one email address): tickets in all its
 * paid orders, and orders. Counted after the event row is locked by the
 * purchase's first UPDATE, so two purchases by one address cannot both pass.
 */
async function refuseOverBuyerCaps(
  trx: Trx,
  request: PurchaseRequest,
  caps: { maxTicketsPerBuyer: number | null; maxOrdersPerBuyer: number | null },
  wanted: number,
): Promise<void> {
  if (caps.maxTicketsPerBuyer === null && caps.maxOrdersPerBuyer === null) return
  const held = await trx
    .selectFrom('orders')
    .leftJoin('tickets', 'tickets.orderId', 'orders.id')
    .select((eb) => [eb.fn.count<number>('tickets.id').as('tickets'), eb.fn.count<number>('orders.id').distinct().as('orders')])
    .where('orders.eventId', '=', request.eventId)
    .where('orders.buyerEmail', '=', request.buyerEmail)
    .where('orders.status', '=', 'paid')
    .executeTakeFirstOrThrow()
  const tickets = Number(held.tickets)
  const orders = Number(held.orders)
  if (caps.maxOrdersPerBuyer !== null && orders >= caps.maxOrdersPerBuyer) {
    throw new PurchaseRefused(
      `Each buyer may place at most ${caps.maxOrdersPerBuyer} ${caps.maxOrdersPerBuyer === 1 ? 'order' : 'orders'} for this event, and the email address you gave has reached that.`,
    )
  }
  // Says neither the address's count nor what is left: anyone may type an address and would learn what its owner bought.
  if (caps.maxTicketsPerBuyer !== null && tickets + wanted > caps.maxTicketsPerBuyer) {
    throw new PurchaseRefused(
      `Each buyer may have at most ${caps.maxTicketsPerBuyer} tickets for this event, counting earlier orders with the same email address. This order would go past that.`,
    )
  }

}

async function findOrderByIdempotencyKey(db: Db, key: string) {
  return db
    .selectFrom('orders')
    .select(['id', 'code', 'accessKey', 'eventId', 'buyerBrowser', 'userId'])
    .where('idempotencyKey', '=', key)
    .executeTakeFirst()
}

/**
 * The old, unsafe way (read what remains, then write blindly), kept only for
 * the control test. better-sqlite3 answers synchronously, so on SQLite the gap
 * between the check and the write opens only when something yields to the
 * event loop; this yields once, as the replaced system's Redis round trip did.
 */
async function checkThenAct(db: Db, eventId: number, lines: [number, number][]): Promise<void> {
  const types = await db
    .selectFrom('ticketTypes')
    .select(['id', 'capacity', 'sold'])
    .where('eventId', '=', eventId)
    .execute()
  for (const [ticketTypeId, quantity] of lines) {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    if (type && type.capacity - type.sold < quantity) {
      throw new PurchaseRefused(`Only ${type.capacity - type.sold} tickets are left.`)
    }
  }
  await new Promise((resolve) => setImmediate(resolve))
}

/**
 * Why a guarded UPDATE matched no row, in words a buyer understands, read
 * inside the same transaction. Returned (not thrown) so the caller throws it
 * and the transaction rolls back.
 */
async function explainRefusal(trx: Trx, eventId: number, lines: [number, number][]): Promise<PurchaseRefused> {
  const event = await findEvent(trx, eventId)
  const types = await trx.selectFrom('ticketTypes').selectAll().where('eventId', '=', eventId).orderBy('id').execute()
  return new PurchaseRefused(refusalReason(event, types, lines, Date.now()))
}

export function refusalReason(
  event: Event | undefined,
  types: TicketTypeRow[],
  lines: [number, number][],
  now: number,
): string {
  if (!event || !isPublic(event, now)) return 'This event is not available.'
  if (event.status === 'cancelled') return 'This event has been cancelled, so tickets are no longer sold.'
  if (event.endsAt <= now) return 'This event is over, so tickets are no longer sold.'
  const wanted = lines.reduce((sum, [, quantity]) => sum + quantity, 0)
  if (event.capacity !== null && event.sold + wanted > event.capacity) {
    const left = Math.max(0, event.capacity - event.sold)
    return left === 0 ? 'This event is sold out.' : `Only ${left} ${left === 1 ? 'ticket is' : 'tickets are'} left for this event.`
  }
  const problems: string[] = []
  for (const [ticketTypeId, quantity] of lines) {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    if (!type) {
      problems.push('One of the ticket types you chose is no longer offered.')
      continue
    }
    const left = Math.max(0, type.capacity - type.sold)
    if (type.salesStartAt !== null && type.salesStartAt > now) {
      problems.push(`${type.name}: sales start ${formatDateTime(type.salesStartAt, event.timeZone)}.`)
    } else if (type.salesEndAt !== null && type.salesEndAt <= now) {
      problems.push(`${type.name}: sales have ended.`)
    } else if (quantity > type.maxPerOrder) {
      problems.push(`${type.name}: at most ${type.maxPerOrder} per order.`)
    } else if (left === 0) {
      problems.push(`${type.name} is sold out.`)
    } else if (quantity > left) {
      problems.push(`${type.name}: you asked for ${quantity}, only ${left} ${left === 1 ? 'is' : 'are'} left.`)
    }
  }
  return problems.length > 0 ? problems.join(' ') : 'The tickets you chose are no longer available.'
}

/**
 * Cancels a paid order and gives its tickets back, in one transaction with its
 * audit entry. The event row is locked first, as a purchase and the
 * organiser's cancellation do, so none of them can deadlock with another; the
 * order is then claimed with a conditional UPDATE, so cancelling twice (or
 * twice at once) gives the capacity back only once. Returns false when the
 * order was already cancelled.
 */
export async function cancelOrder(db: Db, order: { id: number; eventId: number }, audit: AuditEntry): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, order.eventId)
    const claimed = await trx
      .updateTable('orders')
      .set({ status: 'cancelled', cancelledAt: Date.now() })
      .where('id', '=', order.id)
      .where('status', '=', 'paid')
      .returning(['eventId'])
      .executeTakeFirst()
    if (!claimed) return false
    const counts = await trx
      .selectFrom('tickets')
      .select(['ticketTypeId', (eb) => eb.fn.countAll<number>().as('count')])
      .where('orderId', '=', order.id)
      .groupBy('ticketTypeId')
      .orderBy('ticketTypeId')
      .execute()
    const total = counts.reduce((sum, row) => sum + Number(row.count), 0)
    await trx
      .updateTable('events')
      .set((eb) => ({ sold: eb('sold', '-', total) }))
      .where('id', '=', claimed.eventId)
      .execute()
    for (const row of counts) {
      await trx
        .updateTable('ticketTypes')
        .set((eb) => ({ sold: eb('sold', '-', Number(row.count)) }))
        .where('id', '=', row.ticketTypeId)
        .execute()
    }
    await recordAudit(trx, audit)
    return true
  })
}
