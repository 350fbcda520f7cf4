/**
 * A code's uses and what a reserved code keeps aside: the one writer of
 * `codes.used` and `codes.kept`. Every function runs in a transaction that
 * holds the event row's lock already, as every change of capacity does, and
 * touches code rows after the event's and its ticket types' rows: the lock
 * order of src/features/capacity.
 *
 * `used` counts the live uses (those of paid orders and of orders awaiting
 * payment): the purchase takes them with a guarded UPDATE, and whatever
 * gives an order's tickets back (a lapse, a cancellation, of the whole order
 * or, counted per ticket, of some tickets) gives its uses back here. A
 * reserved code keeps aside what it has left (`maxUses - used`) while it is
 * open: in its ticket type's `held`, so nobody else may buy them, and its
 * holders buy them out of the hold.
 */
import type { Trx } from '../../db/database.js'
import type { Db } from '../../db/database.js'
import { holdIfRoom, releaseHeld } from '../capacity/capacity.js'
import { type Code, type CodeApplied, toCode, typeIdsColumn } from './code.model.js'
import { type CodeRules, codeEndedCondition, codeOpenCondition, hasCodeEnded, usesLeft } from './code.rules.js'

/** What some orders held of one code: the tickets it applied to (standing ones), and the orders placed with it. */
export interface CodeHolding {
  tickets: number
  orders: number
}

/**
 * The purchase's use of a code, after its ticket types: its uses, and for a
 * reserved code its tickets out of what the code keeps aside, while the code
 * is open, its terms are those the cart was priced with, and its limits hold.
 * False when the guard refused; the caller reads why and rolls back.
 */
export async function takeUses(trx: Trx, code: Code, applied: CodeApplied, now: number, rules: CodeRules): Promise<boolean> {
  const fromKept = keptFor(code, applied)
  const taken = await trx
    .updateTable('codes')
    .set((eb) => ({ used: eb('used', '+', applied.uses), kept: eb('kept', '-', fromKept) }))
    .where('id', '=', code.id)
    .where('eventId', '=', code.eventId)
    .where(codeOpenCondition(now))
    // The terms the cart was priced with: an edit since refuses, and the buyer sees the new prices.
    .where('discount', '=', code.discount)
    .where('amount', '=', code.amount)
    .where('ticketTypeIds', '=', typeIdsColumn(code.ticketTypeIds))
    .where((eb) => eb.or([eb('maxPerOrder', 'is', null), eb('maxPerOrder', '>=', applied.tickets)]))
    .where(rules.codeHasUsesFor(applied.uses))
    .where('kept', '>=', fromKept)
    .executeTakeFirst()
  return Number(taken.numUpdatedRows) > 0
}

/** The tickets of the cart that come out of what a reserved code keeps aside: all those it applies to (its one type). */
export function keptFor(code: Pick<Code, 'reserved'>, applied: CodeApplied): number {
  return code.reserved ? applied.tickets : 0
}

/**
 * Gives back the uses of orders that left a state holding capacity (or of
 * tickets cancelled on their own, `orders` 0), after their tickets were
 * given back: a reserved code that is still open keeps them aside again.
 */
export async function giveUsesBack(trx: Trx, held: Map<number, CodeHolding>, now: number): Promise<void> {
  for (const [codeId, holding] of [...held].sort(([a], [b]) => a - b)) {
    const row = await trx
      .updateTable('codes')
      .set((eb) => ({
        used: eb('used', '-', eb.case().when('countedPer', '=', 'ticket').then(holding.tickets).else(holding.orders).end()),
      }))
      .where('id', '=', codeId)
      .returningAll()
      .executeTakeFirst()
    if (row && !(await keepAside(trx, toCode(row), now))) {
      throw new Error(`codes: code ${codeId} cannot keep aside the tickets just given back to it`)
    }
  }
}

/**
 * Takes again the uses of an order that lapsed, for a payment that arrived
 * after its deadline, within each code's limit (its dates and switch do not
 * matter: the buyer used it in time); a reserved code hands its holder what
 * it kept aside. Before the tickets are taken again, so that they find the
 * room a reservation made. False, with nothing taken, when a code has no uses left.
 */
export async function retakeUses(trx: Trx, held: Map<number, CodeHolding>, now: number, rules: CodeRules): Promise<boolean> {
  const taken = new Map<number, CodeHolding>()
  for (const [codeId, holding] of [...held].sort(([a], [b]) => a - b)) {
    const code = await trx.selectFrom('codes').selectAll().where('id', '=', codeId).executeTakeFirst()
    const uses = code?.countedPer === 'ticket' ? holding.tickets : holding.orders
    const row = await trx
      .updateTable('codes')
      .set((eb) => ({ used: eb('used', '+', uses) }))
      .where('id', '=', codeId)
      .where(rules.codeHasUsesFor(uses))
      .returningAll()
      .executeTakeFirst()
    if (!row) {
      await giveUsesBack(trx, taken, now)
      return false
    }
    taken.set(codeId, holding)
    await keepAside(trx, toCode(row), now)
  }
  return true
}

/**
 * Makes what a reserved code keeps aside what it should keep now: what it has
 * left while it is open, nothing once it ended (or for a code not reserved).
 * What it kept is given back first, then what it should keep is held again,
 * through the guards of a sale: false, with the code keeping nothing, when
 * that does not fit (the organiser's change is then refused). `code` is as it
 * is now; `keptOn`, the type it kept tickets of, when the change moved it.
 */
export async function keepAside(trx: Trx, code: Code, now: number, keptOn = code.ticketTypeIds?.[0]): Promise<boolean> {
  if (code.kept > 0 && keptOn !== undefined) await releaseHeld(trx, code.eventId, new Map([[keptOn, code.kept]]))
  const type = code.ticketTypeIds?.[0]
  const wanted = code.reserved && type !== undefined && !hasCodeEnded(code, now) ? usesLeft(code) : 0
  const fits = type === undefined || (await holdIfRoom(trx, code.eventId, type, wanted))
  const kept = fits ? wanted : 0
  if (kept !== code.kept) await trx.updateTable('codes').set({ kept }).where('id', '=', code.id).execute()
  return fits
}

/**
 * Gives back what the event's reserved codes that ended (switched off, or
 * past their end) still keep aside. The caller offers the tickets onward
 * (src/features/upkeep/settle.ts). Whether any did.
 */
export async function releaseEndedCodes(trx: Trx, eventId: number, now: number): Promise<boolean> {
  // Read under the event's lock, which every change of a code's `kept` holds: what each keeps cannot move before the write.
  const ended = await trx
    .selectFrom('codes')
    .selectAll()
    .where('eventId', '=', eventId)
    .where('kept', '>', 0)
    .where(codeEndedCondition(now))
    .execute()
  for (const row of ended) await keepAside(trx, toCode(row), now)
  return ended.length > 0
}

/**
 * The event was cancelled: its codes are switched off and keep nothing aside
 * (its holds all ended with it, releaseAllHolds), so that nothing of it is
 * kept aside again.
 */
export async function endCodesOfEvent(trx: Trx, eventId: number): Promise<void> {
  await trx.updateTable('codes').set({ kept: 0, enabled: 0 }).where('eventId', '=', eventId).execute()
}

/** Whether a reserved code of this event ended and still keeps tickets aside: one indexed read. */
export async function hasEndedCodes(db: Db, eventId: number, now: number): Promise<boolean> {
  const due = await db
    .selectFrom('codes')
    .select('id')
    .where('eventId', '=', eventId)
    .where('kept', '>', 0)
    .where(codeEndedCondition(now))
    .limit(1)
    .executeTakeFirst()
  return due !== undefined
}

/** The events with a reserved code that ended and still keeps tickets aside. */
export async function eventsWithEndedCodes(db: Db, now: number): Promise<number[]> {
  const rows = await db.selectFrom('codes').select('eventId').distinct().where('kept', '>', 0).where(codeEndedCondition(now)).execute()
  return rows.map((row) => row.eventId)
}
