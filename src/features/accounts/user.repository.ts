import type { Db } from '../../db/database.js'
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
export async function insertUser(db: Db, account: NewAccount): Promise<UserRow> {
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

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
