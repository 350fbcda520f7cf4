import type { Kysely } from 'kysely'

// Tickets cancelled one by one: the organiser cancels some tickets of an
// order and keeps the rest (pretix's "cancel positions"). A ticket whose
// cancelled_at is set no longer counts against capacity, has no seat, is
// refused at the door and is no longer part of its order's total; it is kept,
// with its code, so that the order, the door and the export can say it was
// cancelled. The tickets of a cancelled order keep cancelled_at null: their
// order's state says it for all of them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('cancelled_at', 'bigint').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').dropColumn('cancelled_at').execute()
}
