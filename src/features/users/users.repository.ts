import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import type { Role, UserRow, UserStatus } from '../../db/schema.js'
import { containsPattern } from '../../lib/search.js'

export interface UserSearch {
  /** Part of a name or an email, any case; '' for everyone. */
  text: string
  pendingOnly: boolean
  /** Only accounts of this role, or of this status; null for any. */
  role: Role | null
  status: UserStatus | null
  page: number
  perPage: number
}

export type UserListRow = Omit<UserRow, 'passwordHash'>

/**
 * A page of the user list: pending organiser requests first (oldest request
 * first, so none waits forever), then the newest accounts.
 */
export async function searchUsers(db: Db, search: UserSearch): Promise<{ users: UserListRow[]; total: number }> {
  const pattern = containsPattern(search.text)
  const filtered = db
    .selectFrom('users')
    .$if(search.text !== '', (qb) =>
      qb.where(sql<boolean>`(lower(name) like ${pattern} escape '\\' or email like ${pattern} escape '\\')`),
    )
    .$if(search.pendingOnly, (qb) => qb.where('organiserRequestedAt', 'is not', null))
    .$if(search.role !== null, (qb) => qb.where('role', '=', search.role!))
    .$if(search.status !== null, (qb) => qb.where('status', '=', search.status!))
  const [users, count] = await Promise.all([
    filtered
      .select(['id', 'email', 'name', 'role', 'status', 'organiserRequestedAt', 'createdAt'])
      .orderBy((eb) => eb.case().when('organiserRequestedAt', 'is', null).then(1).else(0).end())
      .orderBy('organiserRequestedAt', 'asc')
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(search.perPage)
      .offset((search.page - 1) * search.perPage)
      .execute(),
    filtered.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ])
  return { users, total: Number(count.count) }
}

export async function countPendingOrganisers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organiserRequestedAt', 'is not', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
