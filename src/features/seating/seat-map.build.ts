import { parse } from 'csv-parse/sync'
import type { SeatKind, TicketTypeRow } from '../../db/schema.js'
import type { Translate } from '../../i18n/translate.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { labelKey, parseRowSeat, placeKey, rowSeatKey, tidyLabel } from './seat-labels.js'
import { type NewSeat, seatName } from './seat.model.js'

export const MAX_SEATS_PER_EVENT = 5000
const MAX_ROWS = 60
const MAX_SEATS_PER_ROW = 150
const MAX_LABEL = 40

/** The grid form: a block of rows × seats per row, in one section and price category. */
export interface BlockFormValues {
  section: string
  rows: string
  seatsPerRow: string
  firstSeat: string
  ticketTypeId: string
  aisles: string
  wheelchair: string
  companion: string
  blocked: string
}

export function blankBlockForm(): BlockFormValues {
  return {
    section: '',
    rows: '',
    seatsPerRow: '',
    firstSeat: '1',
    ticketTypeId: '',
    aisles: '',
    wheelchair: '',
    companion: '',
    blocked: '',
  }
}

/**
 * A block of seats from the grid form: rows "A-J", "1-12", "A, B, C" or a
 * number of rows ("5": A to E); seats numbered from the first number; an
 * aisle (an empty cell) after each seat number listed; wheelchair spaces,
 * companion seats and blocked seats named by row and seat ("A1", "3-12").
 * Its messages are in the language of `t`.
 */
export function parseBlockForm(
  body: unknown,
  types: TicketTypeRow[],
  t: Translate,
): { values: BlockFormValues; errors: FieldErrors; seats: NewSeat[] } {
  const form = new FormReader(body, t)
  const values: BlockFormValues = {
    section: tidyLabel(form.text('section')),
    rows: form.text('rows').trim(),
    seatsPerRow: form.text('seatsPerRow').trim(),
    firstSeat: form.text('firstSeat').trim(),
    ticketTypeId: form.text('ticketTypeId'),
    aisles: form.text('aisles'),
    wheelchair: form.text('wheelchair'),
    companion: form.text('companion'),
    blocked: form.text('blocked'),
  }
  if (values.section === '') form.fail('section', t('seating.build.section'))
  else if (values.section.length > MAX_LABEL) form.fail('section', t('forms.field.tooLong', { max: MAX_LABEL }))
  const rows = rowLabels(values.rows, t)
  if (typeof rows === 'string') form.fail('rows', rows)
  const perRow = wholeNumber(values.seatsPerRow, 1, MAX_SEATS_PER_ROW)
  if (perRow === null) form.fail('seatsPerRow', t('seating.build.seatsPerRow', { max: MAX_SEATS_PER_ROW }))
  const first = wholeNumber(values.firstSeat, 0, 9999)
  if (first === null) form.fail('firstSeat', t('seating.build.firstSeat'))
  const type = types.find((candidate) => String(candidate.id) === values.ticketTypeId)
  if (!type) form.fail('ticketTypeId', t('seating.build.ticketType'))
  const aisles = numberList(values.aisles)
  if (aisles === null) form.fail('aisles', t('seating.build.aisles'))
  const marks: Record<'wheelchair' | 'companion' | 'blocked', Map<string, string> | null> = {
    wheelchair: seatList(values.wheelchair),
    companion: seatList(values.companion),
    blocked: seatList(values.blocked),
  }
  for (const name of ['wheelchair', 'companion', 'blocked'] as const) {
    if (marks[name] === null) form.fail(name, t('seating.build.seatList'))
  }
  if (!form.ok || typeof rows === 'string' || perRow === null || first === null || !type || aisles === null) {
    return { values, errors: form.errors, seats: [] }
  }

  const seats: NewSeat[] = []
  rows.forEach((rowLabel, y) => {
    let x = 0
    for (let n = first; n < first + perRow; n++) {
      const key = rowSeatKey(rowLabel, String(n))
      const kind: SeatKind = marks.wheelchair!.has(key) ? 'wheelchair' : marks.companion!.has(key) ? 'companion' : 'seat'
      seats.push({
        ticketTypeId: type.id,
        section: values.section,
        rowLabel,
        seatLabel: String(n),
        x,
        y,
        kind,
        blocked: marks.blocked!.has(key),
      })
      x += aisles.has(n) ? 2 : 1
    }
  })
  const named = new Set(seats.map((seat) => rowSeatKey(seat.rowLabel, seat.seatLabel)))
  for (const name of ['wheelchair', 'companion', 'blocked'] as const) {
    const missing = [...marks[name]!].filter(([key]) => !named.has(key)).map(([, typed]) => typed)
    if (missing.length > 0) form.fail(name, t('seating.build.noSuchSeat', { seats: missing.join(', '), count: missing.length }))
  }
  return { values, errors: form.errors, seats: form.ok ? seats : [] }
}

/** The form that blocks seats of a map, or frees blocked ones, after it was built. */
export interface SeatMarksFormValues {
  markSection: string
  marks: string
}

/**
 * Seats named by row and number in one section ("A1, A2, 3-12"): by key
 * (rowSeatKey), each as typed, and whether to block or free them. Its messages
 * are in the language of `t`.
 */
export function parseSeatMarks(
  body: unknown,
  t: Translate,
): {
  values: SeatMarksFormValues
  errors: FieldErrors
  seats: Map<string, string>
  blocked: boolean
} {
  const form = new FormReader(body, t)
  const values = { markSection: tidyLabel(form.text('markSection')), marks: form.text('marks') }
  if (values.markSection === '') form.fail('markSection', t('seating.build.markSection'))
  const seats = seatList(values.marks)
  if (seats === null) form.fail('marks', t('seating.build.seatList'))
  else if (seats.size === 0) form.fail('marks', t('seating.build.noMarks'))
  return { values, errors: form.errors, seats: seats ?? new Map(), blocked: form.text('action') !== 'free' }
}

const CSV_COLUMNS = ['section', 'row', 'seat', 'x', 'y', 'category', 'kind']
const NEEDED_COLUMNS = CSV_COLUMNS.slice(0, 6)

/**
 * Seats from a CSV with the header section,row,seat,x,y,category and an
 * optional kind column (seat, wheelchair, companion or blocked); the
 * category is a ticket type's name. Every problem is named by its line; a
 * seat named twice (compared as seat-labels.ts says) is one of them. The
 * problems are in the language of `t`.
 */
export function parseSeatCsv(text: string, types: TicketTypeRow[], t: Translate): { seats: NewSeat[]; problems: string[] } {
  const read = readCsv(text, t)
  if ('problem' in read) return { seats: [], problems: [read.problem] }
  const [header, ...lines] = read.lines
  if (!header || lines.length === 0) return { seats: [], problems: [t('seating.build.csv.empty')] }
  const columns = header.values.map((name) => name.toLowerCase())
  const problems: string[] = []
  const repeated = new Set(columns.filter((name, i) => name !== '' && columns.indexOf(name) !== i))
  for (const name of repeated) problems.push(t('seating.build.csv.repeatedColumn', { column: name }))
  for (const needed of NEEDED_COLUMNS) {
    if (!columns.includes(needed)) problems.push(t('seating.build.csv.missingColumn', { column: needed }))
  }
  if (problems.length > 0) return { seats: [], problems }
  if (lines.length > MAX_SEATS_PER_EVENT)
    return { seats: [], problems: [t('seating.build.csv.tooManySeats', { max: MAX_SEATS_PER_EVENT })] }
  const byName = new Map(types.map((type) => [type.name.trim().toLowerCase(), type]))
  const lastNeeded = Math.max(...NEEDED_COLUMNS.map((name) => columns.indexOf(name)))
  const firstLineOf = new Map<string, number>()
  const seats: NewSeat[] = []
  for (const { values, line } of lines) {
    const field = (name: string) => values[columns.indexOf(name)] ?? ''
    const type = byName.get(field('category').toLowerCase())
    const x = wholeNumber(field('x'), 0, 9999)
    const y = wholeNumber(field('y'), 0, 9999)
    const kind = field('kind').toLowerCase() || 'seat'
    const [section, rowLabel, seatLabel] = [field('section'), field('row'), field('seat')].map(tidyLabel) as [string, string, string]
    if (values.length <= lastNeeded || values.slice(columns.length).some((value) => value !== ''))
      problems.push(t('seating.build.csv.valueCount', { line, values: values.length, columns: columns.length }))
    else if ([section, rowLabel, seatLabel].some((label) => label === '' || label.length > MAX_LABEL))
      problems.push(t('seating.build.csv.labels', { line, max: MAX_LABEL }))
    else if (!type) problems.push(t('seating.build.csv.unknownType', { line, category: field('category') }))
    else if (x === null || y === null) problems.push(t('seating.build.csv.position', { line }))
    else if (!['seat', 'wheelchair', 'companion', 'blocked'].includes(kind)) problems.push(t('seating.build.csv.kind', { line }))
    else {
      const place = { section, rowLabel, seatLabel }
      const first = firstLineOf.get(placeKey(place))
      if (first !== undefined) {
        problems.push(t('seating.build.csv.repeatedSeat', { line, seat: seatName(place), first }))
        continue
      }
      firstLineOf.set(placeKey(place), line)
      seats.push({
        ticketTypeId: type.id,
        ...place,
        x,
        y,
        kind: kind === 'blocked' ? 'seat' : (kind as SeatKind),
        blocked: kind === 'blocked',
      })
    }
  }
  return { seats: problems.length > 0 ? [] : seats, problems: problems.slice(0, 20) }
}

/** A record of the CSV and the line it ends on, as a person counts lines in the box. */
interface CsvLine {
  values: string[]
  line: number
}

/** The CSV's records, or what makes it unreadable in plain words (those of `t`), with its line: not the parser's own message. */
function readCsv(text: string, t: Translate): { lines: CsvLine[] } | { problem: string } {
  const records: CsvLine[] = []
  try {
    parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      on_record: (values, context) => {
        records.push({ values, line: context.lines })
        return values
      },
    })
    return { lines: records }
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number }
    switch (code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return { problem: t('seating.build.csv.quoteNotClosed', { line: firstTextLineAfter(text, records.at(-1)?.line ?? 0) }) }
      case 'INVALID_OPENING_QUOTE':
        return { problem: t('seating.build.csv.quoteInside', { line: lines }) }
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return { problem: t('seating.build.csv.afterClosingQuote', { line: lines }) }
      default:
        if (typeof lines === 'number') return { problem: t('seating.build.csv.unreadable', { line: lines }) }
        throw error
    }
  }
}

/** The number of the first line after `line` that is not blank: where the record after it starts. */
function firstTextLineAfter(text: string, line: number): number {
  const lines = text.split(/\r\n|\r|\n/)
  let next = line + 1
  while (next < lines.length && lines[next - 1]!.trim() === '') next++
  return next
}

/** The rows of a block as typed in the grid form, or what is wrong with them in the words of `t`. */
function rowLabels(text: string, t: Translate): string[] | string {
  if (text === '') return t('seating.build.rows.missing')
  let labels: string[]
  const count = /^\d{1,4}$/.exec(text)
  const letters = /^([A-Za-z])\s*-\s*([A-Za-z])$/.exec(text)
  const numbers = /^(\d{1,4})\s*-\s*(\d{1,4})$/.exec(text)
  if (count) {
    if (Number(text) === 0) return t('seating.build.rows.none')
    labels = Array.from({ length: Math.min(Number(text), MAX_ROWS + 1) }, (_, i) => lettersOf(i))
  } else if (letters) {
    const [from, to] = [letters[1]!.toUpperCase().charCodeAt(0), letters[2]!.toUpperCase().charCodeAt(0)]
    if (to < from) return t('seating.build.rows.lettersBackwards')
    labels = Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i))
  } else if (numbers) {
    const [from, to] = [Number(numbers[1]), Number(numbers[2])]
    if (to < from) return t('seating.build.rows.numbersBackwards')
    labels = Array.from({ length: Math.min(to - from + 1, MAX_ROWS + 1) }, (_, i) => String(from + i))
  } else {
    labels = text.split(',').map((label) => label.trim())
    if (labels.some((label) => !/^[A-Za-z0-9]{1,4}$/.test(label))) return t('seating.build.rows.names')
  }
  if (labels.length > MAX_ROWS) return t('seating.build.rows.tooMany', { max: MAX_ROWS })
  if (new Set(labels.map(labelKey)).size !== labels.length) return t('seating.build.rows.repeated')
  return labels
}

/** Row letters as a spreadsheet names columns: 0 is A, 25 is Z, 26 is AA. */
function lettersOf(index: number): string {
  let label = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) label = String.fromCharCode(65 + ((n - 1) % 26)) + label
  return label
}

function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\d{1,5}$/.test(text)) return null
  const value = Number(text)
  return value >= min && value <= max ? value : null
}

function numberList(text: string): Set<number> | null {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  if (!items.every((item) => /^\d{1,4}$/.test(item))) return null
  return new Set(items.map(Number))
}

/** "A1, a02, 3-12" → each seat by its key (rowSeatKey), as typed; null when an item names no row and seat. */
function seatList(text: string): Map<string, string> | null {
  const seats = new Map<string, string>()
  for (const item of text.split(',').map(tidyLabel).filter(Boolean)) {
    const named = parseRowSeat(item)
    if (!named || named.rowLabel.length > MAX_LABEL || named.seatLabel.length > MAX_LABEL) return null
    seats.set(rowSeatKey(named.rowLabel, named.seatLabel), item)
  }
  return seats
}
