import { type Kysely, sql } from 'kysely'
import { idColumn } from './dialect.js'

// The waiting list (issue 18):
// - events.waiting_list (0/1) turns it on per event; events.offer_hours is how
//   long an offer holds its tickets.
// - events.held and ticket_types.held count the tickets held for offers, next
//   to `sold`: the purchase's guarded UPDATEs take `sold + held + n <= capacity`,
//   so held tickets are never sold to anyone else.
// - waiting_list_entries: one row per person and ticket type, in the order they
//   joined (id). An offer is the entry in state 'offered' with the quantity it
//   holds and when that runs out. Only the SHA-256 of the leave and claim links'
//   tokens is kept. One address may be waiting (or offered) once per ticket
//   type: a partial unique index, so that it may join again after leaving.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('waiting_list', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('offer_hours', 'integer', (col) => col.notNull().defaultTo(24))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('held', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('ticket_types')
    .addColumn('held', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('waiting_list_entries')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('ticket_type_id', 'integer', (col) => col.notNull().references('ticket_types.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('leave_token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('site_url', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('offered_quantity', 'integer')
    .addColumn('offer_token_hash', 'text', (col) => col.unique())
    .addColumn('offered_at', 'bigint')
    .addColumn('offer_expires_at', 'bigint')
    .addColumn('order_id', 'integer', (col) => col.references('orders.id'))
    .addColumn('closed_at', 'bigint')
    .execute()
  await db.schema.createIndex('waiting_list_entries_event_state').on('waiting_list_entries').columns(['event_id', 'state', 'id']).execute()
  await db.schema.createIndex('waiting_list_entries_offers').on('waiting_list_entries').columns(['state', 'offer_expires_at']).execute()
  await db.schema
    .createIndex('waiting_list_entries_one_per_address')
    .on('waiting_list_entries')
    .columns(['ticket_type_id', 'email'])
    .unique()
    .where(sql.ref('state'), 'in', sql`('waiting', 'offered')`)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('waiting_list_entries').execute()
  await db.schema.alterTable('ticket_types').dropColumn('held').execute()
  await db.schema.alterTable('events').dropColumn('held').execute()
  await db.schema.alterTable('events').dropColumn('offer_hours').execute()
  await db.schema.alterTable('events').dropColumn('waiting_list').execute()
}
