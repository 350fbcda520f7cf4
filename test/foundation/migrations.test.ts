import { type Kysely, sql } from 'kysely'
import { afterEach, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/database.js'
import { MigrationError, migrateToLatest } from '../../src/db/migrate.js'
import { migrations } from '../../migrations/index.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'

describeEachDatabase('migrations', (kind) => {
  let database: TestDatabase
  afterEach(async () => database?.drop())

  it('create every table on an empty database, and a second run changes nothing', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations))
      expect(await migrateToLatest(db)).toEqual([])
      const tables = (await db.introspection.getTables()).map((table) => table.name).sort()
      expect(tables).toEqual([
        'audit_log',
        'check_ins',
        'door_staff',
        'events',
        'orders',
        'outbox',
        'password_resets',
        'seat_bookings',
        'seats',
        'sessions',
        'site_settings',
        'ticket_types',
        'tickets',
        'users',
        'waiting_list_entries',
      ])
      const settings = await db.selectFrom('siteSettings').selectAll().executeTakeFirstOrThrow()
      expect(settings.siteName).toBe('Admit One')
      // int8 columns come back as numbers on both drivers.
      expect(typeof settings.updatedAt).toBe('number')
    } finally {
      await db.destroy()
    }
  })

  it('report a failing migration by name and leave its changes undone', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      const broken = {
        ...migrations,
        '9999_broken': {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration takes Kysely<any>
          up: async (trx: Kysely<any>) => {
            await sql`create table half_done (id integer)`.execute(trx)
            await sql`this is not sql`.execute(trx)
          },
        },
      }
      await expect(migrateToLatest(db, broken)).rejects.toThrow(MigrationError)
      await expect(migrateToLatest(db, broken)).rejects.toThrow(/9999_broken/)
      const tables = (await db.introspection.getTables()).map((table) => table.name)
      expect(tables).not.toContain('half_done')
    } finally {
      await db.destroy()
    }
  })

  it('0014 marks as once public the cancelled events that kept their publication time, and the events with orders', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      const { '0014_was_public': _added, ...before } = migrations
      await migrateToLatest(db, before)
      const now = Date.now()
      const { id: ownerId } = await sql<{ id: number }>`insert into users (email, name, password_hash, role, status, created_at)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}) returning id`
        .execute(db)
        .then((result) => result.rows[0]!)
      const event = async (title: string, status: string, publishedAt: number | null) => {
        const result = await sql<{
          id: number
        }>`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, published_at, created_at, updated_at)
          values (${ownerId}, ${title}, '', 'Hall', ${now + 1e9}, ${now + 2e9}, 'Europe/Berlin', ${status}, ${publishedAt}, ${now}, ${now})
          returning id`.execute(db)
        return result.rows[0]!.id
      }
      const ids = {
        cancelledPublic: await event('cancelled public', 'cancelled', now - 1000),
        cancelledNeverPublic: await event('cancelled never public', 'cancelled', null),
        unpublishedWithOrders: await event('unpublished with orders', 'draft', null),
        cancelledAfterUnpublishedWithOrders: await event('cancelled, had orders', 'cancelled', null),
        draft: await event('draft', 'draft', null),
      }
      for (const eventId of [ids.unpublishedWithOrders, ids.cancelledAfterUnpublishedWithOrders]) {
        await sql`insert into orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at)
          values (${`C${eventId}`}, 'k', ${`i${eventId}`}, ${eventId}, 'B', 'b@example.test', 0, 'EUR', 'cancelled', ${now})`.execute(db)
      }

      expect(await migrateToLatest(db)).toEqual(['0014_was_public'])
      const rows = await db.selectFrom('events').select(['id', 'wasPublic']).orderBy('id').execute()
      expect(rows).toEqual([
        { id: ids.cancelledPublic, wasPublic: 1 },
        { id: ids.cancelledNeverPublic, wasPublic: 0 },
        { id: ids.unpublishedWithOrders, wasPublic: 1 },
        { id: ids.cancelledAfterUnpublishedWithOrders, wasPublic: 1 },
        { id: ids.draft, wasPublic: 0 },
      ])
    } finally {
      await db.destroy()
    }
  })

  // Queries are prepared once per connection on PostgreSQL (src/db/database.ts).
  it('keep answering after another instance migrates a table under a prepared SELECT *', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url, { poolSize: 1 })
    try {
      await migrateToLatest(db)
      const read = () => db.selectFrom('siteSettings').selectAll().executeTakeFirstOrThrow()
      await read()
      await read()
      // What a newer release's migration, run by another instance, might do.
      const { db: other } = createDatabase(database.url)
      await sql`alter table site_settings add column added_later text`.execute(other)
      await other.destroy()

      const outcomes = []
      for (let i = 0; i < 3; i++)
        outcomes.push(
          await read().then(
            (row) => 'added_later' in row || 'addedLater' in row,
            (error: { code?: string }) => error.code,
          ),
        )
      // PostgreSQL refuses the prepared statement once (0A000); from then on it is prepared afresh.
      expect(outcomes).toEqual(kind === 'postgres' ? ['0A000', true, true] : [true, true, true])
    } finally {
      await db.destroy()
    }
  })
})
