import { describe, expect, it } from 'vitest'
import { atSameWallTime, dateInputToEndOfDay, dateInputToInstant, instantToLocalInput, localInputToInstant } from '../../src/lib/time.js'

describe('time zone inputs', () => {
  it('reads a local date-time in the given zone and shows it back the same', () => {
    const instant = localInputToInstant('2026-12-05T19:30', 'Europe/Berlin')
    expect(instant).toBe(Date.UTC(2026, 11, 5, 18, 30))
    expect(instantToLocalInput(instant!, 'Europe/Berlin')).toBe('2026-12-05T19:30')
  })

  it('refuses what is not a date-time', () => {
    expect(localInputToInstant('tomorrow', 'UTC')).toBeNull()
    expect(localInputToInstant('2026-02-30T10:00', 'UTC')).toBeNull()
    expect(dateInputToInstant('2026-13-01', 'UTC')).toBeNull()
  })

  it('ends a day after 23 hours when the clocks go forward, and after 25 when they go back', () => {
    const spring = '2026-03-29'
    expect(dateInputToEndOfDay(spring, 'Europe/Berlin')! - dateInputToInstant(spring, 'Europe/Berlin')!).toBe(23 * 3600_000)
    const autumn = '2026-10-25'
    expect(dateInputToEndOfDay(autumn, 'Europe/Berlin')! - dateInputToInstant(autumn, 'Europe/Berlin')!).toBe(25 * 3600_000)
  })

  it('moves a date to another zone at the same wall time, past or to come, and on by the gap where the clocks skip it', () => {
    expect(atSameWallTime(Date.UTC(2001, 0, 1, 9, 0), 'Europe/Berlin', 'Asia/Tokyo')).toBe(Date.UTC(2001, 0, 1, 1, 0))
    expect(atSameWallTime(Date.UTC(2099, 6, 1, 8, 0), 'Europe/Berlin', 'America/New_York')).toBe(Date.UTC(2099, 6, 1, 14, 0))
    // 02:30 on 29 March 2026 does not exist in Berlin.
    expect(instantToLocalInput(atSameWallTime(Date.UTC(2026, 2, 29, 2, 30), 'UTC', 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2026-03-29T03:30',
    )
    expect(atSameWallTime(12345, 'Europe/Berlin', 'Europe/Berlin')).toBe(12345)
  })
})
