import type { CheckInAudience, TicketTypeRow } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import type { Locale } from '../../i18n/locale.js'
import { formatDateTime } from '../../lib/format.js'
import type { Event } from '../events/event.model.js'
import type { MessageFormValues } from './holder-message.form.js'
import type { Audience, MessageWithProgress } from './holder-message.repository.js'

/** The words of each check-in choice, on the form and in the list. */
const CHECK_IN_LABELS: Record<CheckInAudience, MessageKey> = {
  any: 'holderMessages.audience.checkIn.any',
  in: 'holderMessages.audience.checkIn.in',
  out: 'holderMessages.audience.checkIn.out',
}

/**
 * The organiser's text as paragraphs of lines: a blank line starts a
 * paragraph, a line break stays one. The HTML mail and the preview show each
 * line escaped, with <br> between; nothing the organiser types is markup.
 */
export function paragraphsOf(text: string): string[][] {
  return text
    .split(/\n[ \t]*\n\s*/)
    .map((paragraph) => paragraph.split('\n'))
    .filter((lines) => lines.some((line) => line.trim() !== ''))
}

/** What the mail's templates (views/mail/*\/holder-message.eta) receive besides the subject. */
export interface HolderMessageMail {
  eventTitle: string
  code: string
  link: string
  /** The message as written, for the plain-text part. */
  text: string
  paragraphs: string[][]
}

export function toHolderMessageMail(body: string, order: { eventTitle: string; code: string; link: string }): HolderMessageMail {
  return { ...order, text: body, paragraphs: paragraphsOf(body) }
}

/** Who a message went (or goes) to, in words: "All ticket types · Everyone". */
export function audienceWords(audience: Audience, types: Pick<TicketTypeRow, 'id' | 'name'>[], t: Translate): string {
  const names = audience.ticketTypeIds?.map((id) => types.find((type) => type.id === id)?.name ?? `#${id}`)
  const typesPart = names ? t('holderMessages.audience.typesNamed', { names: names.join(', ') }) : t('holderMessages.audience.allTypes')
  return `${typesPart} · ${t(CHECK_IN_LABELS[audience.checkIn])}`
}

/** The form's ticket types and check-in choices, each ticked as the values say. */
export function audienceChoices(values: MessageFormValues, types: Pick<TicketTypeRow, 'id' | 'name'>[], t: Translate) {
  return {
    types: types.map((type) => ({ id: type.id, name: type.name, checked: values.typeIds.includes(String(type.id)) })),
    checkIns: (Object.keys(CHECK_IN_LABELS) as CheckInAudience[]).map((value) => ({
      value,
      label: t(CHECK_IN_LABELS[value]),
      checked: values.checkIn === value,
    })),
  }
}

/** A sent message, as the list of an event's messages shows it. */
export interface MessageListItem {
  sentAt: string
  sentBy: string
  subject: string
  audience: string
  recipients: number
  sent: number
  failed: number
  /** Every mail has gone, or was given up. */
  done: boolean
}

export function toMessageListItems(
  messages: MessageWithProgress[],
  types: Pick<TicketTypeRow, 'id' | 'name'>[],
  event: Pick<Event, 'timeZone'>,
  locale: Locale,
  t: Translate,
): MessageListItem[] {
  return messages.map((message) => ({
    sentAt: formatDateTime(message.createdAt, event.timeZone, locale),
    sentBy: message.sentByLabel,
    subject: message.subject,
    audience: audienceWords(audienceOfRow(message), types, t),
    recipients: message.recipients,
    sent: message.sent,
    failed: message.failed,
    done: message.sent + message.failed >= message.recipients,
  }))
}

export function audienceOfRow(row: { ticketTypeIds: string; checkIn: CheckInAudience }): Audience {
  return { ticketTypeIds: row.ticketTypeIds === '' ? null : row.ticketTypeIds.split(',').map(Number), checkIn: row.checkIn }
}

/** When, where and whether ticket holders were told, of an edit that moved the event (its audit entry). */
export interface EventMove {
  was: { startsAt: number; endsAt: number; timeZone: string; venue: string }
  /** How many were sent the automatic message of the change (0: the organiser unticked it). */
  told: number
}

/** The move an audit entry of an event's edit records, or null when the edit left its date, time and venue. */
export function moveOfAudit(details: string, event: Pick<Event, 'startsAt' | 'endsAt' | 'timeZone' | 'venue'>): EventMove | null {
  let parsed: { changed?: Record<string, { from: unknown }>; ticketHoldersTold?: unknown }
  try {
    parsed = JSON.parse(details) as typeof parsed
  } catch {
    return null
  }
  const changed = parsed.changed ?? {}
  if (!('startsAt' in changed || 'endsAt' in changed || 'venue' in changed)) return null
  const before = <T>(name: string, now: T): T => (name in changed ? (changed[name]!.from as T) : now)
  return {
    was: {
      startsAt: before('startsAt', event.startsAt),
      endsAt: before('endsAt', event.endsAt),
      timeZone: before('timeZone', event.timeZone),
      venue: before('venue', event.venue),
    },
    told: typeof parsed.ticketHoldersTold === 'number' ? parsed.ticketHoldersTold : 0,
  }
}

/**
 * The form filled in after the event moved. When the automatic message of the
 * change went out, a note to follow it (it gave the new details and the old);
 * when it did not, the change itself, now and before.
 */
export function prefillForMove(
  event: Pick<Event, 'title' | 'startsAt' | 'endsAt' | 'timeZone' | 'venue'>,
  move: EventMove,
  locale: Locale,
  t: Translate,
): Pick<MessageFormValues, 'subject' | 'body'> {
  const when = (ms: number, zone: string) => formatDateTime(ms, zone, locale)
  if (move.told > 0) {
    return {
      subject: t('holderMessages.prefill.noteSubject', { eventTitle: event.title }),
      body: t('holderMessages.prefill.noteBody', {
        eventTitle: event.title,
        starts: when(event.startsAt, event.timeZone),
        venue: event.venue,
      }),
    }
  }
  return {
    subject: t('holderMessages.prefill.changeSubject', { eventTitle: event.title }),
    body: t('holderMessages.prefill.changeBody', {
      eventTitle: event.title,
      starts: when(event.startsAt, event.timeZone),
      ends: when(event.endsAt, event.timeZone),
      venue: event.venue,
      wasStarts: when(move.was.startsAt, move.was.timeZone),
      wasEnds: when(move.was.endsAt, move.was.timeZone),
      wasVenue: move.was.venue,
    }),
  }
}
