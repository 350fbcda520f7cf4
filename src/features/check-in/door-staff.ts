import { createHash } from 'node:crypto'
import type { Db } from '../../db/database.js'
import { randomSecret } from '../../lib/random.js'
import type { CurrentUser, DoorPass } from '../../plugins/auth.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import type { Event } from '../events/event.model.js'

/**
 * Door staff: besides the event's organiser (and admins), who may check in an
 * event's tickets, and as whom the check-ins are recorded: an account the
 * organiser added as door staff, or whoever opened a staff link in this
 * browser. A staff link is a long random token, valid for one event and
 * nothing else, until revoked. The door's rule itself is the access hook's
 * (src/plugins/auth.ts), which asks staffPassFor for this part.
 */

/** This visitor's pass as door staff of the event, or null: such a visitor gets a 404, as if there were no such page. */
export async function staffPassFor(db: Db, eventId: number, user: CurrentUser | null, doorLinks: number[]): Promise<DoorPass | null> {
  if (!user && doorLinks.length === 0) return null
  const grants = await db
    .selectFrom('doorStaff')
    .select(['label', 'userId'])
    .where('eventId', '=', eventId)
    .where('revokedAt', 'is', null)
    .where((eb) =>
      eb.or([
        ...(user ? [eb('userId', '=', user.id)] : []),
        ...(doorLinks.length > 0 ? [eb.and([eb('id', 'in', doorLinks), eb('tokenHash', 'is not', null)])] : []),
      ]),
    )
    .execute()
  // The account's own grant first: its check-ins are recorded under its name.
  if (user && grants.some((grant) => grant.userId === user.id)) return { actorId: user.id, actorLabel: user.name, manages: false }
  const link = grants[0]
  return link ? { actorId: null, actorLabel: link.label, manages: false } : null
}

export interface DoorStaffMember {
  id: number
  label: string
  email: string | null
  isLink: boolean
  createdAt: number
  revokedAt: number | null
}

export async function doorStaffOf(db: Db, eventId: number): Promise<DoorStaffMember[]> {
  const rows = await db
    .selectFrom('doorStaff')
    .leftJoin('users', 'users.id', 'doorStaff.userId')
    .select(['doorStaff.id', 'doorStaff.label', 'users.email', 'doorStaff.tokenHash', 'doorStaff.createdAt', 'doorStaff.revokedAt'])
    .where('doorStaff.eventId', '=', eventId)
    .orderBy('doorStaff.id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    label: row.label,
    email: row.email,
    isLink: row.tokenHash !== null,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  }))
}

export interface StaffChange {
  event: Event
  actor: Actor
}

/** Why an account cannot be made door staff: none active with that address, the organiser's own, or staff already. */
export type StaffRefusal = 'no-account' | 'own-account' | 'already-staff'

/**
 * Why an account could not be added; null when it was. The account is told
 * by mail, written in the same transaction.
 */
export async function addStaffAccount(db: Db, change: StaffChange, email: string, siteUrl: string): Promise<StaffRefusal | null> {
  const user = await db.selectFrom('users').select(['id', 'name', 'status']).where('email', '=', email).executeTakeFirst()
  if (!user || user.status !== 'active') return 'no-account'
  if (user.id === change.event.ownerId) return 'own-account'
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('doorStaff')
      .select('id')
      .where('eventId', '=', change.event.id)
      .where('userId', '=', user.id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst()
    if (existing) return 'already-staff'
    const added = await trx
      .insertInto('doorStaff')
      .values({
        eventId: change.event.id,
        userId: user.id,
        tokenHash: null,
        label: user.name,
        createdBy: change.actor.userId,
        createdAt: Date.now(),
        revokedAt: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit(trx, change, 'door_staff.added', added.id, { eventId: change.event.id, userId: user.id })
    await enqueueMail(trx, { kind: 'door-staff-added', to: email, data: { doorStaffId: added.id, siteUrl } })
    return null
  })
}

/** A new staff link: its token, shown once to the organiser; only its hash is kept. */
export async function createStaffLink(db: Db, change: StaffChange, label: string): Promise<string> {
  const token = randomSecret(32)
  await db.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto('doorStaff')
      .values({
        eventId: change.event.id,
        userId: null,
        tokenHash: hashToken(token),
        label,
        createdBy: change.actor.userId,
        createdAt: Date.now(),
        revokedAt: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit(trx, change, 'door_staff.link_created', added.id, { eventId: change.event.id, label })
  })
  return token
}

export async function revokeStaff(db: Db, change: StaffChange, staffId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('doorStaff')
      .set({ revokedAt: Date.now() })
      .where('id', '=', staffId)
      .where('eventId', '=', change.event.id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst()
    if (Number(revoked.numUpdatedRows) === 0) return false
    await audit(trx, change, 'door_staff.revoked', staffId, { eventId: change.event.id })
    return true
  })
}

/** What the mail to an account added as door staff says, as it stands when the mail is sent: undefined once revoked. */
export async function staffGrantOf(db: Db, doorStaffId: number) {
  return db
    .selectFrom('doorStaff')
    .innerJoin('events', 'events.id', 'doorStaff.eventId')
    .innerJoin('users as staff', 'staff.id', 'doorStaff.userId')
    .leftJoin('users as adder', 'adder.id', 'doorStaff.createdBy')
    .select(['staff.name', 'events.title', 'events.startsAt', 'events.timeZone', 'adder.name as addedBy'])
    .where('doorStaff.id', '=', doorStaffId)
    .where('doorStaff.revokedAt', 'is', null)
    .executeTakeFirst()
}

/** The staff link's grant, if the token is one that stands. */
export async function redeemStaffLink(db: Db, token: string): Promise<{ id: number; eventId: number } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
  return db
    .selectFrom('doorStaff')
    .select(['id', 'eventId'])
    .where('tokenHash', '=', hashToken(token))
    .where('revokedAt', 'is', null)
    .executeTakeFirst()
}

/** Events this account is door staff of, soonest first, for its door page. */
export async function doorEventsOf(db: Db, userId: number | null, doorLinks: number[]) {
  if (userId === null && doorLinks.length === 0) return []
  return db
    .selectFrom('doorStaff')
    .innerJoin('events', 'events.id', 'doorStaff.eventId')
    .select(['events.id', 'events.title', 'events.startsAt', 'events.timeZone'])
    .where('doorStaff.revokedAt', 'is', null)
    .where((eb) =>
      eb.or([
        ...(userId !== null ? [eb('doorStaff.userId', '=', userId)] : []),
        ...(doorLinks.length > 0 ? [eb.and([eb('doorStaff.id', 'in', doorLinks), eb('doorStaff.tokenHash', 'is not', null)])] : []),
      ]),
    )
    .distinct()
    .orderBy('events.startsAt')
    .execute()
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

async function audit(
  trx: Parameters<typeof recordAudit>[0],
  change: StaffChange,
  action: string,
  subjectId: number,
  details: Record<string, unknown>,
) {
  await recordAudit(trx, {
    ...auditBy(change.actor),
    action,
    subjectType: 'door_staff',
    subjectId,
    details,
  })
}
