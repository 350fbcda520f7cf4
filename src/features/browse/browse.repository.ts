import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import type { EventRow, TicketTypeRow } from '../../db/schema.js'
import { containsPattern } from '../../lib/search.js'
import { publicEventCondition } from '../events/event-state.js'

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

/** One page of public events, plus whether another page follows. */
export async function searchPublicEvents(db: Db, search: EventSearch): Promise<{ events: EventRow[]; hasNext: boolean }> {
  let query = db.selectFrom('events').selectAll().where(publicEventCondition(search.now))
  query =
    search.tab === 'upcoming'
      ? query.where('endsAt', '>', search.now).orderBy('startsAt', 'asc')
      : query.where('endsAt', '<=', search.now).orderBy('startsAt', 'desc')
  if (search.text) {
    const pattern = containsPattern(search.text)
    query = query.where(
      sql<boolean>`(lower(title) like ${pattern} escape '\\' or lower(venue) like ${pattern} escape '\\' or lower(description) like ${pattern} escape '\\')`,
    )
  }
  if (search.from !== null) query = query.where('endsAt', '>', search.from)
  if (search.to !== null) query = query.where('startsAt', '<', search.to)
  const rows = await query
    .orderBy('id')
    .limit(search.perPage + 1)
    .offset((search.page - 1) * search.perPage)
    .execute()
  return { events: rows.slice(0, search.perPage), hasNext: rows.length > search.perPage }
}

export async function upcomingPublicEvents(db: Db, now: number, limit: number): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where(publicEventCondition(now))
    .where('status', '=', 'published')
    .where('endsAt', '>', now)
    .orderBy('startsAt')
    .limit(limit)
    .execute()
}

export async function findEvent(db: Db, id: number): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Ticket types of these events, grouped by event id, in the order the organiser created them. */
export async function ticketTypesByEvent(db: Db, eventIds: number[]): Promise<Map<number, TicketTypeRow[]>> {
  const grouped = new Map<number, TicketTypeRow[]>(eventIds.map((id) => [id, []]))
  if (eventIds.length === 0) return grouped
  const rows = await db.selectFrom('ticketTypes').selectAll().where('eventId', 'in', eventIds).orderBy('id').execute()
  for (const row of rows) grouped.get(row.eventId)?.push(row)
  return grouped
}
