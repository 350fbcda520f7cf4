import type { Db, Trx } from '../../db/database.js'
import { TooManyRequests } from '../../lib/errors.js'
import { FIFTEEN_MINUTES_MS } from './rate-limit.js'

/** After its first failure at an account under attack, an address waits this long, doubling with each further failure. */
export const COOL_DOWN_STEP_MS = 30_000

/** Attempts that count against an account: failed ones, and those still being checked. */
const COUNTED = ['login.attempt', 'login.failed']

/**
 * Slows guessing at one account without letting a stranger lock its owner out.
 *
 * Attempts are counted per account (its email) and per address, over the last
 * 15 minutes, in the audit log, so that every app instance sees them:
 * - an address that failed `limit` times for an account is refused for it;
 * - once the account has failed `limit` times in all (it is under attack), it
 *   is in a cool-down: an address that has not failed for it gets its password
 *   checked at once, and one that has waits 30 s after its last failure, then
 *   1, 2, 4 … minutes. A stranger's failures never delay the owner typing the
 *   right password from their own address.
 *
 * An attempt is claimed (written as `login.attempt`) before its password is
 * checked, in a transaction that first locks the account's row, so guesses
 * sent at once from one address are counted one after the other rather than
 * all passing the check together. settleLoginAttempt() records the outcome.
 * Registering with an existing address never counts: it guesses no password.
 */
export async function claimLoginAttempt(db: Db, email: string, ip: string, limit: number, now = Date.now()): Promise<number> {
  const claim = await db.transaction().execute(async (trx) => {
    // The row lock serialises attempts at one account on PostgreSQL; SQLite has one writer.
    await trx
      .updateTable('users')
      .set((eb) => ({ email: eb.ref('email') }))
      .where('email', '=', email)
      .execute()
    const waitMs = await waitBeforeAttempt(trx, email, ip, limit, now)
    if (waitMs > 0) return { waitMs }
    const attempt = await trx
      .insertInto('auditLog')
      .values({ at: now, actorId: null, actorLabel: email, action: 'login.attempt', subjectType: null, subjectId: null, details: '{}', ip })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { attemptId: attempt.id }
  })
  if (claim.attemptId !== undefined) return claim.attemptId
  await db
    .insertInto('auditLog')
    .values({ at: now, actorId: null, actorLabel: email, action: 'login.throttled', subjectType: null, subjectId: null, details: '{}', ip })
    .execute()
  throw new TooManyRequests((claim.waitMs ?? 0) / 1000)
}

/** The outcome of a claimed attempt: a failure keeps counting, a success no longer does. */
export async function settleLoginAttempt(db: Db, attemptId: number, outcome: { succeeded: boolean; userId: number | null }): Promise<void> {
  await db
    .updateTable('auditLog')
    .set({ action: outcome.succeeded ? 'login.succeeded' : 'login.failed', actorId: outcome.userId })
    .where('id', '=', attemptId)
    .execute()
}

async function waitBeforeAttempt(trx: Trx, email: string, ip: string, limit: number, now: number): Promise<number> {
  const row = await trx
    .selectFrom('auditLog')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(eb.case().when('ip', '=', ip).then(1).else(0).end()).as('fromHere'),
      eb.fn.min<number>(eb.case().when('ip', '=', ip).then(eb.ref('at')).end()).as('oldestFromHere'),
      eb.fn.max<number>(eb.case().when('ip', '=', ip).then(eb.ref('at')).end()).as('latestFromHere'),
    ])
    .where('action', 'in', COUNTED)
    .where('actorLabel', '=', email)
    .where('at', '>', now - FIFTEEN_MINUTES_MS)
    .executeTakeFirstOrThrow()
  const total = Number(row.total)
  const fromHere = Number(row.fromHere ?? 0)
  // Until enough of this address's failures are older than the window.
  if (fromHere >= limit) return Number(row.oldestFromHere) + FIFTEEN_MINUTES_MS - now
  if (total >= limit && fromHere > 0) {
    const coolDown = Math.min(FIFTEEN_MINUTES_MS, COOL_DOWN_STEP_MS * 2 ** (fromHere - 1))
    return Math.max(0, Number(row.latestFromHere) + coolDown - now)
  }
  return 0
}
