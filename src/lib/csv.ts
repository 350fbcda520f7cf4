/**
 * CSV for spreadsheets (RFC 4180): fields quoted when they hold a comma,
 * quote or line break, quotes doubled, CRLF between records. Text that a
 * spreadsheet would read as a formula (=, +, -, @, or a leading tab or CR)
 * gets a leading apostrophe: buyer names are typed by strangers, and the
 * organiser opening the export must not run what they typed.
 */
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
