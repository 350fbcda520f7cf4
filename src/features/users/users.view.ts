import type { Role, UserStatus } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { formatDate } from '../../lib/format.js'
import type { User } from '../accounts/user.repository.js'

export const ROLE_LABELS: Record<Role, MessageKey> = {
  attendee: 'admin.users.roleLabel.attendee',
  organiser: 'admin.users.roleLabel.organiser',
  admin: 'admin.users.roleLabel.admin',
}
export const ROLES = Object.keys(ROLE_LABELS) as Role[]
export const STATUS_LABELS: Record<UserStatus, MessageKey> = {
  active: 'admin.users.statusLabel.active',
  disabled: 'admin.users.statusLabel.disabled',
}
export const STATUSES = Object.keys(STATUS_LABELS) as UserStatus[]

/** The choices of a role or a status filter, in the words of `t`. */
export function choices<Value extends string>(labels: Record<Value, MessageKey>, t: Translate): { value: Value; label: string }[] {
  return (Object.keys(labels) as Value[]).map((value) => ({ value, label: t(labels[value]) }))
}

/** One row of the user list, as the template shows it. */
export interface UserListItem {
  id: number
  name: string
  email: string
  role: Role
  roleLabel: string
  active: boolean
  /** When they asked to organise, or null: such rows are highlighted with approve and decline buttons. */
  pendingSince: string | null
  joined: string
  isSelf: boolean
}

export function toUserListItem(user: User, currentUserId: number, timeZone: string, t: Translate): UserListItem {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    roleLabel: t(ROLE_LABELS[user.role]),
    active: user.status === 'active',
    pendingSince: user.organiserRequestedAt === null ? null : formatDate(user.organiserRequestedAt, timeZone),
    joined: formatDate(user.createdAt, timeZone),
    isSelf: user.id === currentUserId,
  }
}
