import type { Db } from '../../src/db/database.js'
import type { EventRow, StoredEventStatus, TicketTypeRow } from '../../src/db/schema.js'
import { searchText } from '../../src/lib/search.js'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

export interface EventFixture {
  title?: string
  description?: string
  venue?: string
  status?: StoredEventStatus
  /** Defaults to an hour ago for published events (on sale now), null for drafts. */
  publishedAt?: number | null
  /** Whether it has been public; defaults to whether a cancelled event's publication time has passed, as a cancellation records it. */
  wasPublic?: boolean
  startsAt?: number
  endsAt?: number
  timeZone?: string
  capacity?: number | null
  allowBuyerCancellation?: boolean
  ticketTypes?: TicketTypeFixture[]
}

export interface TicketTypeFixture {
  name?: string
  priceMinor?: number
  capacity?: number
  maxPerOrder?: number
  salesStartAt?: number | null
  salesEndAt?: number | null
}

/**
 * An event with its ticket types straight in the database, for tests of what
 * comes after the organiser's forms (browsing, buying, live updates).
 */
export async function createEvent(
  db: Db,
  ownerId: number,
  fixture: EventFixture = {},
): Promise<{ event: EventRow; ticketTypes: TicketTypeRow[] }> {
  const now = Date.now()
  const status = fixture.status ?? 'published'
  const startsAt = fixture.startsAt ?? now + 30 * DAY
  const title = fixture.title ?? 'Test Concert'
  const description = fixture.description ?? 'An evening of music.'
  const venue = fixture.venue ?? 'Town Hall'
  const publishedAt = fixture.publishedAt !== undefined ? fixture.publishedAt : status === 'draft' ? null : now - HOUR
  const wasPublic = fixture.wasPublic ?? (status === 'cancelled' && publishedAt !== null && publishedAt <= now)
  const event = await db
    .insertInto('events')
    .values({
      ownerId,
      title,
      description,
      venue,
      searchText: searchText(title, venue, description),
      startsAt,
      endsAt: fixture.endsAt ?? startsAt + 3 * HOUR,
      timeZone: fixture.timeZone ?? 'Europe/Berlin',
      imageUrl: null,
      capacity: fixture.capacity ?? null,
      status,
      publishedAt,
      wasPublic: wasPublic ? 1 : 0,
      allowBuyerCancellation: fixture.allowBuyerCancellation === false ? 0 : 1,
      cancelledAt: status === 'cancelled' ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const ticketTypes: TicketTypeRow[] = []
  for (const [index, type] of (fixture.ticketTypes ?? [{}]).entries()) {
    ticketTypes.push(
      await db
        .insertInto('ticketTypes')
        .values({
          eventId: event.id,
          name: type.name ?? (index === 0 ? 'Standard' : `Type ${index + 1}`),
          priceMinor: type.priceMinor ?? 2500,
          capacity: type.capacity ?? 100,
          maxPerOrder: type.maxPerOrder ?? 10,
          salesStartAt: type.salesStartAt ?? null,
          salesEndAt: type.salesEndAt ?? null,
          createdAt: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    )
  }
  return { event, ticketTypes }
}
