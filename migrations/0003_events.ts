import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('owner_id', 'integer', (col) => col.notNull().references('users.id'))
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('venue', 'text', (col) => col.notNull())
    .addColumn('starts_at', 'bigint', (col) => col.notNull())
    .addColumn('ends_at', 'bigint', (col) => col.notNull())
    .addColumn('time_zone', 'text', (col) => col.notNull())
    .addColumn('image_url', 'text')
    .addColumn('capacity', 'integer')
    .addColumn('sold', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('published_at', 'bigint')
    .addColumn('allow_buyer_cancellation', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('cancelled_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('events_owner').on('events').column('owner_id').execute()
  await db.schema.createIndex('events_public').on('events').columns(['status', 'starts_at']).execute()

  await db.schema
    .createTable('ticket_types')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('price_minor', 'integer', (col) => col.notNull())
    .addColumn('capacity', 'integer', (col) => col.notNull())
    .addColumn('sold', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('max_per_order', 'integer', (col) => col.notNull())
    .addColumn('sales_start_at', 'bigint')
    .addColumn('sales_end_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('ticket_types_event').on('ticket_types').column('event_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_types').execute()
  await db.schema.dropTable('events').execute()
}
