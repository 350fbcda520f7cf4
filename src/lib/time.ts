import { DateTime } from 'luxon'

/**
 * A datetime-local input ("2026-12-05T19:30") read in `timeZone`, as UTC epoch
 * milliseconds; null when it is not a valid local time. Luxon does the time
 * zone arithmetic (DST gaps and overlaps) that hand-written offsets get wrong.
 */
export function localInputToInstant(value: string, timeZone: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null
  const parsed = DateTime.fromISO(value, { zone: timeZone })
  return parsed.isValid ? parsed.toMillis() : null
}

/** The value a datetime-local input shows for an instant, in `timeZone`. */
export function instantToLocalInput(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toFormat("yyyy-LL-dd'T'HH:mm")
}

/** A date input ("2026-12-05") as the first instant of that day in `timeZone`, or null. */
export function dateInputToInstant(value: string, timeZone: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null
  const parsed = DateTime.fromISO(value, { zone: timeZone })
  return parsed.isValid ? parsed.startOf('day').toMillis() : null
}

/** The first instant after the day of a date input ("2026-12-05") in `timeZone`: its end, on days of 23 or 25 hours too. */
export function dateInputToEndOfDay(value: string, timeZone: string): number | null {
  const start = dateInputToInstant(value, timeZone)
  return start === null ? null : DateTime.fromMillis(start, { zone: timeZone }).plus({ days: 1 }).toMillis()
}

/**
 * Where a date typed in `fromZone` goes when its event moves to `toZone`: the
 * same date and time of day there, the wall time the organiser typed, whether
 * it is past or to come. A time the clocks skip in `toZone` moves on by the gap.
 */
export function atSameWallTime(ms: number, fromZone: string, toZone: string): number {
  if (fromZone === toZone) return ms
  return DateTime.fromMillis(ms, { zone: fromZone }).setZone(toZone, { keepLocalTime: true }).toMillis()
}
