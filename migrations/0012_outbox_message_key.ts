import { type Kysely, sql } from 'kysely'
import { isPostgres } from './dialect.js'

// outbox.message_key: a random name for each message, the left part of its
// Message-ID. Not the row's id, which every installation counts from 1: mail
// systems drop a message whose id they saw before. Kept on the row, so that a
// message sent again (a retry, a sender that died before marking it sent) has
// the same id and is recognised as the same message. The messages already
// written get one too; they need not be unguessable, only unique.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('message_key', 'text', (col) => col.notNull().defaultTo(''))
    .execute()
  const random = isPostgres(db) ? sql`md5(random()::text || clock_timestamp()::text || id::text)` : sql`lower(hex(randomblob(16)))`
  await sql`update outbox set message_key = ${random}`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('message_key').execute()
}
