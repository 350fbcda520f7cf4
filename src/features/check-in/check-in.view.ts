import { formatDateTime, formatTime } from '../../lib/format.js'
import type { Event } from '../events/event.model.js'
import type { DoorListLine, ScanAnswer } from './check-in.service.js'
import type { DoorStaffMember } from './door-staff.js'

/**
 * What the door sees after a scan, as the page and the upload's JSON both
 * show it: a tone the whole screen takes (go, stop, look again), a headline
 * and the lines under it.
 */
export interface AnswerView {
  kind: ScanAnswer['kind']
  /** go: let them in (or out); stop: do not; look: they may already be inside. */
  tone: 'go' | 'stop' | 'look'
  headline: string
  lines: string[]
  ticketId: number | null
  replayed: boolean
}

export function toAnswerView(answer: ScanAnswer, timeZone: string): AnswerView {
  const base = {
    kind: answer.kind,
    ticketId: 'ticket' in answer ? answer.ticket.id : null,
    replayed: 'replayed' in answer && answer.replayed,
  }
  const who =
    'ticket' in answer
      ? [answer.ticket.holder, answer.ticket.typeName, ...(answer.ticket.seat ? [answer.ticket.seat] : []), answer.ticket.doorCode]
      : []
  switch (answer.kind) {
    case 'admitted':
      return {
        ...base,
        tone: 'go',
        headline: 'Admitted',
        lines: [...who, ...(answer.replayed ? [`Checked in at ${formatTime(answer.at, timeZone)} by this scan.`] : [])],
      }
    case 'already':
      return {
        ...base,
        tone: 'look',
        headline: 'Already checked in',
        lines: [...who, `Checked in ${formatDateTime(answer.at, timeZone)} by ${answer.by} at ${answer.gate}.`],
      }
    case 'checked-out':
      return { ...base, tone: 'go', headline: 'Checked out', lines: [...who, 'They may come in again with the same ticket.'] }
    case 'not-inside':
      return {
        ...base,
        tone: 'look',
        headline: 'Not checked in',
        lines: [...who, 'This ticket is not inside, so it cannot be checked out.'],
      }
    case 'taken-out':
      return {
        ...base,
        tone: 'look',
        headline: 'Not checked in',
        lines: [
          ...who,
          `This scan was sent before: it let them in at ${formatTime(answer.admittedAt, timeZone)}, but ${
            answer.takenOut.how === 'undone' ? `${answer.takenOut.by} undid that check-in` : 'they went out'
          } at ${formatTime(answer.takenOut.at, timeZone)}. Scan the ticket again to let them in.`,
        ],
      }
    case 'no-reentry':
      return { ...base, tone: 'stop', headline: 'No re-entry', lines: [...who, 'This ticket type does not allow leaving and coming back.'] }
    case 'cancelled':
      return { ...base, tone: 'stop', headline: 'Cancelled order', lines: [...who, 'This order was cancelled: the ticket is not valid.'] }
    case 'wrong-event':
      return {
        ...base,
        tone: 'stop',
        headline: 'Not valid for this event',
        lines: [`This ticket is for ${answer.event.title}, ${formatDateTime(answer.event.startsAt, answer.event.timeZone)}.`],
      }
    case 'unknown':
      return { ...base, tone: 'stop', headline: 'Unknown code', lines: ['This is not a ticket of this site, or the code was mistyped.'] }
  }
}

export function toDoorListView(event: Event, lines: DoorListLine[]) {
  return {
    event: { id: event.id, title: event.title, when: formatDateTime(event.startsAt, event.timeZone) },
    lines: lines.map((line) => ({ ...line, checkedIn: line.checkedInAt === null ? '' : formatTime(line.checkedInAt, event.timeZone) })),
  }
}

export function toStaffView(member: DoorStaffMember, timeZone: string) {
  return {
    id: member.id,
    label: member.label,
    kind: member.isLink ? 'Staff link' : (member.email ?? 'Account'),
    added: formatDateTime(member.createdAt, timeZone),
    revoked: member.revokedAt === null ? null : formatDateTime(member.revokedAt, timeZone),
  }
}
