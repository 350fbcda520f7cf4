import { DEFAULT_LOCALE, type Locale } from '../../i18n/locale.js'
import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import { inGroupCommit } from '../../db/group-commit.js'
import type { OrderRow, TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import { randomCode, randomSecret } from '../../lib/random.js'
import { searchText } from '../../lib/search.js'
import type { Actor } from '../audit/actor.js'
import { recordAudit } from '../audit/audit.repository.js'
import { inSalesWindow, isOnSale, isPublic } from '../events/event.rules.js'
import {
  type EventWithTicketTypes,
  eventWithTicketTypesQuery,
  findEventWithTicketTypes,
  lockEvent,
  toEventWithTicketTypes,
} from '../events/event.repository.js'
import { PriceChanged, PurchaseRefused } from './purchase.errors.js'
import type { PurchaseRefusal, TicketTypeProblem } from './purchase.refusals.js'
import { type PricedLine, type SeenPrices, priceCart, pricesChangedSinceSeen, unitPrices } from '../pricing/cart-pricing.js'
import { type Money, zero } from '../../lib/money.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { consumeOffer, offerFreedCapacity, offerRefusal } from '../offers/offers.js'
import { mayNeedSettling, settleLocked } from '../upkeep/settle.js'
import { expiryDue } from '../orders/expiry.js'
import { COMPLIMENTARY, type DeskMethodId, FREE } from '../payments/payment-method.js'
import { insertPaymentByHand } from '../payments/confirm.js'
import { bookSeats } from '../seating/seating.repository.js'
import { insertOrder } from '../orders/order.writes.js'
import { GUARDED_ROOM, type RoomRules, SHOP_LIMITS, type SaleLimits, takeInLockOrder } from '../capacity/capacity.js'
import { countsForBuyerCapsCondition } from '../orders/order.states.js'
import type { SeatRequest } from '../seating/seat.model.js'
import type { OrderDetails } from '../questions/answers.js'
import { type StoredAnswer, insertAnswers } from '../questions/questions.repository.js'
import { type Code, type CodeApplied, pricesWithCode, unlockedBy } from '../codes/code.model.js'
import { type CodeRules, CodeRefused, codeHasUsesFor, codeVerdict } from '../codes/code.rules.js'
import { keptFor, takeUses } from '../codes/code.uses.js'
import { findCode } from '../codes/codes.repository.js'

// Rows per INSERT: far below SQLite's 32,766 bound variables at five columns a ticket.
const TICKETS_PER_INSERT = 500

/** What is bought: tickets of one event, the seats among them, the prices the buyer saw, and the form's one-time key. */
export interface Cart {
  eventId: number
  /** Ticket type id → how many, only the positive ones, already checked against the form. */
  quantities: Map<number, number>
  /** Seated types: the seats ticked on the map, and how many best available seats of each type (counted in `quantities` too). */
  seats?: SeatRequest
  /** What the form showed: the currency and each ticket type's price. */
  seen: SeenPrices
  /** The one-time key the form carried: a second submit finds the first order. */
  formKey: string
}

/** Who the tickets are for. */
export interface Buyer {
  name: string
  /** Lower-cased (normaliseEmail): the per-buyer caps count one address once. */
  email: string
  /** Tags the order with the buying browser (see browserTag), which may then open it without the key. */
  browser: string | null
  /** The language the buyer is written to in, now and later (the order keeps it); English when unsaid. */
  locale?: Locale
}

/** The site's settings an order is placed under, as read for this request. */
export interface OrderSettings {
  currency: string
  /** The most tickets one order may hold (the site's limit). */
  maxTicketsPerOrder: number
  /** The site's address, for the order link in the confirmation e-mail. */
  siteUrl: string
}

/**
 * How the order reaches placeOrder. Each channel is a case with its own rules
 * (CHANNELS below), not a flag: a box office or a card payment is one more.
 */
export type Channel =
  /** The buy form, by anyone. */
  | { kind: 'online' }
  /** The buy form opened from a waiting-list offer's link: the offer's tickets are the buyer's to take. */
  | { kind: 'offer-claim'; offer: HeldOffer }
  /** The box office's desk: the organiser, or door staff they let sell, selling to the person in front of them. */
  | { kind: 'box-office'; desk: DeskSale }

/**
 * A sale at the desk (its seller is the order's actor, whom its payment and
 * audit entry name): how the money was taken, or why the tickets are given
 * away, and whether the organiser lets the desk sell outside the sales windows.
 */
export interface DeskSale {
  /** Null when the desk asked nothing: the tickets cost nothing. */
  payment: DeskPayment | null
  ignoresSalesWindows: boolean
}

/** How the desk was paid: by a way it takes money, or not at all (complimentary), with why. */
export type DeskPayment = { method: DeskMethodId } | { method: typeof COMPLIMENTARY; reason: string }

/** How an order with something to pay will be paid: the method the buyer chose, and when its hold lapses unpaid (null: never). */
export interface PaymentChoice {
  method: string
  deadline: number | null
  /**
   * Runs in the order's transaction once the order is written, when it must
   * be paid: an online method writes its first attempt here, so that sending
   * the buyer to pay costs no transaction of its own.
   */
  begin?: (trx: Db, order: { id: number; totalMinor: number; currency: string }, now: number) => Promise<void>
}

/** The default method of a new event: a reservation paid at the door, which never lapses. */
export const AT_THE_DOOR: PaymentChoice = { method: 'at-door', deadline: null }

/** The code the buyer gave, as found for the event: undefined when there is no such code. */
export interface GivenCode {
  found: Code | undefined
}

export interface OrderRequest {
  cart: Cart
  buyer: Buyer
  /** A discount or access code, when the buyer gave one: checked, and its uses taken, with the order. */
  code?: GivenCode
  /** Used only when the order costs something (an order with nothing to pay is paid as it is placed); at the door when unsaid. */
  payment?: PaymentChoice
  /** Who acts: the account (the order's owner, if any) and how the audit log names them. */
  actor: Actor
  settings: OrderSettings
  channel: Channel
  /**
   * The names and answers the form took, checked already: written with the
   * order, in its transaction. Each ticket's in the cart's ticket order (by
   * ticket type id, then as many as its quantity). None for an event that asks nothing.
   */
  details?: OrderDetails
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
  /** Whether it waits for its payment (pending); false when it was paid as it was placed (free). */
  mustPay: boolean
  /** True when this was a repeated submit and the order already existed. */
  replayed: boolean
}

/**
 * How a purchase takes capacity: the guarded UPDATEs' conditions, and what
 * runs before the transaction. The one seam of the capacity guard: the
 * concurrency tests' control (test/helpers/check-then-act.ts) passes another
 * to buildApp, to show they catch an oversell.
 */
export interface CapacityGuard extends RoomRules, CodeRules {
  /** Uses up a waiting-list offer for the order, or says it could not. */
  consumeOffer: typeof consumeOffer
  before?: (
    db: Db,
    eventId: number,
    lines: [number, number][],
    offer: HeldOffer | null,
    code: { id: number; uses: number } | null,
  ) => Promise<void>
  /** Books ticked seats as the route found them before the transaction, not as they are under the lock. */
  seatsAsChecked?: boolean
}

export const GUARDED: CapacityGuard = { ...GUARDED_ROOM, consumeOffer, codeHasUsesFor }

/** The online shop's rules a channel keeps: the ticket types' sales windows and per-order limits, and the organiser's caps per buyer. */
interface ChannelLimits extends SaleLimits {
  buyerCaps: boolean
}

const SHOP: ChannelLimits = { ...SHOP_LIMITS, buyerCaps: true }

/** What a channel changes in placing an order; every channel has each, so a new one states them all. */
interface ChannelRules<C extends Channel> {
  /** Which of the shop's rules bind it (the room is never the channel's to waive). */
  limits(channel: C): ChannelLimits
  /** The sale at the desk, paid (or given away) as it is placed; null when the buyer orders for themselves and pays as they chose. */
  desk(channel: C): DeskSale | null
  /** Whether it sells hidden ticket types without a code that unlocks them. */
  seesHidden(channel: C): boolean
  /** Tickets held for this order already: counted as left for it, and taken out of `held` rather than what is free. */
  held(channel: C): HeldOffer | null
  /** Why these lines cannot be bought through this channel, before anything is read; null when they can. */
  refuseLines(channel: C, lines: [number, number][]): PurchaseRefusal | null
  /** Under the event row's lock, the order written: uses up what the channel claims, or says why it cannot. */
  claim(trx: Trx, channel: C, orderId: number, now: number, guard: CapacityGuard): Promise<PurchaseRefusal | null>
  /** Once everything is taken. */
  settle(trx: Trx, channel: C, eventId: number, tickets: number, now: number): Promise<void>
}

const CHANNELS: { [Kind in Channel['kind']]: ChannelRules<Extract<Channel, { kind: Kind }>> } = {
  online: {
    limits: () => SHOP,
    desk: () => null,
    seesHidden: () => false,
    held: () => null,
    refuseLines: () => null,
    claim: async () => null,
    settle: async () => {},
  },
  'offer-claim': {
    limits: () => SHOP,
    desk: () => null,
    // The offer names its type: one hidden since the person joined the list is still theirs.
    seesHidden: () => true,
    held: (channel) => channel.offer,
    refuseLines: ({ offer }, lines) =>
      lines.some(([ticketTypeId, quantity]) => ticketTypeId !== offer.ticketTypeId || quantity > offer.quantity)
        ? { code: 'over-offer', quantity: offer.quantity }
        : null,
    claim: async (trx, { offer }, orderId, now, guard) =>
      (await guard.consumeOffer(trx, offer.entryId, orderId, now)) ? null : await whyOfferClosed(trx, offer),
    // A claim of fewer tickets than its offer held gives the rest to the next person.
    settle: async (trx, { offer }, eventId, tickets, now) => {
      if (tickets < offer.quantity) await offerFreedCapacity(trx, eventId, now)
    },
  },
  // The organiser's own judgement, or their staff's: no per-order limit of a type nor cap per buyer,
  // which keep bots and hoarders off the shop; the sales windows only unless the organiser lets the desk sell outside them.
  'box-office': {
    limits: ({ desk }) => ({ salesWindows: !desk.ignoresSalesWindows, perOrder: false, buyerCaps: false }),
    desk: ({ desk }) => desk,
    // The organiser (or staff they trust) sells what the event has, hidden types too.
    seesHidden: () => true,
    held: () => null,
    refuseLines: () => null,
    claim: async () => null,
    settle: async () => {},
  },
}

function rulesOf<C extends Channel>(channel: C): ChannelRules<C> {
  return CHANNELS[channel.kind] as unknown as ChannelRules<C>
}

/** What a purchase reads before it writes, in one query: the event, its ticket types, and the order its form key placed, if any. */
export interface PurchaseSnapshot extends EventWithTicketTypes {
  earlier: EarlierOrder | null
  /** The ticket types that are on the event's seat map: sold by seat only. */
  seatedTypes: Set<number>
}

type EarlierOrder = Pick<OrderRow, 'id' | 'code' | 'accessKey' | 'eventId' | 'buyerBrowser' | 'userId' | 'status'>

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
      'earlier.status as earlierStatus',
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
      earlierStatus: _status,
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
          status: first.earlierStatus!,
        }
  return { ...toEventWithTicketTypes(eventRows)!, earlier, seatedTypes }
}

/**
 * The one way to place an order, whichever channel it comes by. It first
 * answers from what it read (the route's snapshot): a form used before,
 * tickets already gone, a price changed since the page. In a flash sale most
 * buyers arrive after the last ticket, and their refusal then writes nothing
 * and takes no lock.
 *
 * Otherwise one transaction, in which the snapshot decides nothing: the order,
 * its tickets and its audit entry are written first, then capacity is taken
 * with conditional UPDATEs that succeed only when enough remain (and the price
 * is still the one the buyer saw), in the lock order of takeInLockOrder.
 * Taking the hot rows last holds their locks for the fewest round trips on
 * PostgreSQL; on SQLite the first write takes the write lock. Under the event
 * row's lock the channel claims what it holds and the organiser's per-buyer
 * caps are counted. Any refusal throws inside the transaction, which rolls
 * everything back.
 */
export async function placeOrder(
  db: Db,
  request: OrderRequest,
  guard: CapacityGuard = GUARDED,
  snapshot?: PurchaseSnapshot,
): Promise<PlacedOrder> {
  const { cart, buyer, actor, settings, channel, payment = AT_THE_DOOR } = request
  const rules = rulesOf(channel)
  const lines = linesOf(request)
  const total = lines.reduce((sum, [, quantity]) => sum + quantity, 0)

  const read = snapshot ?? (await readForPurchase(db, cart.eventId, cart.formKey))
  if (!read) throw new PurchaseRefused({ code: 'event-unavailable' })
  // A second submit of the same form (a double click, a refresh, back and
  // submit) shows the first one's order, whatever happened since (never
  // "nothing was charged" for a placed order); but only to the browser (or
  // account) that placed it, and for the same event.
  if (read.earlier) return replayOf(read.earlier, request)
  const held = rules.held(channel)
  const limits = rules.limits(channel)
  const desk = rules.desk(channel)
  const { prices, priced, coded, holds, offered } = refuseFromSnapshot(read, request)
  // Given away at the desk: the tickets cost nothing; the types' UPDATEs still check the prices the desk saw.
  const complimentary = desk?.payment?.method === COMPLIMENTARY ? desk.payment.reason : null
  const charged =
    complimentary === null ? priced : priceCart(lines, new Map(lines.map(([id]) => [id, zero(settings.currency)])), settings.currency)
  if (charged.kind === 'too-large') throw new PurchaseRefused({ code: 'order-too-large' })
  // The one thing the purchase knows of payments: an order that costs something waits for its payment, holding its tickets;
  // the desk takes the money as it sells, so its order is paid as it is placed.
  const hasPrice = charged.total.minor > 0
  const mustPay = hasPrice && desk === null
  const heldUntil = mustPay ? payment.deadline : null
  const method = complimentary !== null ? COMPLIMENTARY : !hasPrice ? FREE : (desk?.payment?.method ?? payment.method)

  try {
    await guard.before?.(db, cart.eventId, lines, held, coded && { id: coded.code.id, uses: coded.applied.uses })
    // Shares its commit (its disk sync) with the purchases of the same moment on SQLite.
    const placed = await inGroupCommit(db, async (trx) => {
      const now = Date.now()
      // Held tickets whose offer ran out, and unpaid orders past their deadline, are free again
      // (to the next person waiting, or to anyone) before capacity is counted.
      if (mayNeedSettling(read.event, now)) {
        await lockEvent(trx, cart.eventId)
        await settleLocked(trx, cart.eventId, now, expiryDue(read.event, now))
      }
      const code = randomCode(10)
      const order = await insertOrder(
        trx,
        {
          code,
          accessKey: randomSecret(),
          idempotencyKey: cart.formKey,
          eventId: cart.eventId,
          // Sold at the desk to someone else: the seller's account does not own the order.
          userId: desk ? null : actor.userId,
          buyerName: buyer.name,
          buyerEmail: buyer.email,
          totalMinor: charged.total.minor,
          currency: settings.currency,
          createdAt: now,
          buyerBrowser: buyer.browser,
          locale: buyer.locale ?? DEFAULT_LOCALE,
          searchText: searchText(code, buyer.name, buyer.email),
          paymentMethod: method,
          paymentDeadline: heldUntil,
          siteUrl: settings.siteUrl,
          ...(desk && { salesChannel: 'box-office' as const, soldBy: actor.label, complimentaryReason: complimentary }),
          codeId: coded?.code.id ?? null,
        },
        mustPay,
      )
      if (mustPay) await payment.begin?.(trx, { id: order.id, totalMinor: charged.total.minor, currency: settings.currency }, now)
      if (desk && hasPrice) {
        const taken = { orderId: order.id, method, amountMinor: charged.total.minor, currency: settings.currency }
        await insertPaymentByHand(trx, taken, actor, now)
      }
      const { tickets, answers } = ticketsOf(charged.lines, order.id, request.details, coded)
      // The ids of the tickets, when their seats or their answers need them.
      const needIds = cart.seats !== undefined || answers.some((answer) => answer.code !== null)
      const written: { id: number; ticketTypeId: number; code: string }[] = []
      for (let start = 0; start < tickets.length; start += TICKETS_PER_INSERT) {
        const insert = trx.insertInto('tickets').values(tickets.slice(start, start + TICKETS_PER_INSERT))
        if (needIds) written.push(...(await insert.returning(['id', 'ticketTypeId', 'code']).execute()))
        else await insert.execute()
      }
      if (answers.length > 0) {
        const idOf = new Map(written.map((ticket) => [ticket.code, ticket.id]))
        await insertAnswers(
          trx,
          answers.map(({ code, questionId, value }) => ({
            orderId: order.id,
            ticketId: code === null ? null : idOf.get(code)!,
            questionId,
            value,
          })),
        )
      }
      // Commits with the order, or not at all: every placed order gets its confirmation (or how to pay it), no refused one does.
      await enqueueMail(trx, {
        kind: mustPay && payment.deadline !== null ? 'order-awaiting-payment' : 'order-confirmation',
        to: buyer.email,
        locale: buyer.locale,
        data: { orderId: order.id, siteUrl: settings.siteUrl },
      })
      await recordAudit(trx, {
        actorId: actor.userId,
        actorLabel: actor.label,
        action: 'order.placed',
        subjectType: 'order',
        subjectId: order.id,
        details: {
          code: order.code,
          eventId: cart.eventId,
          tickets: total,
          totalMinor: charged.total.minor,
          currency: settings.currency,
          ...(mustPay && { paymentMethod: payment.method }),
          // At the desk: what was sold, how it was paid, and by whom (the entry's actor).
          ...(desk && { salesChannel: 'box-office', paymentMethod: method, ticketTypes: Object.fromEntries(lines) }),
          ...(complimentary !== null && { complimentaryReason: complimentary }),
          ...(coded && { code: coded.code.code, discountMinor: sumOf(priced.lines.map((line) => line.discount.minor)) }),
        },
        ip: actor.ip,
      })

      // The hot rows, last. Held tickets (a claimed offer's, a reserved code's) move from held to sold.
      const fromHold = (ticketTypeId: number) =>
        sumOf(holds.filter((hold) => hold.ticketTypeId === ticketTypeId).map((hold) => hold.quantity))
      const taken = await takeInLockOrder(
        trx,
        cart.eventId,
        {
          event: { quantity: total, fromHold: sumOf(holds.map((hold) => hold.quantity)), heldUntil },
          limits,
          lines: priced.lines.map((line) => ({
            ticketTypeId: line.ticketTypeId,
            taking: { quantity: line.quantity, fromHold: fromHold(line.ticketTypeId) },
            priceMinor: line.unit.minor,
          })),
        },
        now,
        guard,
        {
          underEventLock: async (caps) => {
            const unclaimed = await rules.claim(trx, channel, order.id, now, guard)
            if (unclaimed) throw new PurchaseRefused(unclaimed)
            if (limits.buyerCaps) await refuseOverBuyerCaps(trx, cart.eventId, buyer.email, caps, total, order.id)
          },
          // The code's uses, under the same guard as the tickets: of simultaneous buyers, no more than its uses get it.
          afterTypes: coded
            ? async () => {
                if (!(await takeUses(trx, coded.code, coded.applied, now, guard)))
                  throw await explainCode(trx, coded.code, lines, cart.seen, settings.currency, now, read.event.timeZone)
              }
            : undefined,
          // Each seat once, or the whole purchase rolls back.
          seats: cart.seats && (() => bookSeats(trx, cart.eventId, cart.seats!, written, guard.seatsAsChecked)),
        },
      )
      if (!taken) throw await explainRefusal(trx, cart.eventId, lines, prices, settings.currency, holds, offered, limits)
      await rules.settle(trx, channel, cart.eventId, total, now)
      return order
    })
    return { ...placed, mustPay, replayed: false }
  } catch (error) {
    // The same form sent twice at once: the other submit placed the order meanwhile.
    if (isUniqueViolation(error) || error instanceof PurchaseRefused || error instanceof PriceChanged || error instanceof CodeRefused) {
      const earlier = await findOrderByIdempotencyKey(db, cart.formKey)
      if (earlier) return replayOf(earlier, request)
    }
    throw error
  }
}

/**
 * The order's ticket rows, each with its code, and its answers: those of the
 * order (code null) and those of each ticket (by the ticket's code, its id
 * being known once written). A ticket takes the names and answers given for
 * its place among the tickets of its type.
 */
function ticketsOf(lines: PricedLine[], orderId: number, details: OrderDetails | undefined, coded: CodeInCart | null) {
  const given = new Map<number, OrderDetails['tickets']>()
  for (const ticket of details?.tickets ?? []) given.set(ticket.ticketTypeId, [...(given.get(ticket.ticketTypeId) ?? []), ticket])
  const answers: (Omit<StoredAnswer, 'orderId' | 'ticketId'> & { code: string | null })[] = (details?.order ?? []).map((answer) => ({
    ...answer,
    code: null,
  }))
  const tickets = lines.flatMap((line) =>
    Array.from({ length: line.quantity }, (_, i) => {
      const code = randomCode(16)
      const mine = given.get(line.ticketTypeId)?.[i]
      for (const answer of mine?.answers ?? []) answers.push({ ...answer, code })
      const byCode = coded?.applied.byType.has(line.ticketTypeId) === true
      return {
        ticketTypeId: line.ticketTypeId,
        // What the buyer pays for it: a ticket cancelled on its own gives back this much.
        priceMinor: line.net.minor,
        orderId,
        code,
        // Only with a code: the purchase without one writes what it always wrote.
        ...(byCode && { codeId: coded.code.id, discountMinor: line.unit.minor - line.net.minor }),
        // Only for an event that asks: the purchase of one that does not writes what it always wrote.
        ...(details && { holderName: mine?.holderName ?? null }),
      }
    }),
  )
  return { tickets, answers }
}

/** The cart's lines, positive quantities by ticket type id; refused when there is none, or more than an order may hold. */
function linesOf({ cart, settings }: Pick<OrderRequest, 'cart' | 'settings'>): [number, number][] {
  const lines = [...cart.quantities].filter(([, quantity]) => quantity > 0).sort(([a], [b]) => a - b)
  const total = lines.reduce((sum, [, quantity]) => sum + quantity, 0)
  // The form refuses these too; an order without tickets, or a huge one, must never be written.
  if (total === 0) throw new PurchaseRefused({ code: 'no-tickets' })
  if (total > settings.maxTicketsPerOrder) throw new PurchaseRefused({ code: 'over-order-limit', max: settings.maxTicketsPerOrder })
  return lines
}

/** A code as the purchase uses it: the row as read, and what it applies to in this cart. */
export interface CodeInCart {
  code: Code
  applied: CodeApplied
}

/** Tickets held for this order already, of one type: an offer's, or those a reserved code keeps aside for its holders. */
interface Hold {
  ticketTypeId: number
  quantity: number
}

/**
 * What placeOrder refuses from what it read, before it writes anything: the
 * channel's rules, the code given, tickets gone or not on sale, a price
 * changed since the page (with the code, the price it makes). Throws
 * PurchaseRefused, CodeRefused or PriceChanged. The buy form asks it too
 * before its second step, so that nobody answers questions for tickets that
 * cannot be had; the order is checked again, as always, when it is placed.
 */
export function refuseFromSnapshot(read: PurchaseSnapshot, request: Omit<OrderRequest, 'details'>) {
  const { cart, settings, channel } = request
  const rules = rulesOf(channel)
  const lines = linesOf(request)
  const now = Date.now()
  const wrongLines = rules.refuseLines(channel, lines)
  if (wrongLines) throw new PurchaseRefused(wrongLines)
  const coded = codeInCart(request.code, lines, read, now)
  const offered = offeredTypes(read.types, rules.seesHidden(channel), coded?.code ?? null)
  const holds = holdsOf(rules.held(channel), coded, false)
  const early = refusalOf(read.event, offered, lines, now, holds, rules.limits(channel))
  if (early !== null) throw new PurchaseRefused(early)
  // The buyer pays only what they saw: an organiser's edit of a price or of the code (or the site's
  // currency) changed between the page and now, or the form did not say.
  const prices = unitPrices(offered, settings.currency)
  const net = pricesWithCode(coded?.code ?? null, offered, settings.currency)
  const changed = pricesChangedSinceSeen(
    cart.seen,
    lines.map(([ticketTypeId]) => ticketTypeId),
    net,
  )
  if (changed.length > 0) throw new PriceChanged(changed)
  const priced = priceCart(lines, prices, settings.currency, net)
  if (priced.kind === 'too-large') throw new PurchaseRefused({ code: 'order-too-large' })
  return { prices, priced, coded, holds: holdsOf(rules.held(channel), coded, true), offered }
}

/** The code given, checked against the cart as read: what it applies to, or CodeRefused with why; null without a code. */
function codeInCart(given: GivenCode | undefined, lines: [number, number][], read: PurchaseSnapshot, now: number): CodeInCart | null {
  if (!given) return null
  const verdict = codeVerdict(given.found, lines, read.types, now, read.event.timeZone)
  if (verdict.refusal) throw new CodeRefused(verdict.refusal)
  return { code: given.found!, applied: verdict.applied }
}

/** The ticket types this buyer may see and buy: the listed ones, and the hidden ones their code (or their channel) opens. */
function offeredTypes(types: TicketTypeRow[], seesHidden: boolean, code: Code | null): TicketTypeRow[] {
  const unlocked = unlockedBy(code, types)
  return seesHidden ? types : types.filter((type) => type.hidden === 0 || unlocked.has(type.id))
}

/**
 * The holds this order may buy from. A reserved code's, as what it keeps
 * aside was read (`asTaken` false: counted as left for the buyer), or as the
 * purchase takes it (all the tickets it applies to, which its guarded UPDATE
 * checks it still keeps).
 */
function holdsOf(offer: HeldOffer | null, coded: CodeInCart | null, asTaken: boolean): Hold[] {
  const holds: Hold[] = offer ? [{ ticketTypeId: offer.ticketTypeId, quantity: offer.quantity }] : []
  const kept = coded ? keptFor(coded.code, coded.applied) : 0
  if (coded && kept > 0) {
    holds.push({ ticketTypeId: coded.code.ticketTypeIds![0]!, quantity: asTaken ? kept : Math.min(kept, coded.code.kept) })
  }
  return holds
}

function sumOf(numbers: number[]): number {
  return numbers.reduce((sum, n) => sum + n, 0)
}

/** The order a repeated form placed, shown again; or a refusal, to anyone but its buyer or for another event. */
function replayOf(earlier: EarlierOrder, request: OrderRequest): PlacedOrder {
  const sameBrowser = earlier.buyerBrowser !== null && earlier.buyerBrowser === request.buyer.browser
  const sameAccount = earlier.userId !== null && earlier.userId === request.actor.userId
  if (earlier.eventId === request.cart.eventId && (sameBrowser || sameAccount)) {
    return { id: earlier.id, code: earlier.code, accessKey: earlier.accessKey, mustPay: earlier.status === 'pending', replayed: true }
  }
  throw new PurchaseRefused({ code: 'form-used' })
}

/**
 * The organiser's caps on one buyer (one email address): tickets in all its
 * paid orders, and orders, besides the one being placed. Counted after the
 * event row is locked by the purchase's UPDATE, so two purchases by one
 * address cannot both pass.
 */
async function refuseOverBuyerCaps(
  trx: Trx,
  eventId: number,
  buyerEmail: string,
  caps: { maxTicketsPerBuyer: number | null; maxOrdersPerBuyer: number | null },
  wanted: number,
  placing: number,
): Promise<void> {
  if (caps.maxTicketsPerBuyer === null && caps.maxOrdersPerBuyer === null) return
  const held = await trx
    .selectFrom('orders')
    // A ticket the organiser cancelled on its own no longer counts against its buyer.
    .leftJoin('tickets', (join) => join.onRef('tickets.orderId', '=', 'orders.id').on('tickets.cancelledAt', 'is', null))
    .select((eb) => [eb.fn.count<number>('tickets.id').as('tickets'), eb.fn.count<number>('orders.id').distinct().as('orders')])
    .where('orders.eventId', '=', eventId)
    .where('orders.buyerEmail', '=', buyerEmail)
    .where(countsForBuyerCapsCondition)
    .where('orders.id', '!=', placing)
    .executeTakeFirstOrThrow()
  const tickets = Number(held.tickets)
  const orders = Number(held.orders)
  if (caps.maxOrdersPerBuyer !== null && orders >= caps.maxOrdersPerBuyer) {
    throw new PurchaseRefused({ code: 'over-buyer-orders', max: caps.maxOrdersPerBuyer })
  }
  if (caps.maxTicketsPerBuyer !== null && tickets + wanted > caps.maxTicketsPerBuyer) {
    throw new PurchaseRefused({ code: 'over-buyer-tickets', max: caps.maxTicketsPerBuyer })
  }
}

async function findOrderByIdempotencyKey(db: Db, key: string): Promise<EarlierOrder | undefined> {
  return db
    .selectFrom('orders')
    .select(['id', 'code', 'accessKey', 'eventId', 'buyerBrowser', 'userId', 'status'])
    .where('idempotencyKey', '=', key)
    .executeTakeFirst()
}

/** Why an offer could not be used up, read inside the transaction. */
async function whyOfferClosed(trx: Trx, offer: HeldOffer): Promise<PurchaseRefusal> {
  const entry = await trx
    .selectFrom('waitingListEntries')
    .select(['state', 'offerExpiresAt'])
    .where('id', '=', offer.entryId)
    .executeTakeFirst()
  return (entry && offerRefusal(entry)) ?? { code: 'offer-closed' }
}

/**
 * Why a guarded UPDATE matched no row (or the price that changed), read
 * inside the same transaction by the same refusalOf as the answer before it.
 * Returned (not thrown) so the caller throws it and the transaction rolls back.
 */
async function explainRefusal(
  trx: Trx,
  eventId: number,
  lines: [number, number][],
  expectedPrices: Map<number, Money>,
  currency: string,
  holds: Hold[],
  offered: TicketTypeRow[],
  limits: SaleLimits,
): Promise<PurchaseRefused | PriceChanged> {
  const found = await findEventWithTicketTypes(trx, eventId)
  // The types as they are now, of those this buyer was offered.
  const types = (found?.types ?? []).filter((type) => offered.some((candidate) => candidate.id === type.id))
  const refusal = refusalOf(found?.event, types, lines, Date.now(), holds, limits)
  if (refusal !== null) return new PurchaseRefused(refusal)
  const expected = new Map([...expectedPrices].map(([ticketTypeId, price]) => [ticketTypeId, price.minor]))
  const changed = pricesChangedSinceSeen(
    { currency, prices: expected },
    lines.map(([ticketTypeId]) => ticketTypeId),
    unitPrices(types, currency),
  )
  return changed.length > 0 ? new PriceChanged(changed) : new PurchaseRefused({ code: 'tickets-unavailable' })
}

/**
 * Why a code's guarded UPDATE matched no row, read inside the transaction by
 * the same codeVerdict as the answer before it: refused (switched off, ended,
 * used up meanwhile), or its terms changed since the form, which then shows
 * the prices it makes now. Returned (not thrown) for the caller to throw.
 */
async function explainCode(
  trx: Trx,
  code: Code,
  lines: [number, number][],
  seen: SeenPrices,
  currency: string,
  now: number,
  timeZone: string,
): Promise<CodeRefused | PriceChanged | PurchaseRefused> {
  const found = await findEventWithTicketTypes(trx, code.eventId)
  const types = found?.types ?? []
  const current = await findCode(trx, code.eventId, code.id)
  const verdict = codeVerdict(current, lines, types, now, timeZone)
  if (verdict.refusal) return new CodeRefused(verdict.refusal)
  const changed = pricesChangedSinceSeen(
    seen,
    lines.map(([ticketTypeId]) => ticketTypeId),
    pricesWithCode(current!, types, currency),
  )
  if (changed.length > 0) return new PriceChanged(changed)
  // Its terms or what it kept aside changed in a way that leaves this order as it was: ask again.
  return new PurchaseRefused({ code: 'tickets-unavailable' })
}

/**
 * Why these lines cannot be bought from this event now, or null when nothing
 * stands in the way: the one place a refusal is decided, from the snapshot
 * before the transaction and from the rows inside it when a guard refused.
 * Tickets held for this order (an offer's, a reserved code's) count as left
 * for it; a type missing from `foundTypes` (or hidden from this buyer) is gone.
 */
function refusalOf(
  found: Event | undefined,
  foundTypes: TicketTypeRow[],
  lines: [number, number][],
  now: number,
  holds: Hold[] = [],
  limits: SaleLimits = SHOP_LIMITS,
): PurchaseRefusal | null {
  const mineOf = (ticketTypeId: number) => sumOf(holds.filter((hold) => hold.ticketTypeId === ticketTypeId).map((hold) => hold.quantity))
  const event = found && { ...found, held: found.held - sumOf(holds.map((hold) => hold.quantity)) }
  const types = foundTypes.map((type) => ({ ...type, held: type.held - mineOf(type.id) }))
  if (!event || !isPublic(event, now)) return { code: 'event-unavailable' }
  if (event.status === 'cancelled') return { code: 'event-cancelled' }
  if (event.endsAt <= now) return { code: 'event-over' }
  const wanted = lines.reduce((sum, [, quantity]) => sum + quantity, 0)
  if (event.capacity !== null && event.sold + event.held + wanted > event.capacity) {
    const left = Math.max(0, event.capacity - event.sold - event.held)
    return left === 0 ? { code: 'event-sold-out' } : { code: 'event-few-left', left }
  }
  const problems: TicketTypeProblem[] = []
  for (const [ticketTypeId, quantity] of lines) {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    const problem = type ? typeProblem(type, quantity, event.timeZone, now, limits) : { code: 'type-gone' as const }
    if (problem) problems.push(problem)
  }
  if (problems.length > 0) return { code: 'ticket-types', problems }
  // Unpublished again, or an event that is no longer on sale for a reason not named above.
  return isOnSale(event, now) ? null : { code: 'event-unavailable' }
}

function typeProblem(type: TicketTypeRow, quantity: number, timeZone: string, now: number, limits: SaleLimits): TicketTypeProblem | null {
  const ticketType = type.name
  const left = Math.max(0, type.capacity - type.sold - type.held)
  if (limits.salesWindows && !inSalesWindow(type, now)) {
    return type.salesStartAt !== null && type.salesStartAt > now
      ? { code: 'sales-not-started', ticketType, salesStartAt: type.salesStartAt, timeZone }
      : { code: 'sales-ended', ticketType }
  }
  if (limits.perOrder && quantity > type.maxPerOrder) return { code: 'over-type-limit', ticketType, max: type.maxPerOrder }
  if (left === 0) return { code: 'sold-out', ticketType }
  if (quantity > left) return { code: 'few-left', ticketType, asked: quantity, left }
  return null
}
