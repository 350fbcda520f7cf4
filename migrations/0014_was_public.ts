import type { Kysely } from 'kysely'

// events.was_public (0/1): the event has been public. Becoming public needs
// nothing to run (a scheduled event is public from its publication time on),
// so it is set when an event stops being public: unpublished, or cancelled.
// A cancelled event that was public keeps its page with the notice, even when
// it was unpublished before it was cancelled: its buyers' messages link there.
// Set here for the events that were: cancelled with a publication time kept
// (the cancellation kept it only for a public event), and any event with
// orders (nothing is sold while an event is not public).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('was_public', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db
    .updateTable('events')
    .set({ was_public: 1 })
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'cancelled'), eb('published_at', 'is not', null)]),
        eb.exists(eb.selectFrom('orders').select('orders.id').whereRef('orders.event_id', '=', 'events.id')),
      ]),
    )
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('was_public').execute()
}
