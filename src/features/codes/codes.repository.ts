/** The reads of codes: by what a buyer typed, by id, and an event's list for its organiser. */
import type { Db, Trx } from '../../db/database.js'
import { sql } from 'kysely'
import { containsPattern } from '../../lib/search.js'
import { type Code, codeKey, toCode } from './code.model.js'

/** The event's code a buyer typed, whatever its case; undefined when there is none (or what was typed cannot be one). */
export async function findCodeByText(db: Db | Trx, eventId: number, typed: string): Promise<Code | undefined> {
  const key = codeKey(typed)
  if (key === '' || key.length > 40) return undefined
  const row = await db.selectFrom('codes').selectAll().where('eventId', '=', eventId).where('codeKey', '=', key).executeTakeFirst()
  return row && toCode(row)
}

export async function findCode(db: Db | Trx, eventId: number, id: number): Promise<Code | undefined> {
  const row = await db.selectFrom('codes').selectAll().where('id', '=', id).where('eventId', '=', eventId).executeTakeFirst()
  return row && toCode(row)
}

/** The codes of an event whose text contains `text` (any case; all for ''), newest first, a page at a time. */
export async function codesOfEvent(db: Db, eventId: number, search: { text: string; limit?: number; offset?: number }): Promise<Code[]> {
  const rows = await db
    .selectFrom('codes')
    .selectAll()
    .where('eventId', '=', eventId)
    .$if(search.text !== '', (qb) => qb.where(sql<boolean>`lower(code_key) like ${containsPattern(search.text)} escape '\\'`))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .$if(search.limit !== undefined, (qb) => qb.limit(search.limit!).offset(search.offset ?? 0))
    .execute()
  return rows.map(toCode)
}
