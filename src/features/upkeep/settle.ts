/**
 * What has run out for an event, settled in one place: today the waiting
 * list's offers whose time is up (their tickets go back and onward, each
 * person told); the pending orders that payments add will lapse here too.
 * Nothing waits for a job: whoever reads or decides availability settles the
 * event first, and the upkeep round (upkeep.plugin.ts) settles the events
 * nobody looked at. Settling twice at once is harmless: each expiry is a
 * conditional UPDATE, and only the rows it changed give anything back.
 */
import type { Db, Trx } from '../../db/database.js'
import { lockEvent } from '../events/event.repository.js'
import { eventsWithExpiredOffers, hasExpiredOffers, releaseExpiredHolds } from '../offers/offers.js'

/** Settles the event inside the caller's transaction, which holds the event's lock (lockEvent). Whether anything ran out. */
export function settleLocked(trx: Trx, eventId: number, now: number): Promise<boolean> {
  return releaseExpiredHolds(trx, eventId, now)
}

/**
 * Settles the event in a transaction of its own, before a page counts its
 * availability; whether anything ran out (the event is then worth reading
 * again). Free for an event that holds nothing, since only what is held can
 * run out; one indexed read when nothing did.
 */
export async function settle(db: Db, event: { id: number; held: number }, now = Date.now()): Promise<boolean> {
  return event.held > 0 && settleById(db, event.id, now)
}

async function settleById(db: Db, eventId: number, now: number): Promise<boolean> {
  if (!(await hasExpiredOffers(db, eventId, now))) return false
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, eventId)
    return settleLocked(trx, eventId, now)
  })
}

/** settle for each event of a list; whether any changed (the list is then worth reading again). */
export async function settleEach(db: Db, events: { id: number; held: number }[]): Promise<boolean> {
  let changed = false
  for (const event of events) if (await settle(db, event)) changed = true
  return changed
}

/** The upkeep round's part: every event with something that ran out, settled. Returns the events that changed. */
export async function settleAll(db: Db, now = Date.now()): Promise<number[]> {
  const changed: number[] = []
  for (const eventId of await eventsWithExpiredOffers(db, now)) if (await settleById(db, eventId, now)) changed.push(eventId)
  return changed
}
