import type { Db } from '../../db/database.js'
import type { TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import {
  EVENT_STATUS_LABELS,
  type EventStatus,
  eventPhase,
  eventStatus,
  inSalesWindow,
  isOnSale,
  isPublic,
  isTicketTypeOnSale,
  isWaitingListOpen,
  maxSelectable,
  remainingOf,
  remainingOfEvent,
} from '../events/event.rules.js'
import { formatRevenue } from '../../lib/format.js'
import type { Money } from '../../lib/money.js'
import { orderTotalsByEvent } from '../purchase/order.repository.js'
import { type DoorCounts, doorCounts } from '../check-in/check-in.service.js'

/**
 * What a live page needs to know of an event: its status and what remains of
 * each ticket type (one query), and for the owner sales and revenue (a second).
 */
export interface LiveEventState {
  id: number
  ownerId: number
  public: boolean
  status: EventStatus
  ticketTypes: LiveTicketTypeState[]
  remaining: number
  sold: number
  /** Money received less refunds, one sum per currency the orders were paid in, as the dashboard shows it. */
  revenue: Money[]
  /** Money due by card or transfer, and at the door: shown apart from revenue. */
  awaiting: Money[]
  dueAtDoor: Money[]
  orders: number
  /** The site's currency, for a revenue of nothing. */
  currency: string
  /** At the door: for the owner, admins and the event's door staff. */
  door: DoorCounts
  /** Seats of the event's map that are taken: what the map shows anyone. */
  takenSeats: number[]
}

export interface LiveTicketTypeState {
  id: number
  /** Not hidden: the public pages show it and count it (a hidden type's figures go to the owner alone). */
  listed: boolean
  remaining: number
  sold: number
  held: number
  onSale: boolean
  /** The event is on sale and the type's sales window open, whatever is left: a page holding an offer's tickets may sell them. */
  salesOpen: boolean
  /** Sold out, and its waiting list takes names. */
  waitingList: boolean
  maxPerOrder: number
}

/** `paidAtDoor`: the payment methods paid at the door, whose orders the door's counts expect (see doorCounts). */
export async function loadLiveState(
  db: Db,
  eventId: number,
  paidAtDoor: readonly string[],
  now = Date.now(),
): Promise<LiveEventState | undefined> {
  const rows = await db
    .selectFrom('events')
    .leftJoin('ticketTypes', 'ticketTypes.eventId', 'events.id')
    .select([
      'events.id',
      'events.ownerId',
      'events.status',
      'events.publishedAt',
      'events.endsAt',
      'events.capacity',
      'events.sold',
      'events.held',
      'events.waitingList',
      'events.seatMapStamp',
      'events.wasPublic',
      'ticketTypes.id as typeId',
      'ticketTypes.capacity as typeCapacity',
      'ticketTypes.sold as typeSold',
      'ticketTypes.held as typeHeld',
      'ticketTypes.maxPerOrder',
      'ticketTypes.salesStartAt',
      'ticketTypes.salesEndAt',
      'ticketTypes.hidden',
    ])
    .select((eb) => [eb.selectFrom('siteSettings').select('siteSettings.currency').where('siteSettings.id', '=', 1).as('currency')])
    .where('events.id', '=', eventId)
    .orderBy('ticketTypes.id')
    .execute()
  const first = rows[0]
  if (!first) return undefined

  const event: Pick<Event, 'status' | 'publishedAt' | 'endsAt' | 'capacity' | 'sold' | 'held' | 'waitingList' | 'wasPublic'> = {
    ...first,
    waitingList: first.waitingList === 1,
    wasPublic: first.wasPublic === 1,
  }
  const phase = eventPhase(event, now)
  const ticketTypes: LiveTicketTypeState[] = []
  for (const row of rows) {
    if (row.typeId === null) continue
    const type: Pick<TicketTypeRow, 'capacity' | 'sold' | 'held' | 'salesStartAt' | 'salesEndAt'> = {
      capacity: row.typeCapacity ?? 0,
      sold: row.typeSold ?? 0,
      held: row.typeHeld ?? 0,
      salesStartAt: row.salesStartAt,
      salesEndAt: row.salesEndAt,
    }
    ticketTypes.push({
      id: row.typeId,
      listed: row.hidden === 0,
      remaining: remainingOf(type, event),
      sold: type.sold,
      held: type.held,
      onSale: isTicketTypeOnSale(type, event, now),
      salesOpen: isOnSale(event, now) && inSalesWindow(type, now),
      waitingList: isWaitingListOpen(type, event, now),
      maxPerOrder: row.maxPerOrder ?? 0,
    })
  }
  // What the public pages count: the listed types, as toEventView does.
  const listed = ticketTypes.filter((type) => type.listed)
  const remaining = remainingOfEvent(
    listed.map((type) => type.remaining),
    event,
  )
  const totals = (await orderTotalsByEvent(db, [first.id])).get(first.id)
  const door = await doorCounts(db, first.id, paidAtDoor)
  // Only an event with a seat map (it has a stamp) has seats to read.
  const taken = first.seatMapStamp
    ? await db.selectFrom('seatBookings').select('seatId').where('eventId', '=', first.id).orderBy('seatId').execute()
    : []
  return {
    id: first.id,
    ownerId: first.ownerId,
    public: isPublic(event, now),
    status: eventStatus(phase, listed.length, remaining),
    ticketTypes,
    remaining,
    sold: ticketTypes.reduce((sum, type) => sum + type.sold, 0),
    revenue: totals?.revenue ?? [],
    awaiting: totals?.awaiting ?? [],
    dueAtDoor: totals?.dueAtDoor ?? [],
    orders: totals?.orders ?? 0,
    currency: first.currency ?? 'EUR',
    door,
    takenSeats: taken.map((row) => row.seatId),
  }
}

/**
 * The state message of an event. Sales figures (sold counts, revenue) only
 * when `withSales`: for the owner's and admins' sockets; the door's counts
 * for them and, `withDoor`, for the event's door staff. A cancelled event has
 * no counts of what is left: nothing of it is for sale, and its page shows none.
 */
export function stateMessage(state: LiveEventState, withSales: boolean, withDoor = withSales): string {
  const counted = state.status !== 'cancelled'
  return JSON.stringify({
    type: 'state',
    event: {
      id: state.id,
      status: state.status,
      statusLabel: EVENT_STATUS_LABELS[state.status],
      ...(counted && { remaining: state.remaining }),
      ...(withSales && {
        sold: state.sold,
        orders: state.orders,
        revenue: formatRevenue(state.revenue, state.currency),
        awaiting: formatRevenue(state.awaiting, state.currency),
        dueAtDoor: formatRevenue(state.dueAtDoor, state.currency),
      }),
      ...(withDoor && { door: state.door }),
      ...(state.takenSeats.length > 0 && { takenSeats: state.takenSeats }),
      ticketTypes: state.ticketTypes
        .filter((type) => type.listed || withSales)
        .map((type) => ({
          id: type.id,
          ...(counted && { remaining: type.remaining, soldOut: type.remaining === 0 }),
          onSale: type.onSale,
          salesOpen: type.salesOpen,
          waitingList: type.waitingList,
          maxSelectable: maxSelectable(type.onSale, type.remaining, type.maxPerOrder),
          ...(withSales && { sold: type.sold, held: type.held }),
        })),
    },
  })
}

/** Sent once to a follower who saw the event while it was public, when it stops being public or is deleted. */
export function unavailableMessage(eventId: number): string {
  return JSON.stringify({
    type: 'state',
    event: { id: eventId, status: 'unavailable', statusLabel: EVENT_STATUS_LABELS.unavailable, remaining: 0, ticketTypes: [] },
  })
}

export function errorMessage(eventId: number, message: string): string {
  return JSON.stringify({ type: 'error', event: eventId, message })
}
