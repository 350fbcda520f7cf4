/**
 * The waiting list's hold on capacity: offers of freed tickets to the people
 * waiting, in the order they joined, and their expiry. Every function that
 * takes a transaction expects the event's row to be locked in it already
 * (lockEvent, or the purchase's UPDATE of the event), as every change of
 * `sold` or `held` does: under that lock the counters read here cannot move.
 *
 * A hold is counted in `held` on the ticket type and on the event, beside
 * `sold`, and taken with the same guarded UPDATEs as a purchase
 * (`sold + held + n <= capacity`), so that held and sold tickets together
 * never exceed a capacity. What ran out is released by the upkeep feature's
 * settle (src/features/upkeep/settle.ts) through releaseExpiredHolds, once:
 * the release is a conditional UPDATE of the offers still open, and only the
 * rows it changed give their tickets back.
 *
 * Purchase and organiser call into this module inside their transactions;
 * it imports neither of them.
 */
import type { Db, Trx } from '../../db/database.js'
import type { WaitingListEntryRow, WaitingListState } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { randomSecret, tokenHash } from '../../lib/random.js'
import { freeOfEvent, inSalesWindow, isOnSale } from '../events/event.rules.js'
import { hold, releaseHeld } from '../capacity/capacity.js'
import { enqueueMail } from '../outbox/outbox.repository.js'

const HOUR = 60 * 60 * 1000

/** A row of the list with its ticket type's and event's names, for mails and pages. */
export interface EntryWithEvent extends WaitingListEntryRow {
  eventTitle: string
  timeZone: string
  ticketTypeName: string
}

function eventLink(entry: Pick<WaitingListEntryRow, 'siteUrl' | 'eventId'>): string {
  return `${entry.siteUrl}/event/${entry.eventId}`
}

/** The claim link of an offer: the buy form, with the offer's tickets reserved for whoever opens it. */
export function claimLink(entry: Pick<WaitingListEntryRow, 'siteUrl' | 'eventId'>, token: string): string {
  return `${entry.siteUrl}/buy-tickets/${entry.eventId}?offer=${token}`
}

/**
 * Offers what is free of the event's capacity to the people waiting, first
 * come first served: each gets what they asked for, or what is free of their
 * type when less is (the rest of their wish lapses with the offer). A person
 * whose type has nothing free keeps their place; people after them, of
 * another type with room, may be offered meanwhile. Nothing is offered while
 * the list is off or the event not on sale. Returns how many offers were made.
 */
export async function offerFreedCapacity(trx: Trx, eventId: number, now: number): Promise<number> {
  const event = await trx
    .selectFrom('events')
    .select(['id', 'title', 'timeZone', 'status', 'publishedAt', 'endsAt', 'capacity', 'sold', 'held', 'waitingList', 'offerHours'])
    .where('id', '=', eventId)
    .executeTakeFirst()
  if (!event || event.waitingList !== 1 || !isOnSale(event, now)) return 0
  let eventFree = freeOfEvent(event)
  if (eventFree === 0) return 0
  const waiting = await trx
    .selectFrom('waitingListEntries')
    .selectAll()
    .where('eventId', '=', eventId)
    .where('state', '=', 'waiting')
    .orderBy('id')
    .execute()
  if (waiting.length === 0) return 0
  const types = await trx
    .selectFrom('ticketTypes')
    .select(['id', 'name', 'capacity', 'sold', 'held', 'salesStartAt', 'salesEndAt'])
    .where('eventId', '=', eventId)
    .execute()
  let offers = 0
  for (const entry of waiting) {
    if (eventFree === 0) break
    const type = types.find((candidate) => candidate.id === entry.ticketTypeId)
    if (!type || !inSalesWindow(type, now)) continue
    const quantity = Math.min(entry.quantity, type.capacity - type.sold - type.held, eventFree)
    if (quantity <= 0) continue
    // Never past the end of the event or of the type's sales, when nothing could be bought with it.
    const expiresAt = Math.min(now + event.offerHours * HOUR, event.endsAt, type.salesEndAt ?? Infinity)
    const token = randomSecret(32)
    const offered = await trx
      .updateTable('waitingListEntries')
      .set({ state: 'offered', offeredQuantity: quantity, offerTokenHash: tokenHash(token), offeredAt: now, offerExpiresAt: expiresAt })
      .where('id', '=', entry.id)
      .where('state', '=', 'waiting')
      .executeTakeFirst()
    if (Number(offered.numUpdatedRows) === 0) continue
    await hold(trx, eventId, type.id, quantity)
    type.held += quantity
    eventFree -= quantity
    offers += 1
    await enqueueMail(trx, {
      kind: 'waiting-list-offer',
      to: entry.email,
      locale: entry.locale,
      data: {
        name: entry.name,
        eventTitle: event.title,
        ticketTypeName: type.name,
        eventLink: eventLink(entry),
        quantity,
        asked: entry.quantity,
        link: claimLink(entry, token),
        expiresAt,
        timeZone: event.timeZone,
      },
    })
  }
  return offers
}

function heldByType(rows: { ticketTypeId: number; offeredQuantity: number | null }[]): Map<number, number> {
  const byType = new Map<number, number>()
  for (const row of rows) byType.set(row.ticketTypeId, (byType.get(row.ticketTypeId) ?? 0) + (row.offeredQuantity ?? 0))
  return byType
}

/**
 * Ends the offers of this event that ran out by `now`, gives their tickets
 * back and offers them onward, telling each person whose offer lapsed.
 * Returns whether any had run out.
 */
export async function releaseExpiredHolds(trx: Trx, eventId: number, now: number): Promise<boolean> {
  const expired = await trx
    .updateTable('waitingListEntries')
    .set({ state: 'expired', closedAt: now })
    .where('eventId', '=', eventId)
    .where('state', '=', 'offered')
    .where('offerExpiresAt', '<=', now)
    .returningAll()
    .execute()
  if (expired.length === 0) return false
  await releaseHeld(trx, eventId, heldByType(expired))
  const names = await namesOf(trx, eventId)
  await enqueueMail(
    trx,
    expired.map((entry) => ({
      kind: 'waiting-list-expired',
      to: entry.email,
      locale: entry.locale,
      data: {
        name: entry.name,
        eventTitle: names.title,
        ticketTypeName: names.types.get(entry.ticketTypeId) ?? '',
        eventLink: eventLink(entry),
      },
    })),
  )
  await offerFreedCapacity(trx, eventId, now)
  return true
}

async function namesOf(trx: Trx, eventId: number): Promise<{ title: string; types: Map<number, string> }> {
  const event = await trx.selectFrom('events').select('title').where('id', '=', eventId).executeTakeFirstOrThrow()
  const types = await trx.selectFrom('ticketTypes').select(['id', 'name']).where('eventId', '=', eventId).execute()
  return { title: event.title, types: new Map(types.map((type) => [type.id, type.name])) }
}

/**
 * Takes an entry off the list (the person left, or declined their offer:
 * 'left'; the organiser removed them: 'removed'), if it is still waiting or
 * offered; an offer's tickets go back and onward. Returns the entry as it
 * was, or undefined when it had left the list already.
 */
export async function closeEntry(
  trx: Trx,
  entryId: number,
  state: Extract<WaitingListState, 'left' | 'removed'>,
  now: number,
): Promise<WaitingListEntryRow | undefined> {
  const before = await trx.selectFrom('waitingListEntries').selectAll().where('id', '=', entryId).executeTakeFirst()
  if (!before) return undefined
  const closed = await trx
    .updateTable('waitingListEntries')
    .set({ state, closedAt: now })
    .where('id', '=', entryId)
    .where('state', 'in', ['waiting', 'offered'])
    .returningAll()
    .executeTakeFirst()
  if (!closed) return undefined
  if (before.state === 'offered') {
    await releaseHeld(trx, before.eventId, heldByType([before]))
    await offerFreedCapacity(trx, before.eventId, now)
  }
  return before
}

/**
 * The purchase's side of a claim: the offer is used up by this order if it is
 * still open and unexpired, in one conditional UPDATE, so that of two claims
 * at once one alone gets it. The caller moves its tickets from held to sold.
 */
export async function consumeOffer(trx: Trx, entryId: number, orderId: number, now: number): Promise<boolean> {
  const claimed = await trx
    .updateTable('waitingListEntries')
    .set({ state: 'claimed', orderId, closedAt: now })
    .where('id', '=', entryId)
    .where('state', '=', 'offered')
    .where('offerExpiresAt', '>', now)
    .executeTakeFirst()
  return Number(claimed.numUpdatedRows) === 1
}

/** The entry an offer's token names, whatever became of it since. */
export async function findOfferByToken(db: Db | Trx, token: string): Promise<EntryWithEvent | undefined> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined
  return entryQuery(db).where('waitingListEntries.offerTokenHash', '=', tokenHash(token)).executeTakeFirst()
}

export function entryQuery(db: Db | Trx) {
  return db
    .selectFrom('waitingListEntries')
    .innerJoin('events', 'events.id', 'waitingListEntries.eventId')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'waitingListEntries.ticketTypeId')
    .selectAll('waitingListEntries')
    .select(['events.title as eventTitle', 'events.timeZone', 'ticketTypes.name as ticketTypeName'])
}

/** Why an offer cannot be claimed: used, run out, or given up; 'offer-closed' when its entry is gone. */
export type OfferRefusal = { code: 'offer-used' } | { code: 'offer-expired' } | { code: 'offer-given-up' } | { code: 'offer-closed' }

/** Why an offer cannot be claimed now, or null when it can. */
export function offerRefusal(entry: Pick<WaitingListEntryRow, 'state' | 'offerExpiresAt'>, now = Date.now()): OfferRefusal | null {
  if (entry.state === 'claimed') return { code: 'offer-used' }
  if (entry.state === 'offered' && entry.offerExpiresAt !== null && entry.offerExpiresAt > now) return null
  if (entry.state === 'offered' || entry.state === 'expired') return { code: 'offer-expired' }
  return { code: 'offer-given-up' }
}

/** The words for an offer that cannot be claimed. */
export function offerRefusalText(t: Translate, reason: OfferRefusal): string {
  return t(OFFER_REFUSAL_WORDS[reason.code])
}

const OFFER_REFUSAL_WORDS: Record<OfferRefusal['code'], MessageKey> = {
  'offer-used': 'refusal.offer.used',
  'offer-expired': 'refusal.offer.expired',
  'offer-given-up': 'refusal.offer.givenUp',
  'offer-closed': 'refusal.offer.closed',
}

/** Whether an offer of this event ran out by `now` and is still open: one indexed read. */
export async function hasExpiredOffers(db: Db, eventId: number, now: number): Promise<boolean> {
  const due = await db
    .selectFrom('waitingListEntries')
    .select('id')
    .where('eventId', '=', eventId)
    .where('state', '=', 'offered')
    .where('offerExpiresAt', '<=', now)
    .limit(1)
    .executeTakeFirst()
  return due !== undefined
}

/** The events with an offer that ran out by `now` and is still open. */
export async function eventsWithExpiredOffers(db: Db, now: number): Promise<number[]> {
  const events = await db
    .selectFrom('waitingListEntries')
    .select('eventId')
    .distinct()
    .where('state', '=', 'offered')
    .where('offerExpiresAt', '<=', now)
    .execute()
  return events.map((event) => event.eventId)
}
