import { randomBytes } from 'node:crypto'
import type { Db } from '../src/db/database.js'
import { searchText } from '../src/lib/search.js'

export interface BenchEvent {
  eventId: number
  ticketTypeId: number
}

/**
 * A published event on sale, with one ticket type of `capacity` at 25.00, and
 * an organiser of its own: what every benchmark sells or watches.
 */
export async function seedOnSaleEvent(db: Db, capacity: number, title = 'Flash Sale'): Promise<BenchEvent> {
  const now = Date.now()
  const email = `bench-organiser-${randomBytes(4).toString('hex')}@example.test`
  const owner = await db
    .insertInto('users')
    .values({
      email,
      name: 'Bench Organiser',
      searchText: searchText('Bench Organiser', email),
      passwordHash: 'x',
      role: 'organiser',
      status: 'active',
      organiserRequestedAt: null,
      createdAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const event = await db
    .insertInto('events')
    .values({
      ownerId: owner.id,
      title,
      description: 'The benchmark event.',
      venue: 'Arena',
      searchText: searchText(title, 'Arena', 'The benchmark event.'),
      startsAt: now + 30 * 86_400_000,
      endsAt: now + 30 * 86_400_000 + 3 * 3_600_000,
      timeZone: 'Europe/Berlin',
      imageUrl: null,
      capacity: null,
      status: 'published',
      publishedAt: now - 60_000,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const type = await db
    .insertInto('ticketTypes')
    .values({
      eventId: event.id,
      name: 'General',
      priceMinor: 2500,
      capacity,
      maxPerOrder: 10,
      salesStartAt: null,
      salesEndAt: null,
      createdAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { eventId: event.id, ticketTypeId: type.id }
}
