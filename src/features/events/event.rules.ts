import type { ExpressionBuilder } from 'kysely'
import type { Database, EventRow, TicketTypeRow } from '../../db/schema.js'
import type { Event } from './event.model.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import { DEFAULT_LOCALE } from '../../i18n/locale.js'
import { translatorFor } from '../../i18n/translate.js'

/**
 * Where an event stands, derived from its row and the clock, never stored:
 * a scheduled event becomes public at `publishedAt` with no job to run it.
 */
export type EventPhase = 'draft' | 'scheduled' | 'on_sale' | 'past' | 'cancelled'

export function eventPhase(event: Pick<EventRow, 'status' | 'publishedAt' | 'endsAt'>, now = Date.now()): EventPhase {
  if (event.status === 'cancelled') return 'cancelled'
  if (event.status === 'draft' || event.publishedAt === null) return 'draft'
  if (event.publishedAt > now) return 'scheduled'
  if (event.endsAt <= now) return 'past'
  return 'on_sale'
}

/** The order the organiser's dashboard lists the phases in: what needs doing first. */
export const PHASE_ORDER: readonly EventPhase[] = ['draft', 'scheduled', 'on_sale', 'past', 'cancelled']

/** The same rule as eventPhase, as an expression on `events`: the phase's place in PHASE_ORDER, to sort and count by. */
export function phaseRank(now: number) {
  return (eb: ExpressionBuilder<Database, 'events'>) => {
    const rank = (phase: EventPhase) => eb.lit(PHASE_ORDER.indexOf(phase))
    return eb
      .case()
      .when('events.status', '=', 'cancelled')
      .then(rank('cancelled'))
      .when(eb.or([eb('events.status', '=', 'draft'), eb('events.publishedAt', 'is', null)]))
      .then(rank('draft'))
      .when('events.publishedAt', '>', now)
      .then(rank('scheduled'))
      .when('events.endsAt', '<=', now)
      .then(rank('past'))
      .else(rank('on_sale'))
      .end()
  }
}

/**
 * Visible to the public: published and past its publication time, or
 * cancelled after it had been public (its buyers' messages link to its page,
 * which says it is cancelled). A draft that never was public stays private,
 * cancelled or not.
 */
export function isPublic(event: Pick<Event, 'status' | 'publishedAt' | 'wasPublic'>, now = Date.now()): boolean {
  if (event.status === 'cancelled') return event.wasPublic
  return event.status === 'published' && event.publishedAt !== null && event.publishedAt <= now
}

/** The same rule as isPublic, as a WHERE condition on `events`. */
export function publicEventCondition(now: number) {
  return (eb: ExpressionBuilder<Database, 'events'>) =>
    eb.or([
      eb.and([eb('events.status', '=', 'published'), eb('events.publishedAt', '<=', now)]),
      eb.and([eb('events.status', '=', 'cancelled'), eb('events.wasPublic', '=', 1)]),
    ])
}

/** Tickets of the event can be bought now (each type's own window aside): published, public, not over. */
export function isOnSale(event: Pick<EventRow, 'status' | 'publishedAt' | 'endsAt'>, now = Date.now()): boolean {
  return eventPhase(event, now) === 'on_sale'
}

/** The same rule as isOnSale, as a WHERE condition on `events`: the purchase's guard. */
export function onSaleCondition(now: number) {
  return (eb: ExpressionBuilder<Database, 'events'>) =>
    eb.and([eb('events.status', '=', 'published'), eb('events.publishedAt', '<=', now), eb('events.endsAt', '>', now)])
}

/** The ticket type's own sales window is open now. */
export function inSalesWindow(type: Pick<TicketTypeRow, 'salesStartAt' | 'salesEndAt'>, now = Date.now()): boolean {
  return (type.salesStartAt === null || type.salesStartAt <= now) && (type.salesEndAt === null || type.salesEndAt > now)
}

/** The same rule as inSalesWindow, as a WHERE condition on `ticket_types`. */
export function inSalesWindowCondition(now: number) {
  return (eb: ExpressionBuilder<Database, 'ticketTypes'>) =>
    eb.and([
      eb.or([eb('ticketTypes.salesStartAt', 'is', null), eb('ticketTypes.salesStartAt', '<=', now)]),
      eb.or([eb('ticketTypes.salesEndAt', 'is', null), eb('ticketTypes.salesEndAt', '>', now)]),
    ])
}

/**
 * Two ticket type names name the same type: compared as the seat map's
 * categories are (trimmed, case-blind), so no two types of an event may
 * share a name this way.
 */
export function sameTicketTypeName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase()
}

/** A ticket type's sales fall within its event: they start before it ends, and end by its end. */
export function salesWithinEvent(type: Pick<TicketTypeRow, 'salesStartAt' | 'salesEndAt'>, endsAt: number): boolean {
  return (type.salesStartAt === null || type.salesStartAt < endsAt) && (type.salesEndAt === null || type.salesEndAt <= endsAt)
}

/**
 * A ticket type the public sees, counts and may buy: not hidden. A hidden
 * one is shown and sold only to a buyer whose code names it (src/features/codes).
 */
export function isListed(type: Pick<TicketTypeRow, 'hidden'>): boolean {
  return type.hidden === 0
}

/** Counters of what is taken of a capacity: sold, and held for waiting-list offers and reserved codes, which nobody else may buy. */
type Taken = Pick<TicketTypeRow, 'capacity' | 'sold' | 'held'>

/** Tickets of the event's overall capacity nobody has bought or holds; Infinity without one. */
export function freeOfEvent(event: Pick<EventRow, 'capacity' | 'sold' | 'held'>): number {
  return event.capacity === null ? Infinity : Math.max(0, event.capacity - event.sold - event.held)
}

/** Tickets left of a type, counting the event's overall capacity when it has one. Held tickets are not left. */
export function remainingOf(type: Taken, event: Pick<EventRow, 'capacity' | 'sold' | 'held'>): number {
  return Math.min(Math.max(0, type.capacity - type.sold - type.held), freeOfEvent(event))
}

/** Tickets left for the whole event: what its types have left (each from remainingOf), within its overall capacity. */
export function remainingOfEvent(remainingOfTypes: number[], event: Pick<EventRow, 'capacity' | 'sold' | 'held'>): number {
  return Math.min(
    remainingOfTypes.reduce((sum, remaining) => sum + remaining, 0),
    freeOfEvent(event),
  )
}

/**
 * `quantity` more fit the event's overall capacity, beside what is sold and
 * held: the SQL twin of remainingOfEvent() >= quantity, as the purchase's
 * guarded UPDATE. A negative quantity (a claim buying fewer than its hold
 * gives back) is room made, not taken.
 */
export function eventHasRoomFor(quantity: number) {
  return (eb: ExpressionBuilder<Database, 'events'>) =>
    eb.or([
      eb('events.capacity', 'is', null),
      eb(eb(eb('events.sold', '+', eb.ref('events.held')), '+', quantity), '<=', eb.ref('events.capacity')),
    ])
}

/** `quantity` more of this type fit its capacity beside what is sold and held: the SQL twin of its own part of remainingOf(). */
export function ticketTypeHasRoomFor(quantity: number) {
  return (eb: ExpressionBuilder<Database, 'ticketTypes'>) =>
    eb(eb(eb('ticketTypes.sold', '+', eb.ref('ticketTypes.held')), '+', quantity), '<=', eb.ref('ticketTypes.capacity'))
}

/** A ticket type can be bought now: the event is on sale, the type's window is open and some are left. */
export function isTicketTypeOnSale(
  type: Pick<TicketTypeRow, 'capacity' | 'sold' | 'held' | 'salesStartAt' | 'salesEndAt'>,
  event: Pick<EventRow, 'status' | 'publishedAt' | 'endsAt' | 'capacity' | 'sold' | 'held'>,
  now = Date.now(),
): boolean {
  return isOnSale(event, now) && inSalesWindow(type, now) && remainingOf(type, event) > 0
}

/**
 * People may join the type's waiting list now: the organiser turned it on,
 * the type would be on sale but nothing of it is left.
 */
export function isWaitingListOpen(
  type: Pick<TicketTypeRow, 'capacity' | 'sold' | 'held' | 'salesStartAt' | 'salesEndAt'>,
  event: Pick<EventRow, 'status' | 'publishedAt' | 'endsAt' | 'capacity' | 'sold' | 'held'> & { waitingList: boolean },
  now = Date.now(),
): boolean {
  return event.waitingList && isOnSale(event, now) && inSalesWindow(type, now) && remainingOf(type, event) === 0
}

/** The most of a type one order may take now: none off sale, else the per-order limit within what is left. */
export function maxSelectable(onSale: boolean, remaining: number, maxPerOrder: number): number {
  return onSale ? Math.min(maxPerOrder, remaining) : 0
}

/**
 * The phase, with sold out told apart from on sale: the status every page
 * shows and the live updates send, so that a page updated live reads like
 * the same page reloaded.
 */
export type EventStatus = EventPhase | 'sold_out'

export function eventStatus(phase: EventPhase, ticketTypeCount: number, remaining: number): EventStatus {
  return phase === 'on_sale' && ticketTypeCount > 0 && remaining === 0 ? 'sold_out' : phase
}

/** What a page that saw the event may show once it is no longer public (a live update). */
export type ShownStatus = EventStatus | 'unavailable'

/** The message of every status badge, on the pages and in live updates alike. */
export const EVENT_STATUS_MESSAGES: Record<ShownStatus, MessageKey> = {
  draft: 'events.status.draft',
  scheduled: 'events.status.scheduled',
  on_sale: 'events.status.onSale',
  sold_out: 'events.status.soldOut',
  past: 'events.status.past',
  cancelled: 'events.status.cancelled',
  unavailable: 'events.status.unavailable',
}

/**
 * The badges' words in the default locale, for what has no reader's t():
 * the live messages' `statusLabel`, which live.js no longer reads (the page
 * gives it the words of EVENT_STATUS_MESSAGES) but older pages and the
 * protocol's tests still see.
 */
export const EVENT_STATUS_LABELS: Record<ShownStatus, string> = Object.fromEntries(
  Object.entries(EVENT_STATUS_MESSAGES).map(([status, key]) => [status, translatorFor(DEFAULT_LOCALE)(key)]),
) as Record<ShownStatus, string>
