import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

// Checking tickets in at the door:
// - tickets.checked_in_*: whether a ticket is inside now, since when, by whom
//   and at which gate. Admission is one conditional UPDATE of this row (where
//   checked_in_at is null), so the first scan wins on either database.
// - check_ins: every admission, check-out and undo, in order. A scan's nonce
//   is unique, so an upload retried after a lost answer is not a second scan.
// - door_staff: who may check in an event's tickets: an account, or a link
//   whose token only the holder knows (its SHA-256 is kept). Revoked, not deleted.
// - events.check_in_secret: the key of the event's signed door codes,
//   written the first time a code is shown.
// - ticket_types.allow_reentry: a ticket of this type may be checked out and in again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('checked_in_at', 'bigint').execute()
  await db.schema.alterTable('tickets').addColumn('checked_in_by', 'text').execute()
  await db.schema.alterTable('tickets').addColumn('checked_in_gate', 'text').execute()
  await db.schema.alterTable('events').addColumn('check_in_secret', 'text').execute()
  await db.schema
    .alterTable('ticket_types')
    .addColumn('allow_reentry', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('check_ins')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('ticket_id', 'integer', (col) => col.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('at', 'bigint', (col) => col.notNull())
    .addColumn('scanned_at', 'bigint')
    .addColumn('actor_id', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('actor_label', 'text', (col) => col.notNull())
    .addColumn('gate', 'text', (col) => col.notNull())
    .addColumn('nonce', 'text', (col) => col.unique())
    .execute()
  await db.schema.createIndex('check_ins_ticket').on('check_ins').columns(['ticket_id', 'id']).execute()
  await db.schema.createIndex('check_ins_event').on('check_ins').columns(['event_id', 'id']).execute()

  await db.schema
    .createTable('door_staff')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (col) => col.references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (col) => col.unique())
    .addColumn('label', 'text', (col) => col.notNull())
    .addColumn('created_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema.createIndex('door_staff_event').on('door_staff').column('event_id').execute()
  await db.schema.createIndex('door_staff_user').on('door_staff').column('user_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('door_staff').execute()
  await db.schema.dropTable('check_ins').execute()
  await db.schema.alterTable('ticket_types').dropColumn('allow_reentry').execute()
  await db.schema.alterTable('events').dropColumn('check_in_secret').execute()
  await db.schema.alterTable('tickets').dropColumn('checked_in_gate').execute()
  await db.schema.alterTable('tickets').dropColumn('checked_in_by').execute()
  await db.schema.alterTable('tickets').dropColumn('checked_in_at').execute()
}
