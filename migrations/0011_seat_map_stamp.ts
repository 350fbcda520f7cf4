import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'

// events.seat_map_stamp: a random name for the event's seat map as it is now,
// new at every change of the map, null without one. A purchase reads it under
// the event's lock and keeps the map's layout (which only a change of the map
// changes) in memory under this stamp, so that it reads only the taken seats
// instead of the whole map each time. Random rather than a counter, so that
// two databases in one process (the test suite's) never share a stamp.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('seat_map_stamp', 'text').execute()
  const seated = await db.selectFrom('seats').select('event_id').distinct().execute()
  // The one column's value, whether the app's CamelCasePlugin named it eventId or not.
  for (const eventId of seated.map((row) => Object.values(row)[0] as number)) {
    await db
      .updateTable('events')
      .set({ seat_map_stamp: randomBytes(12).toString('base64url') })
      .where('id', '=', eventId)
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('seat_map_stamp').execute()
}
