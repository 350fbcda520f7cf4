import { formatDateTime } from '../../lib/format.js'
import type { AuditRow } from './audit.repository.js'

/** One line of the audit log, as the template shows it. */
export interface AuditItem {
  when: string
  who: string
  action: string
  subject: string | null
  /** A link to the subject, when there is a page for it. */
  subjectLink: string | null
  ip: string
  details: { name: string; value: string }[]
}

export function toAuditItem(entry: AuditRow, timeZone: string): AuditItem {
  const details = parseDetails(entry.details)
  const email = typeof details.email === 'string' ? details.email : null
  return {
    when: formatDateTime(entry.at, timeZone),
    who: entry.actorLabel,
    action: entry.action,
    subject: entry.subjectType === null ? null : `${entry.subjectType} #${entry.subjectId ?? '?'}${email ? ` (${email})` : ''}`,
    subjectLink: entry.subjectType === 'user' && email ? `/users/list-users?q=${encodeURIComponent(email)}` : null,
    ip: entry.ip ?? '',
    details: describeDetails(details),
  }
}

function parseDetails(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed }
  } catch {
    return { raw: json }
  }
}

/** Details as name/value lines; a before/after pair (settings changes) becomes "old → new" per field. */
function describeDetails(details: Record<string, unknown>): { name: string; value: string }[] {
  const { email: _shownInSubject, before, after, ...rest } = details
  const lines: { name: string; value: string }[] = []
  if (isRecord(before) && isRecord(after)) {
    for (const name of Object.keys(after)) lines.push({ name, value: `${show(before[name])} → ${show(after[name])}` })
  } else {
    if (before !== undefined) rest.before = before
    if (after !== undefined) rest.after = after
  }
  for (const [name, value] of Object.entries(rest)) lines.push({ name, value: show(value) })
  return lines
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function show(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '(empty)' : value
  return JSON.stringify(value) ?? String(value)
}
