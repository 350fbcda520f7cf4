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

/** What the event's reserved codes keep aside now, by ticket type: a part of each type's `held`. */
export async function keptByType(db: Db, eventId: number): Promise<Map<number, number>> {
  const rows = await db.selectFrom('codes').select(['ticketTypeIds', 'kept']).where('eventId', '=', eventId).where('kept', '>', 0).execute()
  const kept = new Map<number, number>()
  for (const row of rows) {
    const typeId = Number(row.ticketTypeIds)
    kept.set(typeId, (kept.get(typeId) ?? 0) + row.kept)
  }
  return kept
}

/** Whether the event has any code (its exports then say each order's). */
export async function hasCodes(db: Db, eventId: number): Promise<boolean> {
  return (await db.selectFrom('codes').select('id').where('eventId', '=', eventId).limit(1).executeTakeFirst()) !== undefined
}

/** The codes with live uses of each of these events, most used first: what the dashboard shows of them. */
export async function usedCodesByEvent(db: Db, eventIds: number[]): Promise<Map<number, Code[]>> {
  const grouped = new Map<number, Code[]>(eventIds.map((id) => [id, []]))
  if (eventIds.length === 0) return grouped
  const rows = await db
    .selectFrom('codes')
    .selectAll()
    .where('eventId', 'in', eventIds)
    .where('used', '>', 0)
    .orderBy('used', 'desc')
    .orderBy('id')
    .execute()
  for (const row of rows) grouped.get(row.eventId)?.push(toCode(row))
  return grouped
}

/** The event's codes that name this ticket type, by their text. */
export async function codesNaming(db: Db | Trx, eventId: number, ticketTypeId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('codes')
    .select(['code', 'ticketTypeIds'])
    .where('eventId', '=', eventId)
    .where('ticketTypeIds', '!=', '')
    .execute()
  return rows.filter((row) => row.ticketTypeIds.split(',').map(Number).includes(ticketTypeId)).map((row) => row.code)
}
