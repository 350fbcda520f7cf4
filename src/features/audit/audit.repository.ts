import type { Db, Trx } from '../../db/database.js'

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
