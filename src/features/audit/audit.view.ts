import type { Translate } from '../../i18n/translate.js'
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

export function toAuditItem(entry: AuditRow, timeZone: string, t: Translate): AuditItem {
  const details = parseDetails(entry.details)
  const email = typeof details.email === 'string' ? details.email : null
  return {
    when: formatDateTime(entry.at, timeZone),
    who: entry.actorLabel,
    action: entry.action,
    subject:
      entry.subjectType === null
        ? null
        : t('admin.audit.subject', { type: entry.subjectType, id: entry.subjectId ?? '?', hasEmail: email !== null, email }),
    subjectLink: entry.subjectType === 'user' && email ? `/users/list-users?q=${encodeURIComponent(email)}` : null,
    ip: entry.ip ?? '',
    details: describeDetails(details, timeZone, t),
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

/**
 * Details as name/value lines. A before/after pair (settings changes) and a
 * "changed" map of from/to pairs (event edits) become "old → new" per field;
 * instants (names ending in "At": publishedAt, startsAt…) are dates in the site's time zone.
 */
function describeDetails(details: Record<string, unknown>, timeZone: string, t: Translate): { name: string; value: string }[] {
  const { email: _shownInSubject, before, after, changed, ...rest } = details
  const lines: { name: string; value: string }[] = []
  const show = (name: string, value: unknown) => showValue(name, value, timeZone, t)
  const change = (name: string, from: unknown, to: unknown) => t('admin.audit.change', { from: show(name, from), to: show(name, to) })
  if (isRecord(before) && isRecord(after)) {
    for (const name of Object.keys(after)) lines.push({ name, value: change(name, before[name], after[name]) })
  } else {
    if (before !== undefined) rest.before = before
    if (after !== undefined) rest.after = after
  }
  if (isRecord(changed) && Object.values(changed).every(isChange)) {
    for (const [name, pair] of Object.entries(changed as Record<string, Change>)) {
      lines.push({ name, value: change(name, pair.from, pair.to) })
    }
  } else if (changed !== undefined) rest.changed = changed
  for (const [name, value] of Object.entries(rest)) lines.push({ name, value: show(name, value) })
  return lines
}

interface Change {
  from: unknown
  to: unknown
}

function isChange(value: unknown): value is Change {
  return isRecord(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The furthest instant a Date can hold, in ms either side of 1970 (ECMA-262 21.4.1.1). */
const LATEST_DATE = 8.64e15

function showValue(name: string, value: unknown, timeZone: string, t: Translate): string {
  if (typeof value === 'string') return value === '' ? t('admin.audit.emptyValue') : value
  if (value === null && name.endsWith('At')) return t('admin.audit.noInstant')
  if (typeof value === 'number' && name.endsWith('At') && Number.isInteger(value) && Math.abs(value) <= LATEST_DATE) {
    return formatDateTime(value, timeZone)
  }
  return JSON.stringify(value) ?? String(value)
}
