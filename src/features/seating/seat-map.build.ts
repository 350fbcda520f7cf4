import { parse } from 'csv-parse/sync'
import type { SeatKind, SeatsTable, TicketTypeRow } from '../../db/schema.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'

/** A seat to add to a map; y counts rows from the top of what is added (the map's end is added to it). */
export type NewSeat = Pick<SeatsTable, 'ticketTypeId' | 'section' | 'rowLabel' | 'seatLabel' | 'x' | 'y' | 'kind'> & { blocked: boolean }

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
 * A block of seats from the grid form: rows "A-J", "1-12" or "A, B, C";
 * seats numbered from the first number; an aisle (an empty cell) after each
 * seat number listed; wheelchair spaces, companion seats and blocked seats
 * named by row and seat ("A1", "3-12").
 */
export function parseBlockForm(body: unknown, types: TicketTypeRow[]): { values: BlockFormValues; errors: FieldErrors; seats: NewSeat[] } {
  const form = new FormReader(body)
  const values: BlockFormValues = {
    section: form.text('section').trim(),
    rows: form.text('rows').trim(),
    seatsPerRow: form.text('seatsPerRow').trim(),
    firstSeat: form.text('firstSeat').trim(),
    ticketTypeId: form.text('ticketTypeId'),
    aisles: form.text('aisles'),
    wheelchair: form.text('wheelchair'),
    companion: form.text('companion'),
    blocked: form.text('blocked'),
  }
  if (values.section === '') form.fail('section', 'Name the section, like "Stalls" or "Balcony".')
  else if (values.section.length > MAX_LABEL) form.fail('section', `Use at most ${MAX_LABEL} characters.`)
  const rows = rowLabels(values.rows)
  if (typeof rows === 'string') form.fail('rows', rows)
  const perRow = wholeNumber(values.seatsPerRow, 1, MAX_SEATS_PER_ROW)
  if (perRow === null) form.fail('seatsPerRow', `Enter how many seats each row has, from 1 to ${MAX_SEATS_PER_ROW}.`)
  const first = wholeNumber(values.firstSeat, 0, 9999)
  if (first === null) form.fail('firstSeat', 'Enter the number of the first seat of each row, like 1.')
  const type = types.find((candidate) => String(candidate.id) === values.ticketTypeId)
  if (!type) form.fail('ticketTypeId', 'Choose the ticket type (price category) of these seats.')
  const aisles = numberList(values.aisles)
  if (aisles === null) form.fail('aisles', 'List seat numbers, like 5, 15.')
  const marks: Record<'wheelchair' | 'companion' | 'blocked', Set<string> | null> = {
    wheelchair: seatList(values.wheelchair),
    companion: seatList(values.companion),
    blocked: seatList(values.blocked),
  }
  for (const name of ['wheelchair', 'companion', 'blocked'] as const) {
    if (marks[name] === null) form.fail(name, 'List seats by row and number, like A1, A2 or 3-12, separated by commas.')
  }
  if (!form.ok || typeof rows === 'string' || perRow === null || first === null || !type || aisles === null) {
    return { values, errors: form.errors, seats: [] }
  }

  const seats: NewSeat[] = []
  rows.forEach((rowLabel, y) => {
    let x = 0
    for (let n = first; n < first + perRow; n++) {
      const key = `${rowLabel}-${n}`.toUpperCase()
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
  const named = new Set(seats.map((seat) => `${seat.rowLabel}-${seat.seatLabel}`.toUpperCase()))
  for (const name of ['wheelchair', 'companion', 'blocked'] as const) {
    const missing = [...marks[name]!].filter((key) => !named.has(key))
    if (missing.length > 0) form.fail(name, `${missing.join(', ')}: no such seat in these rows.`)
  }
  return { values, errors: form.errors, seats: form.ok ? seats : [] }
}

/** The form that blocks seats of a map, or frees blocked ones, after it was built. */
export interface SeatMarksFormValues {
  markSection: string
  marks: string
}

/** Seats named by row and number in one section ("A1, A2, 3-12"), and whether to block or free them. */
export function parseSeatMarks(body: unknown): {
  values: SeatMarksFormValues
  errors: FieldErrors
  keys: Set<string>
  blocked: boolean
} {
  const form = new FormReader(body)
  const values = { markSection: form.text('markSection').trim(), marks: form.text('marks') }
  if (values.markSection === '') form.fail('markSection', 'Name the section of these seats, like "Stalls".')
  const keys = seatList(values.marks)
  if (keys === null) form.fail('marks', 'List seats by row and number, like A1, A2 or 3-12, separated by commas.')
  else if (keys.size === 0) form.fail('marks', 'Name the seats to block or free, like A1, A2.')
  return { values, errors: form.errors, keys: keys ?? new Set(), blocked: form.text('action') !== 'free' }
}

/** A seat's name as the forms write it ("A-12"), to match seatList's. */
export function seatKey(seat: { rowLabel: string; seatLabel: string }): string {
  return `${seat.rowLabel.toUpperCase()}-${/^\d+$/.test(seat.seatLabel) ? Number(seat.seatLabel) : seat.seatLabel.toUpperCase()}`
}

/**
 * Seats from a CSV with the header section,row,seat,x,y,category and an
 * optional kind column (seat, wheelchair, companion or blocked); the
 * category is a ticket type's name. Every problem is named by its line.
 */
export function parseSeatCsv(text: string, types: TicketTypeRow[]): { seats: NewSeat[]; problems: string[] } {
  let records: Record<string, string>[]
  try {
    records = parse(text.trim(), {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
    })
  } catch (error) {
    return { seats: [], problems: [`This is not CSV the map can read: ${(error as Error).message}`] }
  }
  const problems: string[] = []
  if (records.length === 0) return { seats: [], problems: ['Paste the header line and at least one seat.'] }
  const columns = Object.keys(records[0]!)
  for (const needed of ['section', 'row', 'seat', 'x', 'y', 'category']) {
    if (!columns.includes(needed))
      problems.push(`The header needs a "${needed}" column: section,row,seat,x,y,category (and optionally kind).`)
  }
  if (problems.length > 0) return { seats: [], problems }
  if (records.length > MAX_SEATS_PER_EVENT) return { seats: [], problems: [`At most ${MAX_SEATS_PER_EVENT} seats.`] }
  const byName = new Map(types.map((type) => [type.name.trim().toLowerCase(), type]))
  const seats: NewSeat[] = []
  records.forEach((record, i) => {
    const line = `Line ${i + 2}`
    const type = byName.get((record.category ?? '').toLowerCase())
    const x = wholeNumber(record.x ?? '', 0, 9999)
    const y = wholeNumber(record.y ?? '', 0, 9999)
    const kind = (record.kind ?? 'seat').toLowerCase() || 'seat'
    const labels = [record.section, record.row, record.seat]
    if (labels.some((label) => !label || label.length > MAX_LABEL))
      problems.push(`${line}: section, row and seat must be 1 to ${MAX_LABEL} characters.`)
    else if (!type) problems.push(`${line}: no ticket type is called "${record.category}".`)
    else if (x === null || y === null) problems.push(`${line}: x and y must be whole numbers from 0 to 9999.`)
    else if (!['seat', 'wheelchair', 'companion', 'blocked'].includes(kind))
      problems.push(`${line}: kind must be seat, wheelchair, companion or blocked.`)
    else {
      seats.push({
        ticketTypeId: type.id,
        section: record.section!,
        rowLabel: record.row!,
        seatLabel: record.seat!,
        x,
        y,
        kind: kind === 'blocked' ? 'seat' : (kind as SeatKind),
        blocked: kind === 'blocked',
      })
    }
  })
  return { seats: problems.length > 0 ? [] : seats, problems: problems.slice(0, 20) }
}

function rowLabels(text: string): string[] | string {
  if (text === '') return 'Enter the rows, like A-J, 1-12 or A, B, C.'
  let labels: string[]
  const letters = /^([A-Za-z])\s*-\s*([A-Za-z])$/.exec(text)
  const numbers = /^(\d{1,4})\s*-\s*(\d{1,4})$/.exec(text)
  if (letters) {
    const [from, to] = [letters[1]!.toUpperCase().charCodeAt(0), letters[2]!.toUpperCase().charCodeAt(0)]
    if (to < from) return 'The last row comes after the first, like A-J.'
    labels = Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i))
  } else if (numbers) {
    const [from, to] = [Number(numbers[1]), Number(numbers[2])]
    if (to < from) return 'The last row comes after the first, like 1-12.'
    labels = Array.from({ length: Math.min(to - from + 1, MAX_ROWS + 1) }, (_, i) => String(from + i))
  } else {
    labels = text.split(',').map((label) => label.trim())
    if (labels.some((label) => !/^[A-Za-z0-9]{1,4}$/.test(label)))
      return 'Enter the rows, like A-J, 1-12 or A, B, C (letters and digits, up to 4 each).'
  }
  if (labels.length > MAX_ROWS) return `At most ${MAX_ROWS} rows in one block.`
  if (new Set(labels.map((label) => label.toUpperCase())).size !== labels.length) return 'Each row may be named once.'
  return labels
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

/** "A1, a2, 3-12" → {"A-1", "A-2", "3-12"}: row and seat, the row in capitals. */
function seatList(text: string): Set<string> | null {
  const keys = new Set<string>()
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]{1,4})-?(\d{1,4})$/.exec(item) ?? /^(\d{1,4})-(\d{1,4})$/.exec(item)
    if (!match) return null
    keys.add(`${match[1]!.toUpperCase()}-${Number(match[2])}`)
  }
  return keys
}
