import type { Db } from '../../db/database.js'
import { TooManyRequests } from '../../lib/errors.js'
import { FIFTEEN_MINUTES_MS } from './rate-limit.js'

/**
 * Slows guessing at one account without letting a stranger lock its owner out.
 *
 * Failed logins are counted per account (its email) and per address, over the
 * last 15 minutes, from the audit log, so that every app instance sees them:
 * - an address that failed `limit` times for an account is refused for it;
 * - once the account has failed `limit` times in all (it is under attack), it
 *   is in a cool-down: every address that already failed for it is refused,
 *   and an address that has not gets its password checked. A stranger can
 *   then guess once per address per 15 minutes, while the owner, typing the
 *   right password from their own address, still gets in.
 * Registering with an existing address never counts: it guesses no password.
 */
export async function refuseIfLoginThrottled(db: Db, email: string, ip: string, limit: number, now = Date.now()): Promise<void> {
  const row = await db
    .selectFrom('auditLog')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(eb.case().when('ip', '=', ip).then(1).else(0).end()).as('fromHere'),
      eb.fn.min<number>(eb.case().when('ip', '=', ip).then(eb.ref('at')).end()).as('oldestFromHere'),
      eb.fn.max<number>(eb.case().when('ip', '=', ip).then(eb.ref('at')).end()).as('latestFromHere'),
    ])
    .where('action', '=', 'login.failed')
    .where('actorLabel', '=', email)
    .where('at', '>', now - FIFTEEN_MINUTES_MS)
    .executeTakeFirstOrThrow()
  const total = Number(row.total)
  const fromHere = Number(row.fromHere ?? 0)
  if (fromHere >= limit) {
    // Until enough of this address's failures are older than the window.
    throw new TooManyRequests((Number(row.oldestFromHere) + FIFTEEN_MINUTES_MS - now) / 1000)
  }
  if (total >= limit && fromHere > 0) {
    // Until this address's last failure leaves the window and it counts as new again.
    throw new TooManyRequests((Number(row.latestFromHere) + FIFTEEN_MINUTES_MS - now) / 1000)
  }
}
