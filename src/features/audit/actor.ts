import type { FastifyRequest } from 'fastify'
import { hasRole } from '../../plugins/auth.js'
import type { AuditEntry } from './audit.repository.js'

/**
 * Who acts, as every service that changes something receives it: the
 * account (null for a guest buyer, a staff link or the app itself), how the
 * audit log names them, whether they act as a site admin, and from where.
 * One shape for organisers, admins, buyers and door staff, so that an audit
 * entry is written the same way whoever caused it.
 */
export interface Actor {
  userId: number | null
  /** How people know them in the audit log: the account's e-mail, the e-mail a guest typed, a staff link's name, or "system". */
  label: string
  isAdmin: boolean
  ip: string | null
}

/** The logged-in account acting through this request; `guestLabel` names a visitor without one (the e-mail they typed). */
export function actorOf(request: FastifyRequest, guestLabel = 'guest'): Actor {
  const user = request.user
  return {
    userId: user?.id ?? null,
    label: user?.email ?? guestLabel,
    isAdmin: hasRole(user, 'admin'),
    ip: request.ip,
  }
}

/** Who made an audit entry and from where: `recordAudit(trx, { ...auditBy(actor), action, ... })`. */
export function auditBy(actor: Actor): Pick<AuditEntry, 'actorId' | 'actorLabel' | 'ip'> {
  return { actorId: actor.userId, actorLabel: actor.label, ip: actor.ip }
}
