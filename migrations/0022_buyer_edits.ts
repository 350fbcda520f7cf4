import type { Kysely } from 'kysely'

// Buyers changing their names and answers after the purchase (issue 31).
//
// events.buyer_edits: 0/1, whether buyers may change them from their order
// page at all (off for the events there were: the organiser turns it on).
// events.buyer_edit_hours: until how many hours before the event starts.
// events.buyer_edit_names: 0/1, whether the names on tickets are among what
// buyers may change (while names are asked). questions.buyer_editable: 0/1,
// whether buyers may change their answer to it. The organiser changes every
// name and answer, whatever these say.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('buyer_edits', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('buyer_edit_hours', 'integer', (col) => col.notNull().defaultTo(24))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('buyer_edit_names', 'integer', (col) => col.notNull().defaultTo(1))
    .execute()
  await db.schema
    .alterTable('questions')
    .addColumn('buyer_editable', 'integer', (col) => col.notNull().defaultTo(1))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questions').dropColumn('buyer_editable').execute()
  await db.schema.alterTable('events').dropColumn('buyer_edit_names').execute()
  await db.schema.alterTable('events').dropColumn('buyer_edit_hours').execute()
  await db.schema.alterTable('events').dropColumn('buyer_edits').execute()
}
