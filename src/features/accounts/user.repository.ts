import type { Db, Trx } from '../../db/database.js'
import type { Role, UserRow } from '../../db/schema.js'

/** Emails are compared trimmed and lower-cased: that is how they are stored. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst()
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export interface NewAccount {
  email: string
  name: string
  passwordHash: string
  role: Role
  organiserRequested?: boolean
}

/** Inserts the user; throws a unique violation (see isUniqueViolation) when the email is taken. */
export async function insertUser(db: Db | Trx, account: NewAccount): Promise<UserRow> {
  const now = Date.now()
  return db
    .insertInto('users')
    .values({
      email: normaliseEmail(account.email),
      name: account.name.trim(),
      passwordHash: account.passwordHash,
      role: account.role,
      status: 'active',
      organiserRequestedAt: account.organiserRequested ? now : null,
      createdAt: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function countActiveAdmins(db: Db | Trx): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function anyAdminExists(db: Db | Trx): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst()
  return row !== undefined
}

/**
 * Serialises every change to who is an admin, across transactions and app
 * instances: call it first in the transaction, then count admins. A write to
 * the one settings row locks that row on PostgreSQL and takes the write lock
 * on SQLite, so two admins demoting each other (or two first-run setups) run
 * one after the other, and the second sees what the first did.
 */
export async function lockAdminRoster(trx: Trx): Promise<void> {
  await trx
    .updateTable('siteSettings')
    .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
    .where('id', '=', 1)
    .execute()
}
