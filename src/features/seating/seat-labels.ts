/**
 * How seats are named, wherever a person names one: the CSV import, the grid
 * builder, the block-or-free form, a copy of another event's map.
 *
 * A label is stored as first typed (its surrounding spaces and runs of inner
 * spaces taken out), and compared by its key: case folded, and each number
 * without its leading zeros, so that "a", " A " and "A" are one row and "01"
 * and "1" one seat. Every seat stores the key of its section, row and seat
 * (seats.place_key, unique per event: migration 0013), and a section or a
 * row added to a map takes the spelling it already has there (spellLikeMap),
 * so that a map never shows "Stalls" and "stalls" as two sections.
 */

export interface SeatPlace {
  section: string
  rowLabel: string
  seatLabel: string
}

/** A label as stored and shown: what was typed, without surrounding spaces, inner runs of spaces as one. */
export function tidyLabel(label: string): string {
  return label.normalize('NFC').trim().replace(/\s+/g, ' ')
}

/** A label as compared. Migration 0013 keeps a frozen copy of this: a change here needs a migration that rewrites the keys. */
export function labelKey(label: string): string {
  return tidyLabel(label)
    .toLowerCase()
    .replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, ''))
}

/** The seat's key on its event's map (seats.place_key). */
export function placeKey(seat: SeatPlace): string {
  return JSON.stringify([labelKey(seat.section), labelKey(seat.rowLabel), labelKey(seat.seatLabel)])
}

/** A seat within its section, as compared: its row's key and its own. */
export function rowSeatKey(rowLabel: string, seatLabel: string): string {
  return JSON.stringify([labelKey(rowLabel), labelKey(seatLabel)])
}

/** A seat within its section as the forms write it (parseRowSeat reads it back): "A12", or "3-12" where that would be unclear. */
export function rowSeatName(rowLabel: string, seatLabel: string): string {
  return /^\p{L}+$/u.test(rowLabel) && /^\d+$/.test(seatLabel) ? `${rowLabel}${seatLabel}` : `${rowLabel}-${seatLabel}`
}

/** "A12", "a 12", "3-12", "Box B-4": a row and a seat (split at the last hyphen), or null when it names none. */
export function parseRowSeat(text: string): { rowLabel: string; seatLabel: string } | null {
  const hyphen = text.lastIndexOf('-')
  if (hyphen > 0) {
    const [rowLabel, seatLabel] = [tidyLabel(text.slice(0, hyphen)), tidyLabel(text.slice(hyphen + 1))]
    return rowLabel === '' || seatLabel === '' ? null : { rowLabel, seatLabel }
  }
  const joined = /^(\p{L}+)\s*(\d+)$/u.exec(tidyLabel(text))
  return joined ? { rowLabel: joined[1]!, seatLabel: joined[2]! } : null
}

/**
 * The seats with the spelling their section and row already have on the map
 * (or had first among these seats): "stalls, a" added to a map with
 * "Stalls, A" becomes "Stalls, A".
 */
export function spellLikeMap<T extends SeatPlace>(onMap: SeatPlace[], seats: T[]): T[] {
  const spellings = new Map<string, string>()
  const spell = (key: string, label: string) => {
    const known = spellings.get(key)
    if (known !== undefined) return known
    spellings.set(key, label)
    return label
  }
  const respell = (seat: SeatPlace) => {
    const sectionKey = labelKey(seat.section)
    return {
      section: spell(JSON.stringify([sectionKey]), seat.section),
      rowLabel: spell(JSON.stringify([sectionKey, labelKey(seat.rowLabel)]), seat.rowLabel),
    }
  }
  onMap.forEach(respell)
  return seats.map((seat) => ({ ...seat, ...respell(seat) }))
}
