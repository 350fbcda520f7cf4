import type { Db } from '../../db/database.js'
import type { Role } from '../../db/schema.js'
import { Conflict, NotFound } from '../../lib/errors.js'
import { type User, type UserChange, countActiveAdmins, findUserById, lockAdminRoster, updateUser } from '../accounts/user.repository.js'
import { endResetLinks } from '../accounts/password-reset.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { enqueueMail } from '../outbox/outbox.repository.js'

/** What an action would change about an account, or null when there is nothing to do. */
interface Change {
  set: UserChange
  action: string
  details?: Record<string, unknown>
}

export type AccountAction =
  { kind: 'role'; role: Role } | { kind: 'approve-organiser' } | { kind: 'decline-organiser' } | { kind: 'disable' } | { kind: 'enable' }

/**
 * Applies an admin's action to an account in one transaction: the admin
 * roster is locked first, so the check that an active admin remains sees
 * every concurrent change, and a disabled account loses its sessions and its
 * password-reset links in the same commit. Returns false when the action had
 * nothing to do (say, another admin did it a moment ago); throws Conflict when
 * it is not allowed. `siteUrl` is the site's address, for links in the e-mail an action sends.
 */
export async function applyAccountAction(db: Db, actor: Actor, userId: number, action: AccountAction, siteUrl: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockAdminRoster(trx)
    const user = await findUserById(trx, userId)
    if (!user) throw new NotFound()
    const change = plan(user, action, actor)
    if (!change) return false

    const after = { ...user, ...change.set }
    const wasActiveAdmin = user.role === 'admin' && user.status === 'active'
    const staysActiveAdmin = after.role === 'admin' && after.status === 'active'
    if (wasActiveAdmin && !staysActiveAdmin && (await countActiveAdmins(trx)) <= 1) {
      throw new Conflict({ key: 'admin.users.lastActiveAdmin', params: { name: user.name } })
    }

    await updateUser(trx, user.id, change.set)
    if (change.action === 'account.organiser_approved') {
      await enqueueMail(trx, { kind: 'organiser-approved', to: user.email, data: { name: user.name, siteUrl } })
    }
    if (after.status === 'disabled') {
      await trx.deleteFrom('sessions').where('userId', '=', user.id).execute()
      // A link sent before would otherwise work again if the account is enabled within its hour.
      await endResetLinks(trx, user.id)
    }
    await recordAudit(trx, {
      ...auditBy(actor),
      action: change.action,
      subjectType: 'user',
      subjectId: user.id,
      details: { email: user.email, ...change.details },
    })
    return true
  })
}

function plan(user: User, action: AccountAction, actor: Actor): Change | null {
  switch (action.kind) {
    case 'role':
      if (user.role === action.role) return null
      return {
        // Making someone an organiser or an admin answers their request too.
        set: { role: action.role, organiserRequestedAt: action.role === 'attendee' ? user.organiserRequestedAt : null },
        action: 'account.role_changed',
        details: { from: user.role, to: action.role },
      }
    case 'approve-organiser':
      if (user.organiserRequestedAt === null) return null
      return {
        set: { role: user.role === 'attendee' ? 'organiser' : user.role, organiserRequestedAt: null },
        action: 'account.organiser_approved',
      }
    case 'decline-organiser':
      if (user.organiserRequestedAt === null) return null
      return { set: { organiserRequestedAt: null }, action: 'account.organiser_declined' }
    case 'disable':
      if (user.status === 'disabled') return null
      if (user.id === actor.userId) throw new Conflict({ key: 'admin.users.cannotDisableSelf' })
      return { set: { status: 'disabled' }, action: 'account.disabled' }
    case 'enable':
      if (user.status === 'active') return null
      return { set: { status: 'active' }, action: 'account.enabled' }
  }
}
