import { type Kysely, sql } from 'kysely'
import { idColumn } from './dialect.js'

// Discount and access codes (issue 32).
//
// codes: per event, typed by the organiser or generated with a prefix.
// code_key is the code folded for comparison (upper case): unique per event,
// so a code is found whatever case it is typed in. discount: 'percent',
// 'amount' (off each ticket), 'price' (each ticket at a set price) or 'none'
// (an access code), with amount in percent points or minor units.
// ticket_type_ids: the types it applies to (and unlocks when hidden),
// comma-separated; '' for every type that is not hidden. Kept in the row,
// not a table beside it, so that the purchase's guarded UPDATE can check
// that the terms it priced with are still the code's.
//
// used: the code's live uses, those of paid orders and of orders awaiting
// payment: taken by the purchase with a guarded UPDATE in its transaction,
// given back when an order lapses or is cancelled (or, counted per ticket,
// when some of its tickets are). kept: the tickets a reserved code keeps
// aside for its holders now (max_uses - used while it is open, 0 once it
// ended), counted in its ticket type's and its event's `held` like the
// waiting list's offers.
//
// ticket_types.hidden: shown and sold only to a buyer whose code names it.
// orders.code_id: the code the order was placed with; tickets.code_id: set
// on the tickets it applied to (counted, discounted or unlocked), with
// discount_minor what it took off that ticket's price (tickets.price_minor
// is what was paid).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('codes')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('code', 'text', (col) => col.notNull())
    .addColumn('code_key', 'text', (col) => col.notNull())
    .addColumn('discount', 'text', (col) => col.notNull())
    .addColumn('amount', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('ticket_type_ids', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('valid_from', 'bigint')
    .addColumn('valid_until', 'bigint')
    .addColumn('max_uses', 'integer')
    .addColumn('counted_per', 'text', (col) => col.notNull().defaultTo('order'))
    .addColumn('max_per_order', 'integer')
    .addColumn('reserved', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('used', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('kept', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('codes_event_key').on('codes').columns(['event_id', 'code_key']).unique().execute()
  // The reserved codes still keeping tickets aside: what settle looks at to release those that ended.
  await db.schema.createIndex('codes_keeping').on('codes').column('event_id').where(sql.ref('kept'), '>', 0).execute()

  await db.schema
    .alterTable('ticket_types')
    .addColumn('hidden', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('orders')
    .addColumn('code_id', 'integer', (col) => col.references('codes.id'))
    .execute()
  await db.schema.createIndex('orders_code').on('orders').column('code_id').execute()
  await db.schema
    .alterTable('tickets')
    .addColumn('code_id', 'integer', (col) => col.references('codes.id'))
    .execute()
  await db.schema
    .alterTable('tickets')
    .addColumn('discount_minor', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').dropColumn('discount_minor').execute()
  await db.schema.alterTable('tickets').dropColumn('code_id').execute()
  await db.schema.dropIndex('orders_code').execute()
  await db.schema.alterTable('orders').dropColumn('code_id').execute()
  await db.schema.alterTable('ticket_types').dropColumn('hidden').execute()
  await db.schema.dropTable('codes').execute()
}
