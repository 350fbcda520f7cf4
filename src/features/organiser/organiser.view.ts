import { signDoorCode } from '../../lib/door-code.js'
import type { OrderStatus, TicketTypeRow } from '../../db/schema.js'
import { ORDER_STATUS_LABELS } from '../orders/order.states.js'
import type { Event } from '../events/event.model.js'
import { type CsvCell, csvDateTime } from '../../lib/csv.js'
import { mailtoHref } from '../../lib/forms.js'
import { TIME_ZONES, formatDateTime, formatMoney, formatRevenue, isValidTimeZone, minorToInput } from '../../lib/format.js'
import {
  type EventPhase,
  type EventStatus,
  EVENT_STATUS_LABELS,
  PHASE_ORDER,
  eventPhase,
  eventStatus,
  remainingOf,
  remainingOfEvent,
} from '../events/event.rules.js'
import type { DashboardEvent } from '../events/event.repository.js'
import type { AttendeeLine, OrderTotals } from '../purchase/order.repository.js'
import { money } from '../../lib/money.js'

/** What the organiser's pages show, shaped from the rows once, here. */

const GROUP_LABELS: Record<EventPhase, string> = {
  draft: 'Drafts',
  scheduled: 'Scheduled',
  on_sale: 'On sale',
  past: 'Past',
  cancelled: 'Cancelled',
}

export interface TicketTypeSummary {
  id: number
  name: string
  price: string
  sold: number
  /** Held for offers to the waiting list. */
  held: number
  capacity: number
  maxPerOrder: number
  /** When sales open and close, or null when they follow the event's publication. */
  salesWindow: string | null
}

export interface EventSummary {
  id: number
  title: string
  venue: string
  startsAt: string
  phase: EventPhase
  /** The phase, or sold out; the badge shows it. */
  status: EventStatus
  statusLabel: string
  /** What the phase means for this event ("Goes on sale …"), or null. */
  phaseNote: string | null
  ticketTypes: TicketTypeSummary[]
  sold: number
  /** The overall capacity, or the sum of the ticket types' when there is none. */
  capacity: number
  /** One amount per currency the orders were paid in: "€120.00 + $30.00". */
  revenue: string
  orders: number
  canPublish: boolean
}

export interface DashboardEventView extends EventSummary {
  ownerName: string
}

export interface DashboardGroup {
  phase: EventPhase
  label: string
  /** The group's events on every page, not only on this one. */
  total: number
  /** Whether the group began on an earlier page. */
  continued: boolean
  events: DashboardEventView[]
}

/** Where a page of the dashboard sits in the whole list (dashboardEvents, dashboardPhaseCounts). */
export interface DashboardListing {
  offset: number
  phaseCounts: Map<EventPhase, number>
}

/** One page of the dashboard's events, which come in PHASE_ORDER, as a group per phase. */
export function toDashboard(
  events: DashboardEvent[],
  types: Map<number, TicketTypeRow[]>,
  totals: Map<number, OrderTotals>,
  listing: DashboardListing,
  currency: string,
  now: number,
): DashboardGroup[] {
  const views = events.map((event) => ({
    ...toEventSummary(event, types.get(event.id) ?? [], totals.get(event.id), currency, now),
    ownerName: event.ownerName,
  }))
  const groups: DashboardGroup[] = []
  let listedBefore = 0
  for (const phase of PHASE_ORDER) {
    const total = listing.phaseCounts.get(phase) ?? 0
    const shown = views.filter((view) => view.phase === phase)
    if (shown.length > 0) groups.push({ phase, label: GROUP_LABELS[phase], total, continued: listing.offset > listedBefore, events: shown })
    listedBefore += total
  }
  return groups
}

export function toEventSummary(
  event: Event,
  types: TicketTypeRow[],
  totals: OrderTotals | undefined,
  currency: string,
  now: number,
): EventSummary {
  const phase = eventPhase(event, now)
  const status = eventStatus(
    phase,
    types.length,
    remainingOfEvent(
      types.map((type) => remainingOf(type, event)),
      event,
    ),
  )
  return {
    id: event.id,
    title: event.title,
    venue: event.venue,
    startsAt: formatDateTime(event.startsAt, event.timeZone),
    phase,
    status,
    statusLabel: EVENT_STATUS_LABELS[status],
    phaseNote: phaseNote(event, phase),
    ticketTypes: types.map((type) => toTicketTypeSummary(type, event.timeZone, currency)),
    sold: event.sold,
    capacity: event.capacity ?? types.reduce((sum, type) => sum + type.capacity, 0),
    revenue: formatRevenue(totals?.revenue ?? [], currency),
    orders: totals?.orders ?? 0,
    canPublish: (phase === 'draft' || phase === 'scheduled') && types.length > 0,
  }
}

function phaseNote(event: Event, phase: EventPhase): string | null {
  if (phase === 'scheduled' && event.publishedAt !== null) return `Goes on sale ${formatDateTime(event.publishedAt, event.timeZone)}`
  if (phase === 'cancelled' && event.cancelledAt !== null) return `Cancelled ${formatDateTime(event.cancelledAt, event.timeZone)}`
  if (phase === 'draft') return 'Only you can see it.'
  return null
}

function toTicketTypeSummary(type: TicketTypeRow, timeZone: string, currency: string): TicketTypeSummary {
  const from = type.salesStartAt === null ? null : `from ${formatDateTime(type.salesStartAt, timeZone)}`
  const until = type.salesEndAt === null ? null : `until ${formatDateTime(type.salesEndAt, timeZone)}`
  return {
    id: type.id,
    name: type.name,
    price: formatMoney(money(type.priceMinor, currency)),
    sold: type.sold,
    held: type.held,
    capacity: type.capacity,
    maxPerOrder: type.maxPerOrder,
    salesWindow: from || until ? [from, until].filter(Boolean).join(' ') : null,
  }
}

export interface AttendeeOrderView {
  code: string
  status: OrderStatus
  statusLabel: string
  buyerName: string
  buyerEmail: string
  buyerMailto: string
  total: string
  orderedAt: string
  tickets: { id: number; code: string; typeName: string; price: string; checkedIn: string | null }[]
}

/**
 * Attendee lines (one per ticket, grouped by order in the order given) as one
 * view per order, in the currency each was paid in, each ticket by its door code.
 */
export function toOrderViews(lines: AttendeeLine[], event: Event, checkInSecret: string): AttendeeOrderView[] {
  const orders = new Map<number, AttendeeOrderView>()
  for (const line of lines) {
    let order = orders.get(line.orderId)
    if (!order) {
      order = {
        code: line.orderCode,
        status: line.status,
        statusLabel: ORDER_STATUS_LABELS[line.status],
        buyerName: line.buyerName,
        buyerEmail: line.buyerEmail,
        buyerMailto: mailtoHref(line.buyerEmail),
        total: formatMoney(money(line.totalMinor, line.currency)),
        orderedAt: formatDateTime(line.orderedAt, event.timeZone),
        tickets: [],
      }
      orders.set(line.orderId, order)
    }
    order.tickets.push({
      id: line.ticketId,
      code: signDoorCode(checkInSecret, event.id, line.ticketId),
      typeName: line.ticketTypeName,
      price: formatMoney(money(line.priceMinor, line.currency)),
      checkedIn:
        line.checkedInAt === null
          ? null
          : `${formatDateTime(line.checkedInAt, event.timeZone)} by ${line.checkedInBy ?? ''} at ${line.checkedInGate ?? ''}`,
    })
  }
  return [...orders.values()]
}

export function attendeeHeader(event: Event): CsvCell[] {
  return [
    'Order code',
    'Status',
    'Buyer name',
    'Email',
    'Ticket type',
    'Ticket code',
    'Price',
    'Currency',
    `Ordered at (${event.timeZone})`,
    `Checked in at (${event.timeZone})`,
  ]
}

/** One row per ticket, under attendeeHeader; prices as plain amounts beside the currency each order was paid in. */
export function toAttendeeRows(lines: AttendeeLine[], event: Event, checkInSecret: string): CsvCell[][] {
  return lines.map((line) => [
    line.orderCode,
    line.status,
    line.buyerName,
    line.buyerEmail,
    line.ticketTypeName,
    signDoorCode(checkInSecret, event.id, line.ticketId),
    minorToInput(money(line.priceMinor, line.currency)),
    line.currency,
    csvDateTime(line.orderedAt, event.timeZone),
    line.checkedInAt === null ? '' : csvDateTime(line.checkedInAt, event.timeZone),
  ])
}

/** The time zones a <select> offers: every one the runtime knows, and the current one even if it is an alias. */
export function timeZoneChoices(current: string): string[] {
  const zones = new Set(TIME_ZONES)
  if (isValidTimeZone(current)) zones.add(current)
  return [...zones].sort()
}
