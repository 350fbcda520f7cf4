import type { Kysely } from 'kysely'

// The language each person is written to in: the buyer's, the waiting
// person's, and each outbox message's, kept from the request that caused it,
// since the mail is composed later with no request at hand. Everyone so far
// was written to in English, the only language the site had.
const TABLES = ['orders', 'waiting_list_entries', 'outbox'] as const

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn('locale', 'text', (col) => col.notNull().defaultTo('en'))
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await db.schema.alterTable(table).dropColumn('locale').execute()
}
