/**
 * An iCalendar file (RFC 5545) with one event, attached to the order
 * confirmation so that the buyer's calendar gets the date right. Times are
 * written in UTC: every calendar shows them in its own zone, with no time
 * zone table to ship.
 */
import { mailtoHref } from '../../lib/forms.js'

export interface CalendarEntry {
  /** Stable across re-sends, so that a calendar updates the entry rather than adding a second. */
  uid: string
  title: string
  description: string
  location: string
  startsAt: number
  endsAt: number
  url: string
  organiserName: string
  /** Where a calendar sends a reply about the event: the site's contact address, or else its sending address. */
  organiserEmail: string
}

export function calendarFile(entry: CalendarEntry, now = Date.now()): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Admit One//Tickets//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeText(entry.uid)}`,
    `DTSTAMP:${utc(now)}`,
    `DTSTART:${utc(entry.startsAt)}`,
    `DTEND:${utc(entry.endsAt)}`,
    `SUMMARY:${escapeText(entry.title)}`,
    `DESCRIPTION:${escapeText(entry.description)}`,
    `LOCATION:${escapeText(entry.location)}`,
    `URL:${entry.url}`,
    `ORGANIZER;CN=${quoteParameter(entry.organiserName)}:${mailtoHref(entry.organiserEmail)}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ]
  // Lines end in CRLF, and none is longer than 75 octets (longer ones fold).
  return lines.map(fold).join('\r\n') + '\r\n'
}

/** 20261203T094500Z */
function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11). */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n')
}

/** A parameter value in double quotes, which it may not contain (RFC 5545 3.1). */
function quoteParameter(value: string): string {
  return `"${value.replace(/["\r\n]/g, '')}"`
}

/** Folds a line into pieces of at most 75 octets, each further piece starting with a space; never inside a character. */
export function fold(line: string): string {
  const pieces: string[] = []
  let piece = ''
  let octets = 0
  for (const char of line) {
    const size = Buffer.byteLength(char)
    // The first piece may hold 75 octets; the others 74 after their leading space.
    if (octets + size > (pieces.length === 0 ? 75 : 74)) {
      pieces.push(piece)
      piece = ''
      octets = 0
    }
    piece += char
    octets += size
  }
  pieces.push(piece)
  return pieces.join('\r\n ')
}
