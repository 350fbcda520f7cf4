import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import { inGroupCommit } from '../../db/group-commit.js'
import type { OrderRow, TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import { formatDateTime } from '../../lib/format.js'
import { randomCode, randomSecret } from '../../lib/random.js'
import { searchText } from '../../lib/search.js'
import { recordAudit } from '../audit/audit.repository.js'
import { isOnSale, isPublic } from '../events/event.rules.js'
import {
  type EventWithTicketTypes,
  eventWithTicketTypesQuery,
  findEventWithTicketTypes,
  lockEvent,
  toEventWithTicketTypes,
} from '../events/event.repository.js'
import { type ChangedPrice, PriceChanged, PurchaseRefused } from './purchase.errors.js'
import type { SeenPrices } from './purchase.form.js'
import { MAX_INT32 } from '../../lib/numbers.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { consumeOffer, offerFreedCapacity, offerRefusal } from '../offers/offers.js'
import { settleLocked } from '../upkeep/settle.js'
import { bookSeats } from '../seating/seating.repository.js'
import { insertOrder } from '../orders/order.writes.js'
import { GUARDED_ROOM, type RoomRules, takeFromEvent, takeFromType } from '../capacity/capacity.js'
import { countsForBuyerCapsCondition } from '../orders/order.states.js'
import type { SeatRequest } from '../seating/seat.model.js'

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
  /** The site's address, for the order link in the confirmation e-mail. */
  siteUrl: string
  /** Seated types: the seats ticked on the map, and how many best available seats of each type (counted in `quantities` too). */
  seats?: SeatRequest
  /** A waiting-list offer this purchase claims (its link's entry, read by the route): its tickets are the buyer's to take. */
  offer?: HeldOffer | null
}

/** An open offer's hold: `quantity` tickets of one type, counted in `held` until claimed. */
export interface HeldOffer {
  entryId: number
  ticketTypeId: number
  quantity: number
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
 * concurrency tests' control (test/helpers/check-then-act.ts) passes another
 * to buildApp, to show they catch an oversell.
 */
export interface CapacityGuard extends RoomRules {
  /** Uses up a waiting-list offer for the order, or says it could not. */
  consumeOffer: typeof consumeOffer
  before?: (db: Db, eventId: number, lines: [number, number][], offer: HeldOffer | null) => Promise<void>
  /** Books ticked seats as the route found them before the transaction, not as they are under the lock. */
  seatsAsChecked?: boolean
}

export const GUARDED: CapacityGuard = { ...GUARDED_ROOM, consumeOffer }

/** What a purchase reads before it writes, in one query: the event, its ticket types, and the order its form key placed, if any. */
export interface PurchaseSnapshot extends EventWithTicketTypes {
  earlier: EarlierOrder | null
  /** The ticket types that are on the event's seat map: sold by seat only. */
  seatedTypes: Set<number>
}

type EarlierOrder = Pick<OrderRow, 'id' | 'code' | 'accessKey' | 'eventId' | 'buyerBrowser' | 'userId'>

export async function readForPurchase(db: Db, eventId: number, formKey: string): Promise<PurchaseSnapshot | undefined> {
  const rows = await eventWithTicketTypesQuery(db, eventId)
    .leftJoin('orders as earlier', (join) => join.on('earlier.idempotencyKey', '=', formKey))
    .select([
      'earlier.id as earlierId',
      'earlier.code as earlierCode',
      'earlier.accessKey as earlierAccessKey',
      'earlier.eventId as earlierEventId',
      'earlier.buyerBrowser as earlierBuyerBrowser',
      'earlier.userId as earlierUserId',
    ])
    .select((eb) =>
      eb.exists(eb.selectFrom('seats').select('seats.id').whereRef('seats.ticketTypeId', '=', 'ticketTypes.id')).as('typeSeated'),
    )
    .execute()
  const first = rows[0]
  if (!first) return undefined
  const eventRows = rows.map(
    ({
      earlierId: _id,
      earlierCode: _code,
      earlierAccessKey: _key,
      earlierEventId: _event,
      earlierBuyerBrowser: _browser,
      earlierUserId: _user,
      typeSeated: _seated,
      ...row
    }) => row,
  )
  // PostgreSQL answers exists() with a boolean, SQLite with 0 or 1.
  const seatedTypes = new Set(rows.filter((row) => row.typeId !== null && Boolean(row.typeSeated)).map((row) => row.typeId!))
  const earlier =
    first.earlierId === null
      ? null
      : {
          id: first.earlierId,
          code: first.earlierCode!,
          accessKey: first.earlierAccessKey!,
          eventId: first.earlierEventId!,
          buyerBrowser: first.earlierBuyerBrowser,
          userId: first.earlierUserId,
        }
  return { ...toEventWithTicketTypes(eventRows)!, earlier, seatedTypes }
}

/**
 * The purchase. It first answers from what it read (the route's snapshot): a
 * form used before, tickets already gone, a price changed since the page.
 * In a flash sale most buyers arrive after the last ticket, and their refusal
 * then writes nothing and takes no lock.
 *
 * Otherwise one transaction, in which the snapshot decides nothing: the order,
 * its tickets and its audit entry are written first, then capacity is taken
 * with conditional UPDATEs that succeed only when enough remain (and the price
 * is still the one the buyer saw), first on the event row (its overall
 * capacity, and its status), then on each ticket type in id order. Taking the
 * hot rows last holds their locks for the fewest round trips on PostgreSQL,
 * and the same order everywhere means two purchases cannot deadlock; on
 * SQLite the first write takes the write lock. Under the event row's lock the
 * organiser's per-buyer caps are counted. Any refusal throws inside the
 * transaction, which rolls everything back.
 */
export async function purchase(
  db: Db,
  request: PurchaseRequest,
  guard: CapacityGuard = GUARDED,
  snapshot?: PurchaseSnapshot,
): Promise<PlacedOrder> {
  const lines = [...request.quantities].filter(([, quantity]) => quantity > 0).sort(([a], [b]) => a - b)
  const total = lines.reduce((sum, [, quantity]) => sum + quantity, 0)
  // The form refuses these too; an order without tickets, or a huge one, must never be written.
  if (total === 0) throw new PurchaseRefused('Choose at least one ticket.')
  if (total > request.maxTicketsPerOrder) throw new PurchaseRefused(`One order may hold at most ${request.maxTicketsPerOrder} tickets.`)

  const read = snapshot ?? (await readForPurchase(db, request.eventId, request.idempotencyKey))
  if (!read) throw new PurchaseRefused('This event is not available.')
  // A second submit of the same form (a double click, a refresh, back and
  // submit) shows the first one's order, whatever happened since (never
  // "nothing was charged" for a placed order); but only to the browser (or
  // account) that placed it, and for the same event.
  if (read.earlier) return replayOf(read.earlier, request)
  const offer = request.offer ?? null
  if (offer && lines.some(([ticketTypeId, quantity]) => ticketTypeId !== offer.ticketTypeId || quantity > offer.quantity)) {
    throw new PurchaseRefused(
      `This offer holds ${offer.quantity} ${offer.quantity === 1 ? 'ticket' : 'tickets'} of one type: buy up to that many of it.`,
    )
  }
  const early = refusalOf(read.event, read.types, lines, Date.now(), offer)
  if (early !== null) throw new PurchaseRefused(early)
  // The buyer pays only what they saw: an organiser's edit (or the site's
  // currency) changed between the page and now, or the form did not say.
  const prices = new Map(read.types.map((type) => [type.id, type.priceMinor]))
  const changed = changedPrices(request, lines, prices)
  if (changed.length > 0) throw new PriceChanged(changed)
  const totalMinor = lines.reduce((sum, [ticketTypeId, quantity]) => sum + prices.get(ticketTypeId)! * quantity, 0)
  if (totalMinor > MAX_ORDER_TOTAL_MINOR) {
    throw new PurchaseRefused('This order is larger than one order may be. Please buy fewer tickets at a time.')
  }

  try {
    await guard.before?.(db, request.eventId, lines, offer)
    // Shares its commit (its disk sync) with the purchases of the same moment on SQLite.
    const placed = await inGroupCommit(db, async (trx) => {
      const now = Date.now()
      // Held tickets whose offer ran out are free again (to the next person waiting, or to anyone) before capacity is counted.
      if (read.event.held > 0) {
        await lockEvent(trx, request.eventId)
        await settleLocked(trx, request.eventId, now)
      }
      const code = randomCode(10)
      const order = await insertOrder(trx, {
        code,
        accessKey: randomSecret(),
        idempotencyKey: request.idempotencyKey,
        eventId: request.eventId,
        userId: request.userId,
        buyerName: request.buyerName,
        buyerEmail: request.buyerEmail,
        totalMinor,
        currency: request.currency,
        createdAt: now,
        buyerBrowser: request.buyerBrowser,
        searchText: searchText(code, request.buyerName, request.buyerEmail),
      })
      const tickets = lines.flatMap(([ticketTypeId, quantity]) =>
        Array.from({ length: quantity }, () => ({ ticketTypeId, priceMinor: prices.get(ticketTypeId)!, orderId: order.id })),
      )
      const written: { id: number; ticketTypeId: number }[] = []
      for (let start = 0; start < tickets.length; start += TICKETS_PER_INSERT) {
        const insert = trx
          .insertInto('tickets')
          .values(tickets.slice(start, start + TICKETS_PER_INSERT).map((ticket) => ({ ...ticket, code: randomCode(16) })))
        if (request.seats) written.push(...(await insert.returning(['id', 'ticketTypeId']).execute()))
        else await insert.execute()
      }
      // Commits with the order, or not at all: every placed order gets its confirmation, no refused one does.
      await enqueueMail(trx, { kind: 'order-confirmation', to: request.buyerEmail, data: { orderId: order.id, siteUrl: request.siteUrl } })
      await recordAudit(trx, {
        actorId: request.userId,
        actorLabel: request.actorLabel,
        action: 'order.placed',
        subjectType: 'order',
        subjectId: order.id,
        details: { code: order.code, eventId: request.eventId, tickets: total, totalMinor, currency: request.currency },
        ip: request.ip,
      })

      // The hot rows, last. A claimed offer's tickets move from held to sold.
      const released = offer?.quantity ?? 0
      const event = await takeFromEvent(trx, request.eventId, { quantity: total, fromHold: released }, now, guard)
      if (!event) throw await explainRefusal(trx, request.eventId, lines, prices, offer)
      // After the event's row is locked, as every change of an offer is.
      if (offer && !(await guard.consumeOffer(trx, offer.entryId, order.id, now))) throw await explainOffer(trx, offer)
      await refuseOverBuyerCaps(trx, request, event, total, order.id)
      for (const [ticketTypeId, quantity] of lines) {
        const fromHold = ticketTypeId === offer?.ticketTypeId ? offer.quantity : 0
        const taking = { quantity, fromHold }
        if (!(await takeFromType(trx, request.eventId, ticketTypeId, taking, { priceMinor: prices.get(ticketTypeId)! }, now, guard))) {
          throw await explainRefusal(trx, request.eventId, lines, prices, offer)
        }
      }
      // Seats last, under the event row's lock: each seat once, or the whole purchase rolls back.
      if (request.seats) await bookSeats(trx, request.eventId, request.seats, written, guard.seatsAsChecked)
      // A claim of fewer tickets than its offer held gives the rest to the next person.
      if (offer && total < offer.quantity) await offerFreedCapacity(trx, request.eventId, now)
      return order
    })
    return { ...placed, replayed: false }
  } catch (error) {
    // The same form sent twice at once: the other submit placed the order meanwhile.
    if (isUniqueViolation(error) || error instanceof PurchaseRefused || error instanceof PriceChanged) {
      const earlier = await findOrderByIdempotencyKey(db, request.idempotencyKey)
      if (earlier) return replayOf(earlier, request)
    }
    throw error
  }
}

/** The order a repeated form placed, shown again; or a refusal, to anyone but its buyer or for another event. */
function replayOf(earlier: EarlierOrder, request: PurchaseRequest): PlacedOrder {
  const sameBrowser = earlier.buyerBrowser !== null && earlier.buyerBrowser === request.buyerBrowser
  const sameAccount = earlier.userId !== null && earlier.userId === request.userId
  if (earlier.eventId === request.eventId && (sameBrowser || sameAccount)) {
    return { id: earlier.id, code: earlier.code, accessKey: earlier.accessKey, replayed: true }
  }
  throw new PurchaseRefused('This form was already used to place an order. Open the event again to buy tickets.')
}

function changedPrices(request: PurchaseRequest, lines: [number, number][], prices: Map<number, number>): ChangedPrice[] {
  const sameCurrency = request.seen.currency === request.currency
  const changed: ChangedPrice[] = []
  for (const [ticketTypeId] of lines) {
    const seenMinor = sameCurrency ? (request.seen.prices.get(ticketTypeId) ?? null) : null
    const nowMinor = prices.get(ticketTypeId)!
    if (seenMinor !== nowMinor) changed.push({ ticketTypeId, seenMinor, nowMinor })
  }
  return changed
}

/**
 * The organiser's caps on one buyer (one email address): tickets in all its
 * paid orders, and orders, besides the one being placed. Counted after the
 * event row is locked by the purchase's UPDATE, so two purchases by one
 * address cannot both pass.
 */
async function refuseOverBuyerCaps(
  trx: Trx,
  request: PurchaseRequest,
  caps: { maxTicketsPerBuyer: number | null; maxOrdersPerBuyer: number | null },
  wanted: number,
  placing: number,
): Promise<void> {
  if (caps.maxTicketsPerBuyer === null && caps.maxOrdersPerBuyer === null) return
  const held = await trx
    .selectFrom('orders')
    .leftJoin('tickets', 'tickets.orderId', 'orders.id')
    .select((eb) => [eb.fn.count<number>('tickets.id').as('tickets'), eb.fn.count<number>('orders.id').distinct().as('orders')])
    .where('orders.eventId', '=', request.eventId)
    .where('orders.buyerEmail', '=', request.buyerEmail)
    .where(countsForBuyerCapsCondition)
    .where('orders.id', '!=', placing)
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

async function findOrderByIdempotencyKey(db: Db, key: string): Promise<EarlierOrder | undefined> {
  return db
    .selectFrom('orders')
    .select(['id', 'code', 'accessKey', 'eventId', 'buyerBrowser', 'userId'])
    .where('idempotencyKey', '=', key)
    .executeTakeFirst()
}

/** Why an offer could not be used up, read inside the transaction; returned for the caller to throw. */
async function explainOffer(trx: Trx, offer: HeldOffer): Promise<PurchaseRefused> {
  const entry = await trx
    .selectFrom('waitingListEntries')
    .select(['state', 'offerExpiresAt'])
    .where('id', '=', offer.entryId)
    .executeTakeFirst()
  return new PurchaseRefused((entry && offerRefusal(entry)) ?? 'This offer is no longer open.')
}

/**
 * Why a guarded UPDATE matched no row, in words a buyer understands (or the
 * price that changed), read inside the same transaction. Returned (not
 * thrown) so the caller throws it and the transaction rolls back.
 */
async function explainRefusal(
  trx: Trx,
  eventId: number,
  lines: [number, number][],
  expectedPrices: Map<number, number>,
  offer: HeldOffer | null,
): Promise<PurchaseRefused | PriceChanged> {
  const found = await findEventWithTicketTypes(trx, eventId)
  const types = found?.types ?? []
  const refusal = refusalOf(found?.event, types, lines, Date.now(), offer)
  if (refusal !== null) return new PurchaseRefused(refusal)
  const changed: ChangedPrice[] = []
  for (const [ticketTypeId] of lines) {
    const nowMinor = types.find((type) => type.id === ticketTypeId)?.priceMinor
    const seenMinor = expectedPrices.get(ticketTypeId) ?? null
    if (nowMinor !== undefined && nowMinor !== seenMinor) changed.push({ ticketTypeId, seenMinor, nowMinor })
  }
  return changed.length > 0 ? new PriceChanged(changed) : new PurchaseRefused('The tickets you chose are no longer available.')
}

/**
 * Why these lines cannot be bought from this event now, or null when nothing
 * stands in the way. An offer's own hold counts as left for its buyer.
 */
export function refusalOf(
  found: Event | undefined,
  foundTypes: TicketTypeRow[],
  lines: [number, number][],
  now: number,
  offer: HeldOffer | null = null,
): string | null {
  const mine = offer?.quantity ?? 0
  const event = found && { ...found, held: found.held - mine }
  const types = foundTypes.map((type) => (type.id === offer?.ticketTypeId ? { ...type, held: type.held - mine } : type))
  if (!event || !isPublic(event, now)) return 'This event is not available.'
  if (event.status === 'cancelled') return 'This event has been cancelled, so tickets are no longer sold.'
  if (event.endsAt <= now) return 'This event is over, so tickets are no longer sold.'
  const wanted = lines.reduce((sum, [, quantity]) => sum + quantity, 0)
  if (event.capacity !== null && event.sold + event.held + wanted > event.capacity) {
    const left = Math.max(0, event.capacity - event.sold - event.held)
    return left === 0 ? 'This event is sold out.' : `Only ${left} ${left === 1 ? 'ticket is' : 'tickets are'} left for this event.`
  }
  const problems: string[] = []
  for (const [ticketTypeId, quantity] of lines) {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    if (!type) {
      problems.push('One of the ticket types you chose is no longer offered.')
      continue
    }
    const left = Math.max(0, type.capacity - type.sold - type.held)
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
  if (problems.length > 0) return problems.join(' ')
  // Unpublished again, or an event that is no longer on sale for a reason not named above.
  return isOnSale(event, now) ? null : 'This event is not available.'
}
