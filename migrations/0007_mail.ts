import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

// E-mail, sent through a transactional outbox:
// - outbox: one row per message, written in the same transaction as what
//   caused it (an order, a cancellation, a reset request), so that a
//   committed change always gets its message and a rolled-back one never
//   does. The sender claims due rows with a lease (lease_until), so that a
//   crashed sender's message is sent again once the lease runs out, and
//   several instances on PostgreSQL never send one message at once.
//   `data` is JSON: what the message is about (ids), not the message itself,
//   which is composed when it is sent.
// - password_resets: a single-use, expiring token per request; only its
//   SHA-256 is kept, so the table opens no account by itself.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('data', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('sent_at', 'bigint')
    .execute()
  // The sender's question: which pending messages are due.
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute()

  await db.schema
    .createTable('password_resets')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('used_at', 'bigint')
    .execute()
  await db.schema.createIndex('password_resets_user').on('password_resets').columns(['user_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('password_resets').execute()
  await db.schema.dropTable('outbox').execute()
}
