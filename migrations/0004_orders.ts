import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('access_key', 'text', (col) => col.notNull())
    .addColumn('idempotency_key', 'text', (col) => col.notNull().unique())
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id'))
    .addColumn('user_id', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('buyer_name', 'text', (col) => col.notNull())
    .addColumn('buyer_email', 'text', (col) => col.notNull())
    .addColumn('total_minor', 'integer', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('cancelled_at', 'bigint')
    .execute()
  await db.schema.createIndex('orders_event').on('orders').column('event_id').execute()
  await db.schema.createIndex('orders_user').on('orders').column('user_id').execute()

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('ticket_type_id', 'integer', (col) => col.notNull().references('ticket_types.id'))
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('price_minor', 'integer', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('tickets_order').on('tickets').column('order_id').execute()
  await db.schema.createIndex('tickets_ticket_type').on('tickets').column('ticket_type_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tickets').execute()
  await db.schema.dropTable('orders').execute()
}
