import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

// Messages from an organiser to the holders of an event's tickets (issue 31):
// - holder_messages: one row per message sent, with its words as the
//   organiser wrote them (the outbox composes each mail from them), whom it
//   went to (audience: the ticket types, '' for all, and who at the door),
//   how many, and who sent it. form_key is the key of the form that sent it,
//   unique per event: the same form sent twice (a double click) finds the
//   first message rather than writing a second.
// - holder_message_recipients: one row per message and order, written with
//   that order's outbox message in the same transaction; the primary key
//   means no order is written to twice by one message, and outbox_id says how
//   far the sending has come.
// - audit_log gains an index by subject: the message form offered after an
//   event moved reads that event's latest change from its audit entries.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('holder_messages')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('ticket_type_ids', 'text', (col) => col.notNull())
    .addColumn('check_in', 'text', (col) => col.notNull())
    .addColumn('recipients', 'integer', (col) => col.notNull())
    .addColumn('form_key', 'text', (col) => col.notNull())
    .addColumn('sent_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('sent_by_label', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('holder_messages_form_key').on('holder_messages').columns(['event_id', 'form_key']).unique().execute()
  // The hourly limit's question, and the list's: an event's messages, newest first.
  await db.schema.createIndex('holder_messages_event_created').on('holder_messages').columns(['event_id', 'created_at']).execute()

  await db.schema
    .createTable('holder_message_recipients')
    .addColumn('message_id', 'integer', (col) => col.notNull().references('holder_messages.id').onDelete('cascade'))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('outbox_id', 'integer', (col) => col.notNull().references('outbox.id'))
    .addPrimaryKeyConstraint('holder_message_recipients_pk', ['message_id', 'order_id'])
    .execute()

  await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['subject_type', 'subject_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_subject').execute()
  await db.schema.dropTable('holder_message_recipients').execute()
  await db.schema.dropTable('holder_messages').execute()
}
