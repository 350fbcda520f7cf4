import type { Db, Trx } from '../../db/database.js'
import { randomSecret, tokenHash } from '../../lib/random.js'
import { recordAudit } from '../audit/audit.repository.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { normaliseEmail } from './user.repository.js'

/** How long a reset link works. */
export const RESET_VALID_MS = 60 * 60 * 1000
/** Links one account may be sent per hour: enough for a lost message, too few to flood a mailbox. */
export const RESETS_PER_ACCOUNT_PER_HOUR = 3

export interface ResetRequest {
  email: string
  siteUrl: string
  /** For the expiry time in the message. */
  timeZone: string
  ip: string
}

/**
 * Sends a reset link to the address if an active account has it; otherwise
 * does nothing. The caller answers the same either way, so the form tells
 * nobody which addresses have accounts. The link's token is kept only as its
 * SHA-256, and its message is written in the same transaction.
 */
export async function requestPasswordReset(db: Db, request: ResetRequest): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = Date.now()
    const user = await trx
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('email', '=', normaliseEmail(request.email))
      .where('status', '=', 'active')
      .executeTakeFirst()
    if (!user) return
    const recent = await trx
      .selectFrom('passwordResets')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('userId', '=', user.id)
      .where('createdAt', '>', now - 60 * 60 * 1000)
      .executeTakeFirstOrThrow()
    if (Number(recent.count) >= RESETS_PER_ACCOUNT_PER_HOUR) return
    const token = randomSecret(32)
    const expiresAt = now + RESET_VALID_MS
    await trx
      .insertInto('passwordResets')
      .values({ userId: user.id, tokenHash: tokenHash(token), createdAt: now, expiresAt, usedAt: null })
      .execute()
    await enqueueMail(trx, {
      kind: 'password-reset',
      to: user.email,
      data: { name: user.name, link: `${request.siteUrl}/reset-password?token=${token}`, expiresAt, timeZone: request.timeZone },
    })
    await recordAudit(trx, {
      actorId: null,
      actorLabel: user.email,
      action: 'account.password_reset_requested',
      subjectType: 'user',
      subjectId: user.id,
      details: { email: user.email },
      ip: request.ip,
    })
  })
}

/** Whether a link's token still works (unused, unexpired, its account active): the reset form is shown only then. */
export async function resetTokenIsUsable(db: Db, token: string, now = Date.now()): Promise<boolean> {
  if (!token) return false
  const row = await db
    .selectFrom('passwordResets')
    .innerJoin('users', 'users.id', 'passwordResets.userId')
    .select('passwordResets.id')
    .where('passwordResets.tokenHash', '=', tokenHash(token))
    .where('passwordResets.usedAt', 'is', null)
    .where('passwordResets.expiresAt', '>', now)
    .where('users.status', '=', 'active')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Sets the new password if the token still works, and uses the token up, in
 * one transaction: the conditional UPDATE lets one of two simultaneous uses
 * through. Every other link of the account is used up with it, and every
 * session of the account ends (whoever knew the old password is logged out).
 * Returns false when the token did not work.
 */
export async function resetPassword(db: Db, token: string, passwordHash: string, ip: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now()
    const claimed = await trx
      .updateTable('passwordResets')
      .set({ usedAt: now })
      .where('tokenHash', '=', tokenHash(token))
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning('userId')
      .executeTakeFirst()
    if (!claimed) return false
    const user = await trx
      .updateTable('users')
      .set({ passwordHash })
      .where('id', '=', claimed.userId)
      .where('status', '=', 'active')
      .returning(['id', 'email'])
      .executeTakeFirst()
    // A disabled account keeps its password; the token stays used.
    if (!user) return false
    await endResetLinks(trx, user.id, now)
    await trx.deleteFrom('sessions').where('userId', '=', user.id).execute()
    await recordAudit(trx, {
      actorId: user.id,
      actorLabel: user.email,
      action: 'account.password_reset',
      subjectType: 'user',
      subjectId: user.id,
      details: { email: user.email },
      ip,
    })
    return true
  })
}

/** Uses up every link of the account not used yet: none works afterwards, whatever becomes of the account. */
export async function endResetLinks(trx: Trx, userId: number, now = Date.now()): Promise<void> {
  await trx.updateTable('passwordResets').set({ usedAt: now }).where('userId', '=', userId).where('usedAt', 'is', null).execute()
}
