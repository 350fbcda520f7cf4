/**
 * CSV for spreadsheets (RFC 4180): fields quoted when they hold a comma,
 * quote or line break, quotes doubled, CRLF between records. Text that a
 * spreadsheet would read as a formula (=, +, -, @, or a leading tab or CR)
 * gets a leading apostrophe: buyer names are typed by strangers, and the
 * organiser opening the export must not run what they typed.
 */
import { DateTime } from 'luxon'

export type CsvCell = string | number

const FORMULA_START = /^[=+\-@\t\r]/

export function csvCell(value: CsvCell): string {
  let text = String(value)
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The file, a piece for each batch of rows as the batches come, so that an
 * export never needs all its rows at once. It starts with a byte order mark
 * so that Excel reads it as UTF-8.
 */
export async function* csvChunks(batches: AsyncIterable<CsvCell[][]> | Iterable<CsvCell[][]>): AsyncGenerator<string> {
  yield '\uFEFF'
  for await (const rows of batches) yield rows.map((row) => row.map(csvCell).join(',') + '\r\n').join('')
}

/**
 * An instant as every export writes it: ISO 8601 in the event's time zone,
 * with its offset ("2026-12-05T19:30:00+01:00"), which names the moment
 * even in the hour a clock change repeats, and which sorts as text.
 */
export function csvDateTime(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toFormat("yyyy-LL-dd'T'HH:mm:ssZZ")
}
