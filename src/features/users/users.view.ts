import type { Role, UserStatus } from '../../db/schema.js'
import { formatDate } from '../../lib/format.js'
import type { User } from '../accounts/user.repository.js'

export const ROLE_LABELS: Record<Role, string> = { attendee: 'Attendee', organiser: 'Organiser', admin: 'Admin' }
export const ROLES = Object.keys(ROLE_LABELS) as Role[]
export const STATUS_LABELS: Record<UserStatus, string> = { active: 'Active', disabled: 'Disabled' }
export const STATUSES = Object.keys(STATUS_LABELS) as UserStatus[]

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

export function toUserListItem(user: User, currentUserId: number, timeZone: string): UserListItem {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    roleLabel: ROLE_LABELS[user.role],
    active: user.status === 'active',
    pendingSince: user.organiserRequestedAt === null ? null : formatDate(user.organiserRequestedAt, timeZone),
    joined: formatDate(user.createdAt, timeZone),
    isSelf: user.id === currentUserId,
  }
}
