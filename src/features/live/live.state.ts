import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import type { EventRow, TicketTypeRow } from '../../db/schema.js'
import { formatMoney } from '../../lib/format.js'
import { type EventPhase, eventPhase, isPublic, remainingOf } from '../events/event-state.js'

/**
 * What a live page needs to know of an event, read in one query: its status,
 * what remains of each ticket type and, for the owner, sales and revenue.
 */
export interface LiveEventState {
  id: number
  ownerId: number
  public: boolean
  status: LiveStatus
  ticketTypes: LiveTicketTypeState[]
  remaining: number
  sold: number
  revenueMinor: number
  currency: string
}

export interface LiveTicketTypeState {
  id: number
  remaining: number
  sold: number
  onSale: boolean
  maxPerOrder: number
}

/** An event phase, with sold out told apart from on sale. */
export type LiveStatus = EventPhase | 'sold_out'

/** The words of the organiser's dashboard badges, so that a live update reads like the page it updates. */
const STATUS_LABELS: Record<LiveStatus | 'unavailable', string> = {
  on_sale: 'On sale',
  sold_out: 'Sold out',
  scheduled: 'Scheduled',
  past: 'Past',
  cancelled: 'Cancelled',
  draft: 'Draft',
  unavailable: 'No longer available',
}

export async function loadLiveState(db: Db, eventId: number, now = Date.now()): Promise<LiveEventState | undefined> {
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
      'ticketTypes.id as typeId',
      'ticketTypes.capacity as typeCapacity',
      'ticketTypes.sold as typeSold',
      'ticketTypes.maxPerOrder',
      'ticketTypes.salesStartAt',
      'ticketTypes.salesEndAt',
    ])
    .select((eb) => [
      eb
        .selectFrom('orders')
        .select(sql<number>`coalesce(sum(orders.total_minor), 0)`.as('revenue'))
        .whereRef('orders.eventId', '=', 'events.id')
        .where('orders.status', '=', 'paid')
        .as('revenueMinor'),
      eb.selectFrom('siteSettings').select('siteSettings.currency').where('siteSettings.id', '=', 1).as('currency'),
    ])
    .where('events.id', '=', eventId)
    .orderBy('ticketTypes.id')
    .execute()
  const first = rows[0]
  if (!first) return undefined

  const event: Pick<EventRow, 'status' | 'publishedAt' | 'endsAt' | 'capacity' | 'sold'> = first
  const phase = eventPhase(event, now)
  const ticketTypes: LiveTicketTypeState[] = []
  for (const row of rows) {
    if (row.typeId === null) continue
    const type: Pick<TicketTypeRow, 'capacity' | 'sold' | 'salesStartAt' | 'salesEndAt'> = {
      capacity: row.typeCapacity ?? 0,
      sold: row.typeSold ?? 0,
      salesStartAt: row.salesStartAt,
      salesEndAt: row.salesEndAt,
    }
    const remaining = remainingOf(type, event)
    const inSalesWindow = (type.salesStartAt === null || type.salesStartAt <= now) && (type.salesEndAt === null || type.salesEndAt > now)
    ticketTypes.push({
      id: row.typeId,
      remaining,
      sold: type.sold,
      onSale: phase === 'on_sale' && inSalesWindow && remaining > 0,
      maxPerOrder: row.maxPerOrder ?? 0,
    })
  }
  const remaining = Math.min(
    ticketTypes.reduce((sum, type) => sum + type.remaining, 0),
    event.capacity === null ? Infinity : Math.max(0, event.capacity - event.sold),
  )
  const soldOut = phase === 'on_sale' && ticketTypes.length > 0 && remaining === 0
  return {
    id: first.id,
    ownerId: first.ownerId,
    public: isPublic(event, now),
    status: soldOut ? 'sold_out' : phase,
    ticketTypes,
    remaining,
    sold: ticketTypes.reduce((sum, type) => sum + type.sold, 0),
    revenueMinor: Number(first.revenueMinor ?? 0),
    currency: first.currency ?? 'EUR',
  }
}

/**
 * The state message of an event. Sales figures (sold counts, revenue) only
 * when `withSales`: for the owner's and admins' sockets.
 */
export function stateMessage(state: LiveEventState, withSales: boolean): string {
  return JSON.stringify({
    type: 'state',
    event: {
      id: state.id,
      status: state.status,
      statusLabel: STATUS_LABELS[state.status],
      remaining: state.remaining,
      ...(withSales && { sold: state.sold, revenueMinor: state.revenueMinor, revenue: formatMoney(state.revenueMinor, state.currency) }),
      ticketTypes: state.ticketTypes.map((type) => ({
        id: type.id,
        remaining: type.remaining,
        soldOut: type.remaining === 0,
        onSale: type.onSale,
        maxSelectable: type.onSale ? Math.min(type.remaining, type.maxPerOrder) : 0,
        ...(withSales && { sold: type.sold }),
      })),
    },
  })
}

/** Sent once to a follower who saw the event while it was public, when it stops being public or is deleted. */
export function unavailableMessage(eventId: number): string {
  return JSON.stringify({
    type: 'state',
    event: { id: eventId, status: 'unavailable', statusLabel: STATUS_LABELS.unavailable, remaining: 0, ticketTypes: [] },
  })
}

export function errorMessage(eventId: number, message: string): string {
  return JSON.stringify({ type: 'error', event: eventId, message })
}
