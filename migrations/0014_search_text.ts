import { type Kysely, sql } from 'kysely'

// search_text on events, orders and users: the row's searchable fields
// folded (lower case, accents removed, ß as ss), one a line, so that a search
// for "cafe" finds "Café" on both databases (src/lib/search.ts explains why
// the app folds rather than either database). The app writes it with every
// insert and update of those fields; this fills it for the rows already there.
// Folding in JavaScript rather than in the query (say PostgreSQL's unaccent)
// also leaves a plain column that an index, such as a trigram index, can use.
//
// The fold is this migration's own copy of the app's, as it stood when this
// was written: a migration never changes what it does.
const LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ς: 'σ' }

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[ßæœøłđðþıς]/g, (letter) => LETTERS[letter]!)
}

const SEARCHABLE: Record<string, string[]> = {
  events: ['title', 'venue', 'description'],
  orders: ['code', 'buyer_name', 'buyer_email'],
  users: ['name', 'email'],
}

const BATCH = 500

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, fields] of Object.entries(SEARCHABLE)) {
    await db.schema
      .alterTable(table)
      .addColumn('search_text', 'text', (col) => col.notNull().defaultTo(''))
      .execute()
    // A batch at a time, by id, so that a large table is never in memory whole.
    // The fields are read as f0, f1…: names that the app's CamelCasePlugin leaves as they are.
    for (let after = 0; ;) {
      const rows = (await db
        .selectFrom(table)
        .select(['id', ...fields.map((field, i) => sql.ref(field).as(`f${i}`))])
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute()) as Record<string, string | number>[]
      for (const row of rows) {
        const searchText = fields.map((_, i) => fold(String(row[`f${i}`]))).join('\n')
        await db.updateTable(table).set({ search_text: searchText }).where('id', '=', row.id).execute()
      }
      if (rows.length < BATCH) break
      after = Number(rows.at(-1)!.id)
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of Object.keys(SEARCHABLE)) await db.schema.alterTable(table).dropColumn('search_text').execute()
}
