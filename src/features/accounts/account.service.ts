import { isUniqueViolation } from '../../db/database.js'
import type { Db } from '../../db/database.js'
import type { SignupPolicy } from '../../db/schema.js'
import { recordAudit } from '../audit/audit.repository.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import type { NewAccountInput } from './account.form.js'
import { claimLoginAttempt, settleLoginAttempt } from './login-throttle.js'
import { PASSWORD_MAX, hashPassword, verifyAgainstDecoy, verifyPassword } from './passwords.js'
import { type User, activeAdminEmails, findUserByEmail, insertUser } from './user.repository.js'

export interface LoginAttempt {
  /** Normalised (normaliseEmail). */
  email: string
  password: string
  ip: string
}

/**
 * The active account this email and password open, or null. Every attempt is
 * claimed in the audit log before its password is checked, and settled after
 * (see login-throttle.ts): a throttled attempt throws TooManyRequests without
 * checking the password.
 */
export async function authenticate(db: Db, attempt: LoginAttempt, attemptsPer15Minutes: number): Promise<User | null> {
  const { email, password, ip } = attempt
  const attemptId = await claimLoginAttempt(db, email, ip, attemptsPer15Minutes)
  const user = password.length <= PASSWORD_MAX ? await findUserByEmail(db, email) : undefined
  const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDecoy(password)
  if (!user || !valid || user.status !== 'active') {
    await settleLoginAttempt(db, attemptId, { succeeded: false, userId: user?.id ?? null })
    return null
  }
  await settleLoginAttempt(db, attemptId, { succeeded: true, userId: user.id })
  const { passwordHash: _checked, ...account } = user
  return account
}

export interface Registration extends NewAccountInput {
  /** Whether they asked to organise events; what they get depends on the sign-up policy. */
  organiser: boolean
}

/**
 * A new account and its audit entry, in one transaction. Under the open
 * policy whoever asks becomes an organiser; under approval the request waits
 * for an admin, and every active admin is mailed about it in the same
 * transaction; otherwise the account is an attendee's. Returns null when the
 * email already has an account: that is recorded for the admins, and never
 * counts against the account, since it guesses no password.
 */
export async function register(
  db: Db,
  registration: Registration,
  signupPolicy: SignupPolicy,
  request: { ip: string; siteUrl: string },
): Promise<User | null> {
  const { ip, siteUrl } = request
  // Hashed first: argon2 takes a while, and the transaction should not wait for it.
  const passwordHash = await hashPassword(registration.password)
  try {
    return await db.transaction().execute(async (trx) => {
      const created = await insertUser(trx, {
        name: registration.name,
        email: registration.email,
        passwordHash,
        role: registration.organiser && signupPolicy === 'open' ? 'organiser' : 'attendee',
        organiserRequested: registration.organiser && signupPolicy === 'approval',
      })
      await recordAudit(trx, {
        actorId: created.id,
        actorLabel: created.email,
        action: 'account.registered',
        subjectType: 'user',
        subjectId: created.id,
        details: { role: created.role, organiserRequested: created.organiserRequestedAt !== null },
        ip,
      })
      if (created.organiserRequestedAt !== null) {
        const data = { name: created.name, email: created.email, siteUrl }
        await enqueueMail(
          trx,
          (await activeAdminEmails(trx)).map((to) => ({ kind: 'organiser-requested' as const, to, data })),
        )
      }
      return created
    })
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    await recordAudit(db, {
      actorId: null,
      actorLabel: registration.email,
      action: 'register.failed',
      details: { reason: 'email taken' },
      ip,
    })
    return null
  }
}
