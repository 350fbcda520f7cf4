/**
 * The events core: every read of events and ticket types, for the public
 * pages, the organiser's and the purchase. Other features build on it; it
 * imports none of them.
 */
import { sql } from 'kysely'
import type { Db, Trx } from '../../db/database.js'
import type { TicketTypeRow } from '../../db/schema.js'
import { type Event, toEvent } from './event.model.js'
import { foldedPattern } from '../../lib/search.js'
import { randomSecret } from '../../lib/random.js'
import { type EventPhase, PHASE_ORDER, phaseRank, publicEventCondition } from './event.rules.js'

/** A ticket type with the event it belongs to: what the ticket type forms need. */
export interface TicketTypeWithEvent {
  type: TicketTypeRow
  event: Event
}

/** The event a ticket type belongs to, or undefined when there is no such type: how a ticket type's route finds its event. */
export async function eventIdOfTicketType(db: Db, id: number): Promise<number | undefined> {
  const type = await db.selectFrom('ticketTypes').select('eventId').where('id', '=', id).executeTakeFirst()
  return type?.eventId
}

/** The ticket type, if it is (still) one of this event's. */
export async function findTicketType(db: Db, event: Event, id: number): Promise<TicketTypeWithEvent | undefined> {
  const type = await db.selectFrom('ticketTypes').selectAll().where('id', '=', id).where('eventId', '=', event.id).executeTakeFirst()
  return type && { type, event }
}

export interface DashboardEvent extends Event {
  ownerName: string
}

/** The events an organiser owns, or every event when `ownerId` is null (admins). */
function dashboardQuery(db: Db, ownerId: number | null) {
  return db.selectFrom('events').$if(ownerId !== null, (qb) => qb.where('events.ownerId', '=', ownerId!))
}

export interface DashboardPage {
  now: number
  limit: number
  offset: number
}

/**
 * One page of the dashboard's events, in the order it groups them: by phase
 * (PHASE_ORDER) as of `now`, then soonest first, so that a group runs on from
 * one page into the next and never shows up again further on.
 */
export async function dashboardEvents(
  db: Db,
  ownerId: number | null,
  page: DashboardPage,
): Promise<{ events: DashboardEvent[]; hasNext: boolean }> {
  const rows = await dashboardQuery(db, ownerId)
    .innerJoin('users', 'users.id', 'events.ownerId')
    .selectAll('events')
    .select('users.name as ownerName')
    .orderBy(phaseRank(page.now))
    .orderBy('events.startsAt')
    .orderBy('events.id')
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute()
  return {
    events: rows.slice(0, page.limit).map((row) => ({ ...toEvent(row), ownerName: row.ownerName })),
    hasNext: rows.length > page.limit,
  }
}

/** How many of the dashboard's events are in each phase as of `now`, on every page together. */
export async function dashboardPhaseCounts(db: Db, ownerId: number | null, now: number): Promise<Map<EventPhase, number>> {
  const rows = await dashboardQuery(db, ownerId)
    .select((eb) => [phaseRank(now)(eb).as('rank'), eb.fn.countAll<number>().as('count')])
    .groupBy('rank')
    .execute()
  return new Map(rows.map((row) => [PHASE_ORDER[Number(row.rank)]!, Number(row.count)]))
}

/**
 * Takes the event row's lock for the rest of the transaction. A purchase
 * updates this row first, so holding it means no purchase is half-way through
 * while we look at orders or tickets (PostgreSQL; SQLite has one writer anyway).
 */
export async function lockEvent(trx: Trx, eventId: number): Promise<Event | undefined> {
  const row = await trx
    .updateTable('events')
    .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
    .where('id', '=', eventId)
    .returningAll()
    .executeTakeFirst()
  return row && toEvent(row)
}

export interface EventSearch {
  text: string
  /** Events that end after this instant (the start of the "from" day). */
  from: number | null
  /** Events that start before this instant (the end of the "to" day). */
  to: number | null
  tab: 'upcoming' | 'past'
  page: number
  perPage: number
  now: number
}

/** The public events the search's filters let through, in no order. */
function matchingPublicEvents(db: Db, search: Omit<EventSearch, 'page' | 'perPage'>) {
  let query = db.selectFrom('events').where(publicEventCondition(search.now))
  query = search.tab === 'upcoming' ? query.where('endsAt', '>', search.now) : query.where('endsAt', '<=', search.now)
  if (search.text) {
    query = query.where(sql<boolean>`search_text like ${foldedPattern(search.text)} escape '\\'`)
  }
  if (search.from !== null) query = query.where('endsAt', '>', search.from)
  if (search.to !== null) query = query.where('startsAt', '<', search.to)
  return query
}

/** One page of public events, plus whether another page follows. */
export async function searchPublicEvents(db: Db, search: EventSearch): Promise<{ events: Event[]; hasNext: boolean }> {
  const rows = await matchingPublicEvents(db, search)
    .selectAll()
    .orderBy('startsAt', search.tab === 'upcoming' ? 'asc' : 'desc')
    .orderBy('id')
    .limit(search.perPage + 1)
    .offset((search.page - 1) * search.perPage)
    .execute()
  return { events: rows.slice(0, search.perPage).map(toEvent), hasNext: rows.length > search.perPage }
}

/** How many public events the search finds on all its pages together. */
export async function countPublicEvents(db: Db, search: Omit<EventSearch, 'page' | 'perPage'>): Promise<number> {
  const row = await matchingPublicEvents(db, search)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function upcomingPublicEvents(db: Db, now: number, limit: number): Promise<Event[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where(publicEventCondition(now))
    .where('status', '=', 'published')
    .where('endsAt', '>', now)
    .orderBy('startsAt')
    .limit(limit)
    .execute()
  return rows.map(toEvent)
}

export async function findEvent(db: Db | Trx, id: number): Promise<Event | undefined> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toEvent(row)
}

/**
 * The key of an event's signed door codes, made the first time one is needed.
 * Two requests making it at once keep the first one written (coalesce), so
 * every code ever shown for the event stays valid.
 */
export async function checkInSecretOf(db: Db | Trx, event: Pick<Event, 'id' | 'checkInSecret'>): Promise<string> {
  if (event.checkInSecret !== null) return event.checkInSecret
  const row = await db
    .updateTable('events')
    .set((eb) => ({ checkInSecret: eb.fn.coalesce('checkInSecret', eb.val(randomSecret(32))) }))
    .where('id', '=', event.id)
    .returning('checkInSecret')
    .executeTakeFirstOrThrow()
  return row.checkInSecret!
}

/** Ticket types of these events, grouped by event id, in the order the organiser created them. */
export async function ticketTypesByEvent(db: Db, eventIds: number[]): Promise<Map<number, TicketTypeRow[]>> {
  const grouped = new Map<number, TicketTypeRow[]>(eventIds.map((id) => [id, []]))
  if (eventIds.length === 0) return grouped
  const rows = await db.selectFrom('ticketTypes').selectAll().where('eventId', 'in', eventIds).orderBy('id').execute()
  for (const row of rows) grouped.get(row.eventId)?.push(row)
  return grouped
}

/** An event with its ticket types, in the order the organiser created them. */
export interface EventWithTicketTypes {
  event: Event
  types: TicketTypeRow[]
}

/**
 * The event joined with its ticket types, one row per type (one row with null
 * type columns when it has none), as one query that a caller may extend with
 * columns of its own (the purchase adds the order of its form key): the pages
 * and the purchase read an event in one round trip, not two.
 */
export function eventWithTicketTypesQuery(db: Db | Trx, eventId: number) {
  return db
    .selectFrom('events')
    .leftJoin('ticketTypes', 'ticketTypes.eventId', 'events.id')
    .selectAll('events')
    .select([
      'ticketTypes.id as typeId',
      'ticketTypes.name as typeName',
      'ticketTypes.priceMinor as typePriceMinor',
      'ticketTypes.capacity as typeCapacity',
      'ticketTypes.sold as typeSold',
      'ticketTypes.held as typeHeld',
      'ticketTypes.maxPerOrder as typeMaxPerOrder',
      'ticketTypes.salesStartAt as typeSalesStartAt',
      'ticketTypes.salesEndAt as typeSalesEndAt',
      'ticketTypes.createdAt as typeCreatedAt',
      'ticketTypes.allowReentry as typeAllowReentry',
      'ticketTypes.hidden as typeHidden',
    ])
    .where('events.id', '=', eventId)
    .orderBy('ticketTypes.id')
}

type EventWithTicketTypesRow = Awaited<ReturnType<ReturnType<typeof eventWithTicketTypesQuery>['executeTakeFirstOrThrow']>>

/** The rows of eventWithTicketTypesQuery as an event and its types; undefined when there is no such event. */
export function toEventWithTicketTypes(rows: EventWithTicketTypesRow[]): EventWithTicketTypes | undefined {
  const first = rows[0]
  if (!first) return undefined
  const {
    typeId: _typeId,
    typeName: _typeName,
    typePriceMinor: _typePriceMinor,
    typeCapacity: _typeCapacity,
    typeSold: _typeSold,
    typeHeld: _typeHeld,
    typeMaxPerOrder: _typeMaxPerOrder,
    typeSalesStartAt: _typeSalesStartAt,
    typeSalesEndAt: _typeSalesEndAt,
    typeCreatedAt: _typeCreatedAt,
    typeAllowReentry: _typeAllowReentry,
    typeHidden: _typeHidden,
    ...eventRow
  } = first
  const types: TicketTypeRow[] = []
  for (const row of rows) {
    if (row.typeId === null) continue
    types.push({
      id: row.typeId,
      eventId: first.id,
      name: row.typeName!,
      priceMinor: row.typePriceMinor!,
      capacity: row.typeCapacity!,
      sold: row.typeSold!,
      held: row.typeHeld!,
      maxPerOrder: row.typeMaxPerOrder!,
      salesStartAt: row.typeSalesStartAt,
      salesEndAt: row.typeSalesEndAt,
      createdAt: row.typeCreatedAt!,
      allowReentry: row.typeAllowReentry!,
      hidden: row.typeHidden!,
    })
  }
  return { event: toEvent(eventRow), types }
}

export async function findEventWithTicketTypes(db: Db | Trx, eventId: number): Promise<EventWithTicketTypes | undefined> {
  return toEventWithTicketTypes(await eventWithTicketTypesQuery(db, eventId).execute())
}
