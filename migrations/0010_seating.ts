import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

// Reserved seating:
// - seats: an event's seat map. Each seat belongs to a ticket type (its price
//   category), sits in a section and a row, and has a place on the map (x, y:
//   grid cells; seats of one row with x one apart are side by side). kind:
//   seat, wheelchair (a space for a wheelchair) or companion (beside one).
//   A blocked seat is on the map but never sold.
// - seat_bookings: a seat taken by a ticket. seat_id is unique, so the same
//   seat can never be taken twice, whatever runs at once: the second
//   transaction's insert fails and it rolls back whole. Cancelling an order
//   deletes its bookings, which frees the seats.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('seats')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('ticket_type_id', 'integer', (col) => col.notNull().references('ticket_types.id'))
    .addColumn('section', 'text', (col) => col.notNull())
    .addColumn('row_label', 'text', (col) => col.notNull())
    .addColumn('seat_label', 'text', (col) => col.notNull())
    .addColumn('x', 'integer', (col) => col.notNull())
    .addColumn('y', 'integer', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('blocked', 'integer', (col) => col.notNull().defaultTo(0))
    .addUniqueConstraint('seats_unique_place', ['event_id', 'section', 'row_label', 'seat_label'])
    .execute()
  await db.schema.createIndex('seats_ticket_type').on('seats').column('ticket_type_id').execute()

  await db.schema
    .createTable('seat_bookings')
    .addColumn('seat_id', 'integer', (col) => col.primaryKey().references('seats.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('ticket_id', 'integer', (col) => col.notNull().unique().references('tickets.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('seat_bookings_event').on('seat_bookings').column('event_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('seat_bookings').execute()
  await db.schema.dropTable('seats').execute()
}
