import { sql } from 'kysely'
import type { Db, Trx } from '../../db/database.js'
import type { Role, UserRow, UserStatus } from '../../db/schema.js'
import { foldedPattern, searchText } from '../../lib/search.js'

/**
 * An account, as the users table's one repository hands it out (only the
 * sign-in check of src/plugins/auth.ts reads the table itself, since the
 * infrastructure imports no feature). Without the password hash, so that no
 * page, view model or log line can carry it by accident: only the login's
 * lookup, findUserByEmail, returns it beside the account.
 */
export interface User {
  id: number
  email: string
  name: string
  role: Role
  status: UserStatus
  /** When they asked to organise events, under the approval policy; null when no request waits. */
  organiserRequestedAt: number | null
  createdAt: number
}

export type UserWithPassword = User & { passwordHash: string }

const USER_COLUMNS = ['id', 'email', 'name', 'role', 'status', 'organiserRequestedAt', 'createdAt'] as const

function toUser(row: Pick<UserRow, (typeof USER_COLUMNS)[number]>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    organiserRequestedAt: row.organiserRequestedAt,
    createdAt: row.createdAt,
  }
}

/** Emails are compared trimmed and lower-cased: that is how they are stored. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** The account and its password hash, for checking a password. */
export async function findUserByEmail(db: Db, email: string): Promise<UserWithPassword | undefined> {
  const row = await db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'passwordHash'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst()
  return row && { ...toUser(row), passwordHash: row.passwordHash }
}

export async function findUserById(db: Db | Trx, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst()
  return row && toUser(row)
}

export interface NewAccount {
  email: string
  name: string
  passwordHash: string
  role: Role
  organiserRequested?: boolean
}

/** Inserts the user; throws a unique violation (see isUniqueViolation) when the email is taken. */
export async function insertUser(db: Db | Trx, account: NewAccount): Promise<User> {
  const now = Date.now()
  const email = normaliseEmail(account.email)
  const name = account.name.trim()
  const row = await db
    .insertInto('users')
    .values({
      email,
      name,
      passwordHash: account.passwordHash,
      role: account.role,
      status: 'active',
      organiserRequestedAt: account.organiserRequested ? now : null,
      createdAt: now,
      searchText: searchText(name, email),
    })
    .returning(USER_COLUMNS)
    .executeTakeFirstOrThrow()
  return toUser(row)
}

/** What an admin may change about an account. */
export type UserChange = Partial<Pick<User, 'role' | 'status' | 'organiserRequestedAt'>>

export async function updateUser(trx: Trx, id: number, change: UserChange): Promise<void> {
  await trx.updateTable('users').set(change).where('id', '=', id).execute()
}

export interface UserSearch {
  /** Part of a name or an email, any case, with or without accents; '' for everyone. */
  text: string
  pendingOnly: boolean
  /** Only accounts of this role, or of this status; null for any. */
  role: Role | null
  status: UserStatus | null
  page: number
  perPage: number
}

/**
 * A page of the user list: pending organiser requests first (oldest request
 * first, so none waits forever), then the newest accounts.
 */
export async function searchUsers(db: Db, search: UserSearch): Promise<{ users: User[]; total: number }> {
  const pattern = foldedPattern(search.text)
  const filtered = db
    .selectFrom('users')
    .$if(search.text !== '', (qb) => qb.where(sql<boolean>`search_text like ${pattern} escape '\\'`))
    .$if(search.pendingOnly, (qb) => qb.where('organiserRequestedAt', 'is not', null))
    .$if(search.role !== null, (qb) => qb.where('role', '=', search.role!))
    .$if(search.status !== null, (qb) => qb.where('status', '=', search.status!))
  const [rows, count] = await Promise.all([
    filtered
      .select(USER_COLUMNS)
      .orderBy((eb) => eb.case().when('organiserRequestedAt', 'is', null).then(1).else(0).end())
      .orderBy('organiserRequestedAt', 'asc')
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(search.perPage)
      .offset((search.page - 1) * search.perPage)
      .execute(),
    filtered.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return { users: rows.map(toUser), total: Number(count.count) }
}

export async function countPendingOrganisers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organiserRequestedAt', 'is not', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
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

/** Where to tell the admins of something that waits for one of them. */
export async function activeAdminEmails(db: Db | Trx): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .orderBy('id')
    .execute()
  return rows.map((row) => row.email)
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
