import { DEFAULT_LOCALE, type Locale } from '../../i18n/locale.js'
import type { Db, Trx } from '../../db/database.js'
import { isUniqueViolation } from '../../db/database.js'
import type { WaitingListEntryRow } from '../../db/schema.js'
import { randomSecret, tokenHash } from '../../lib/random.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { isWaitingListOpen } from '../events/event.rules.js'
import { findEventWithTicketTypes, lockEvent } from '../events/event.repository.js'
import { closeEntry, findOfferByToken } from '../offers/offers.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import type { JoinInput } from './waiting-list.form.js'

export interface JoinRequest extends JoinInput {
  eventId: number
  ticketTypeId: number
  siteUrl: string
  /** The language the person is written to in, now and when tickets are offered; English when unsaid. */
  locale?: Locale
}

/**
 * joined; or why not, for the page to say: the address is on the list already
 * (`duplicate`), or the list is not open: the type is gone, the event keeps no
 * list, or the type is not sold out (or not on sale) now.
 */
export type JoinOutcome = { joined: true } | { joined: false; reason: JoinRefusal }

export type JoinRefusal =
  { kind: 'duplicate' } | { kind: 'type_gone' } | { kind: 'no_list' } | { kind: 'not_sold_out'; ticketTypeName: string }

/**
 * Puts a person on a ticket type's waiting list, with the confirmation mail
 * and its link to leave, in one transaction under the event's lock: the list
 * must be on and the type sold out as committed now, not as the form saw it.
 * An address already waiting (or offered) for the type is refused by the
 * partial unique index, so two submits at once cannot both join.
 */
export async function joinWaitingList(db: Db, request: JoinRequest): Promise<JoinOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      const now = Date.now()
      await lockEvent(trx, request.eventId)
      const found = await findEventWithTicketTypes(trx, request.eventId)
      const type = found?.types.find((candidate) => candidate.id === request.ticketTypeId)
      if (!found || !type) return { joined: false, reason: { kind: 'type_gone' } }
      if (!isWaitingListOpen(type, found.event, now)) {
        return {
          joined: false,
          reason: found.event.waitingList ? { kind: 'not_sold_out', ticketTypeName: type.name } : { kind: 'no_list' },
        }
      }
      const leaveToken = randomSecret(32)
      await trx
        .insertInto('waitingListEntries')
        .values({
          eventId: request.eventId,
          ticketTypeId: type.id,
          name: request.name,
          email: request.email,
          quantity: request.quantity,
          state: 'waiting',
          leaveTokenHash: tokenHash(leaveToken),
          siteUrl: request.siteUrl,
          locale: request.locale ?? DEFAULT_LOCALE,
          createdAt: now,
          offeredQuantity: null,
          offerTokenHash: null,
          offeredAt: null,
          offerExpiresAt: null,
          orderId: null,
          closedAt: null,
        })
        .execute()
      await enqueueMail(trx, {
        kind: 'waiting-list-joined',
        to: request.email,
        locale: request.locale,
        data: {
          name: request.name,
          eventTitle: found.event.title,
          ticketTypeName: type.name,
          eventLink: `${request.siteUrl}/event/${request.eventId}`,
          quantity: request.quantity,
          leaveLink: `${request.siteUrl}/waiting-list/leave?token=${leaveToken}`,
        },
      })
      return { joined: true } as const
    })
  } catch (error) {
    if (isUniqueViolation(error)) return { joined: false, reason: { kind: 'duplicate' } }
    throw error
  }
}

/** The entry a leave link names, whatever became of it since. */
export async function findEntryByLeaveToken(db: Db, token: string): Promise<WaitingListEntryRow | undefined> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined
  return db.selectFrom('waitingListEntries').selectAll().where('leaveTokenHash', '=', tokenHash(token)).executeTakeFirst()
}

/** Runs `change` under the event's lock, as every change of the list and its holds does. */
function underEventLock<T>(db: Db, eventId: number, change: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockEvent(trx, eventId)
    return change(trx)
  })
}

/** The person leaves by their link (an offer they held goes to the next person). False when they had left already. */
export async function leaveWaitingList(db: Db, entry: WaitingListEntryRow): Promise<boolean> {
  return underEventLock(db, entry.eventId, async (trx) => (await closeEntry(trx, entry.id, 'left', Date.now())) !== undefined)
}

/** The person declines an open offer by its link: its tickets go to the next person. */
export async function declineOffer(db: Db, token: string): Promise<{ eventId: number; declined: boolean } | undefined> {
  const entry = await findOfferByToken(db, token)
  if (!entry) return undefined
  return underEventLock(db, entry.eventId, async (trx) => {
    const closed = await closeEntry(trx, entry.id, 'left', Date.now())
    return { eventId: entry.eventId, declined: closed?.state === 'offered' }
  })
}

/** The organiser takes someone off the list, audited; an offer they held goes to the next person. */
export async function removeEntry(db: Db, actor: Actor, entry: WaitingListEntryRow): Promise<boolean> {
  return underEventLock(db, entry.eventId, async (trx) => {
    const closed = await closeEntry(trx, entry.id, 'removed', Date.now())
    if (!closed) return false
    await recordAudit(trx, {
      ...auditBy(actor),
      action: 'waiting_list.removed',
      subjectType: 'waiting_list_entry',
      subjectId: entry.id,
      details: { eventId: entry.eventId, email: entry.email, state: closed.state, offeredQuantity: closed.offeredQuantity },
    })
    return true
  })
}
