import { createHash, timingSafeEqual } from 'node:crypto'
import type { Db } from '../../db/database.js'
import { randomSecret } from '../../lib/random.js'
import { type User, anyAdminExists, insertUser, lockAdminRoster } from '../accounts/user.repository.js'
import { recordAudit } from '../audit/audit.repository.js'

/**
 * The one-time secret of the setup link. It lives in this process only: each
 * start without an admin prints a fresh one, and a restart voids the old one.
 */
export class SetupToken {
  private digest: Buffer | null = null

  /** A new token; the previous one stops working. */
  issue(): string {
    const token = randomSecret(24)
    this.digest = sha256(token)
    return token
  }

  matches(candidate: string): boolean {
    return this.digest !== null && candidate !== '' && timingSafeEqual(sha256(candidate), this.digest)
  }

  revoke(): void {
    this.digest = null
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * Creates the first admin, or returns null when an admin already exists. The
 * check runs under the admin roster lock, so two setups at once (two tabs, two
 * app instances with their own links) leave exactly one admin.
 */
export async function createFirstAdmin(
  db: Db,
  account: { name: string; email: string; passwordHash: string },
  ip: string,
): Promise<User | null> {
  return db.transaction().execute(async (trx) => {
    await lockAdminRoster(trx)
    if (await anyAdminExists(trx)) return null
    const admin = await insertUser(trx, { ...account, role: 'admin' })
    await recordAudit(trx, {
      actorId: admin.id,
      actorLabel: admin.email,
      action: 'account.admin_created',
      subjectType: 'user',
      subjectId: admin.id,
      details: { via: 'first-run setup' },
      ip,
    })
    return admin
  })
}
