/**
 * What has run out for an event, settled in one place: the waiting list's
 * offers whose time is up (their tickets go back and onward, each person
 * told), the unpaid orders past their deadline (src/features/orders/expiry.ts),
 * and what reserved codes that ended kept aside (src/features/codes).
 * Nothing waits for a job: whoever reads or decides availability settles the
 * event first, and the upkeep round (upkeep.plugin.ts) settles the events
 * nobody looked at. Settling twice at once is harmless: each expiry is a
 * conditional UPDATE, and only the rows it changed give anything back.
 */
import type { Db, Trx } from '../../db/database.js'
import { lockEvent } from '../events/event.repository.js'
import { eventsWithExpiredOffers, hasExpiredOffers, offerFreedCapacity, releaseExpiredHolds } from '../offers/offers.js'
import { eventsWithExpiryDue, expireOverdue, expiryDue } from '../orders/expiry.js'
import { eventsWithEndedCodes, hasEndedCodes, releaseEndedCodes } from '../codes/code.uses.js'

/** What settle reads of an event to know whether anything may have run out. */
export type Settleable = { id: number; held: number; nextExpiryAt: number | null }

/** Whether something of the event may have run out: free to ask, from the row as read. What a reserved code keeps aside is in `held` too. */
export function mayNeedSettling(event: Settleable, now: number): boolean {
  return event.held > 0 || expiryDue(event, now)
}

/**
 * Settles the event inside the caller's transaction, which holds the event's
 * lock (lockEvent). Unpaid orders lapse first, then offers; what either gave
 * back goes to the waiting list first. Whether anything ran out.
 */
export async function settleLocked(trx: Trx, eventId: number, now: number, ordersDue = true): Promise<boolean> {
  const lapsed = ordersDue && (await expireOverdue(trx, eventId, now))
  const codesEnded = await releaseEndedCodes(trx, eventId, now)
  // releaseExpiredHolds offers what it freed onward; what lapsed orders and ended codes freed is offered here when no offer ran out.
  const offersRanOut = await releaseExpiredHolds(trx, eventId, now)
  if ((lapsed || codesEnded) && !offersRanOut) await offerFreedCapacity(trx, eventId, now)
  return lapsed || codesEnded || offersRanOut
}

/**
 * Settles the event in a transaction of its own, before a page counts its
 * availability; whether anything ran out (the event is then worth reading
 * again). Free for an event that holds nothing and has no unpaid order due,
 * since only those can run out; one indexed read when nothing did.
 */
export async function settle(db: Db, event: Settleable, now = Date.now()): Promise<boolean> {
  return mayNeedSettling(event, now) && settleById(db, event.id, now, expiryDue(event, now))
}

async function settleById(db: Db, eventId: number, now: number, ordersDue: boolean): Promise<boolean> {
  if (!ordersDue && !(await hasExpiredOffers(db, eventId, now)) && !(await hasEndedCodes(db, eventId, now))) return false
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, eventId)
    return settleLocked(trx, eventId, now, ordersDue)
  })
}

/** settle for each event of a list; whether any changed (the list is then worth reading again). */
export async function settleEach(db: Db, events: Settleable[]): Promise<boolean> {
  let changed = false
  for (const event of events) if (await settle(db, event)) changed = true
  return changed
}

/** The upkeep round's part: every event with something that ran out, settled. Returns the events that changed. */
export async function settleAll(db: Db, now = Date.now()): Promise<number[]> {
  const changed: number[] = []
  const ordersDue = new Set(await eventsWithExpiryDue(db, now))
  const offersDue = await eventsWithExpiredOffers(db, now)
  const codesDue = await eventsWithEndedCodes(db, now)
  for (const eventId of new Set([...ordersDue, ...offersDue, ...codesDue])) {
    if (await settleById(db, eventId, now, ordersDue.has(eventId))) changed.push(eventId)
  }
  return changed
}
