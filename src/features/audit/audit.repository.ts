import { type Selectable, sql } from 'kysely'
import type { Db, Trx } from '../../db/database.js'
import type { AuditLogTable } from '../../db/schema.js'
import { containsPattern } from '../../lib/search.js'

export interface AuditEntry {
  actorId: number | null
  /** The actor as people know them: an email, or "system". */
  actorLabel: string
  action: string
  subjectType?: string
  subjectId?: number
  details?: Record<string, unknown>
  ip?: string | null
}

/** Appends to the audit log. Pass the transaction when the change it records is in one. */
export async function recordAudit(db: Db | Trx, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      at: Date.now(),
      actorId: entry.actorId,
      actorLabel: entry.actorLabel,
      action: entry.action,
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ip: entry.ip ?? null,
    })
    .execute()
}

export interface AuditSearch {
  /** An exact action, or '' for all. */
  action: string
  /** Part of the actor's label (an email, "system"), any case; '' for all. */
  actor: string
  /** Instants bounding `at`: from inclusive, to exclusive; null for no bound. */
  from: number | null
  to: number | null
  page: number
  perPage: number
}

export type AuditRow = Selectable<AuditLogTable>

/** A page of the audit log, newest first. */
export async function searchAudit(db: Db, search: AuditSearch): Promise<{ entries: AuditRow[]; hasNext: boolean }> {
  const pattern = containsPattern(search.actor)
  const rows = await db
    .selectFrom('auditLog')
    .selectAll()
    .$if(search.action !== '', (qb) => qb.where('action', '=', search.action))
    .$if(search.actor !== '', (qb) => qb.where(sql<boolean>`lower(actor_label) like ${pattern} escape '\\'`))
    .$if(search.from !== null, (qb) => qb.where('at', '>=', search.from!))
    .$if(search.to !== null, (qb) => qb.where('at', '<', search.to!))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(search.perPage + 1)
    .offset((search.page - 1) * search.perPage)
    .execute()
  return { entries: rows.slice(0, search.perPage), hasNext: rows.length > search.perPage }
}

/** The newest entries of one action about one subject, newest first. */
export async function latestAuditOf(db: Db, action: string, subject: { type: string; id: number }, limit: number): Promise<AuditRow[]> {
  return db
    .selectFrom('auditLog')
    .selectAll()
    .where('subjectType', '=', subject.type)
    .where('subjectId', '=', subject.id)
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** Every action the log holds, for the filter's choices. */
export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('auditLog').select('action').distinct().orderBy('action').execute()
  return rows.map((row) => row.action)
}
