import type { Db } from '../../db/database.js'
import type { Role } from '../../db/schema.js'

/** The account a session belongs to now. */
export interface SessionHolder {
  userId: number
  role: Role
}

/** Session ids per query: well under the bound parameters SQLite and PostgreSQL take in one statement. */
const IDS_PER_QUERY = 500

/**
 * Which of these sessions still stand, and whose they are now. A session
 * stands while its row exists (logging out deletes it, disabling an account
 * deletes all of the account's), has not expired, and belongs to an active
 * account. One query for up to 500 sessions.
 */
export async function standingSessions(db: Db, sessionIds: string[], now = Date.now()): Promise<Map<string, SessionHolder>> {
  const holders = new Map<string, SessionHolder>()
  for (let start = 0; start < sessionIds.length; start += IDS_PER_QUERY) {
    const rows = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .select(['sessions.sid', 'users.id as userId', 'users.role'])
      .where('sessions.sid', 'in', sessionIds.slice(start, start + IDS_PER_QUERY))
      .where('sessions.expiresAt', '>', now)
      .where('users.status', '=', 'active')
      .execute()
    for (const row of rows) holders.set(row.sid, { userId: row.userId, role: row.role })
  }
  return holders
}
