import type { Kysely } from 'kysely'

// seats.place_key: the seat's section, row and seat label as compared, so that
// "S,a,1", "S,A,01" and " S , A , 1" are one seat: case folded, surrounding
// spaces and runs of spaces taken out, numbers without their leading zeros.
// Unique per event, so that a map can never hold the same seat twice, whatever
// spelling each import used. The app computes it when it adds a seat
// (src/features/seating/seat-labels.ts placeKey); the copy below fills the
// seats already there and, like every migration, never changes.
//
// A map made before this migration may hold one seat under two spellings. Those
// seats stay (tickets may have been sold for both): the one added later gets
// its key with "#<its id>" after it, which no spelling can produce, so the
// unique index holds and new seats under either spelling are still refused.
//
// Numbered 0013, not 0012: another branch of the same issue adds 0012.
export async function up(db: Kysely<any>): Promise<void> {
  // Not null with a default, so that SQLite can add it to a table with rows;
  // the app always writes the key, and the unique index refuses a second ''.
  await db.schema
    .alterTable('seats')
    .addColumn('place_key', 'text', (col) => col.notNull().defaultTo(''))
    .execute()
  // Single-word names, the same whether the app's CamelCasePlugin runs this or not.
  const seats = await db
    .selectFrom('seats')
    .select(['id', 'event_id as event', 'section', 'row_label as row', 'seat_label as seat'])
    .orderBy('id')
    .execute()
  const seen = new Set<string>()
  for (const seat of seats) {
    let key = JSON.stringify([labelKey(seat.section), labelKey(seat.row), labelKey(seat.seat)])
    if (seen.has(`${seat.event} ${key}`)) key = `${key}#${seat.id}`
    seen.add(`${seat.event} ${key}`)
    await db.updateTable('seats').set({ place_key: key }).where('id', '=', seat.id).execute()
  }
  await db.schema.createIndex('seats_place_key').on('seats').columns(['event_id', 'place_key']).unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('seats_place_key').execute()
  await db.schema.alterTable('seats').dropColumn('place_key').execute()
}

function labelKey(label: string): string {
  return label
    .normalize('NFC')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, ''))
}
