import type { Db } from '../../src/db/database.js'
import type { AdmissionGuard } from '../../src/features/check-in/check-in.service.js'
import { GUARDED as GUARDED_ADMISSION } from '../../src/features/check-in/check-in.service.js'
import { offerRefusal } from '../../src/features/offers/offers.js'
import { type ConfirmSeams, GUARDED as GUARDED_CONFIRM } from '../../src/features/payments/confirm.js'
import { PurchaseRefused } from '../../src/features/purchase/purchase.errors.js'
import { type TicketMoveGuard, TicketMoveRefused } from '../../src/features/orders/ticket-move.js'
import { CodeRefused, usesLeft } from '../../src/features/codes/code.rules.js'
import type { CapacityGuard, HeldOffer } from '../../src/features/purchase/purchase.service.js'

/**
 * The controls of the concurrency tests: the guards of the app swapped for
 * the check-then-act of the systems we replace, passed to buildApp as seams.
 * A control differs from its guarded test only in the guard, and shows that
 * the test catches the race the guard prevents. Never used to sell tickets.
 */

/**
 * Capacity and a code's uses taken on what was read before the transaction,
 * and an offer claimed without checking it is still open.
 */
export const CHECK_THEN_ACT: CapacityGuard = {
  eventHasRoomFor: () => (eb) => eb.lit(true),
  ticketTypeHasRoomFor: () => (eb) => eb.lit(true),
  codeHasUsesFor: () => (eb) => eb.lit(true),
  consumeOffer: async (trx, entryId, orderId, now) => {
    await trx.updateTable('waitingListEntries').set({ state: 'claimed', orderId, closedAt: now }).where('id', '=', entryId).execute()
    return true
  },
  before: checkThenAct,
  seatsAsChecked: true,
}

/**
 * A ticket moved to another type on what was read of that type before the
 * transaction (a place was left), its place then taken without the room
 * guard: as a system that checks availability and then writes the change.
 */
export const MOVE_CHECK_THEN_ACT: TicketMoveGuard = {
  room: { eventHasRoomFor: CHECK_THEN_ACT.eventHasRoomFor, ticketTypeHasRoomFor: CHECK_THEN_ACT.ticketTypeHasRoomFor },
  before: async (db, _eventId, ticketTypeId) => {
    const type = await db.selectFrom('ticketTypes').select(['capacity', 'sold', 'held']).where('id', '=', ticketTypeId).executeTakeFirst()
    if (type && type.capacity - type.sold - type.held < 1) throw new TicketMoveRefused({ code: 'full' })
    await new Promise((resolve) => setImmediate(resolve))
  },
}

/**
 * A payment that arrives after its order lapsed takes the order's tickets (and
 * its code's uses) back without asking whether they are still there, as a
 * system that marks the order paid whatever happened meanwhile.
 */
export const LATE_PAYMENT_UNCHECKED: ConfirmSeams = {
  ...GUARDED_CONFIRM,
  room: {
    eventHasRoomFor: CHECK_THEN_ACT.eventHasRoomFor,
    ticketTypeHasRoomFor: CHECK_THEN_ACT.ticketTypeHasRoomFor,
    codeHasUsesFor: CHECK_THEN_ACT.codeHasUsesFor,
  },
}

/**
 * The old, unsafe way (read what remains, then write blindly). better-sqlite3
 * answers synchronously, so on SQLite the gap between the check and the write
 * opens only when something yields to the event loop; this yields once, as the
 * replaced system's Redis round trip did.
 */
async function checkThenAct(
  db: Db,
  eventId: number,
  lines: [number, number][],
  offer: HeldOffer | null,
  code: { id: number; uses: number } | null,
): Promise<void> {
  const types = await db.selectFrom('ticketTypes').select(['id', 'capacity', 'sold', 'held']).where('eventId', '=', eventId).execute()
  for (const [ticketTypeId, quantity] of lines) {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    const left = type ? type.capacity - type.sold - type.held + (ticketTypeId === offer?.ticketTypeId ? offer.quantity : 0) : 0
    if (type && left < quantity) throw new PurchaseRefused({ code: 'event-few-left', left })
  }
  if (offer) {
    const entry = await db
      .selectFrom('waitingListEntries')
      .select(['state', 'offerExpiresAt'])
      .where('id', '=', offer.entryId)
      .executeTakeFirst()
    const refusal = entry ? offerRefusal(entry) : { code: 'offer-closed' as const }
    if (refusal !== null) throw new PurchaseRefused(refusal)
  }
  if (code) {
    const row = await db.selectFrom('codes').select(['used', 'maxUses']).where('id', '=', code.id).executeTakeFirstOrThrow()
    const left = usesLeft(row)
    if (code.uses > left) throw new CodeRefused({ code: 'used-up', left })
  }
  await new Promise((resolve) => setImmediate(resolve))
}

/**
 * An admission that waits `ms` between its read and its write, as a round
 * trip over a venue's Wi-Fi would; with `weaker`, one of its two guards dropped.
 */
export function slowAdmission(ms: number, weaker: Partial<Pick<AdmissionGuard, 'conditional' | 'lockOrder'>> = {}): AdmissionGuard {
  return { ...GUARDED_ADMISSION, ...weaker, beforeWrite: () => new Promise((resolve) => setTimeout(resolve, ms)) }
}
