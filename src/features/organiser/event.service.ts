import type { Db, Trx } from '../../db/database.js'
import type { TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import type { Message } from '../../i18n/translate.js'
import { Conflict, NotFound } from '../../lib/errors.js'
import { searchText } from '../../lib/search.js'
import { atSameWallTime } from '../../lib/time.js'
import type { AfterCommit } from '../../plugins/after-commit.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { isPublic, salesWithinEvent, sameTicketTypeName } from '../events/event.rules.js'
import type { EventInput, TicketTypeInput } from './event.form.js'
import { type TicketTypeWithEvent, lockEvent } from '../events/event.repository.js'
import { countOrders, countTicketsOfType } from '../purchase/order.repository.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { offerFreedCapacity } from '../offers/offers.js'
import { releaseOrders, transitionOrdersOfEvent } from '../orders/order.writes.js'
import { holdsCapacityCondition } from '../orders/order.states.js'
import { releaseAllHolds } from '../capacity/capacity.js'
import { endCodesOfEvent } from '../codes/code.uses.js'
import { codesNaming } from '../codes/codes.repository.js'
import type { EventRefusal, FieldRefusal } from './event.refusals.js'
import { refundTheRest } from '../payments/refunds.js'

/**
 * What organisers do to their events. Each change is one transaction that
 * also writes the audit entry; the live pages are told only after it commits.
 * Refusals come back as reasons (event.refusals.ts; null when it was done),
 * decided on the state read inside the transaction, never on a page that
 * may be stale by the time the form is sent.
 */
export interface EventsContext {
  db: Db
  afterCommit: AfterCommit
}

export type Refusal = EventRefusal | null

/** Said alike for a type that is gone and for one this user may not manage, which must learn nothing about it. */
export const NO_SUCH_TICKET_TYPE: Message = { key: 'refusal.event.noSuchTicketType' }

function audit(trx: Trx, actor: Actor, action: string, subject: { type: string; id: number }, details: Record<string, unknown> = {}) {
  return recordAudit(trx, { ...auditBy(actor), action, subjectType: subject.type, subjectId: subject.id, details })
}

/**
 * Runs `change`; when it was not refused (null) and has committed, tells the
 * live pages about the event, and wakes the mail sender when the change may
 * have written messages (to ticket holders, to people offered tickets).
 */
async function changeEvent<R>(
  ctx: EventsContext,
  eventId: number,
  change: (trx: Trx) => Promise<R | null>,
  effects: { mailQueued?: boolean } = {},
): Promise<R | null> {
  const refusal = await ctx.db.transaction().execute(change)
  if (refusal === null) ctx.afterCommit({ eventChanged: eventId, ...effects })
  return refusal
}

export async function createEvent(ctx: EventsContext, actor: Actor, input: EventInput): Promise<number> {
  const ownerId = actor.userId
  if (ownerId === null) throw new Error('an event is created by an organiser’s account')
  return ctx.db.transaction().execute(async (trx) => {
    const now = Date.now()
    const { id } = await trx
      .insertInto('events')
      .values({
        ...eventColumns(input),
        searchText: eventSearchText(input),
        ownerId,
        status: 'draft',
        publishedAt: null,
        cancelledAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit(trx, actor, 'event.created', { type: 'event', id }, { title: input.title })
    return id
  })
}

/**
 * Refused when the overall capacity would go below what is already sold or
 * held for the waiting list (the guard is in the UPDATE itself), when a new
 * time zone would move a scheduled publication to or after the new end, and
 * when a new end would come before a ticket type's sales end (or start) that
 * came before the old one. Every refusal is decided before anything is
 * written. A capacity raised (or the waiting list turned on) is offered to
 * the people waiting, in the same transaction.
 *
 * One rule for every date of the event: the form reads the start and the end
 * in the new time zone as typed, and a new time zone keeps the wall time of
 * every other date typed in the old one (atSameWallTime): each type's sales
 * start and end, and a scheduled publication. A publication that has passed
 * is not typed wall time but when the event went public, and stays.
 *
 * When the start, the end or the venue changed and the organiser asked for
 * it, the buyer of each paid order is told by mail, in the same transaction:
 * the message (composed when it is sent) gives the new details and the old.
 */
export async function updateEvent(
  ctx: EventsContext,
  actor: Actor,
  event: Event,
  input: EventInput,
  siteUrl: string,
): Promise<FieldRefusal<'capacity' | 'endsAt'> | null> {
  return changeEvent(
    ctx,
    event.id,
    async (trx) => {
      // The dates a new time zone moves are the event's as they are now, read under its lock, not as the form saw them.
      const current = await lockEvent(trx, event.id)
      if (!current) throw new NotFound()
      const now = Date.now()
      const keptWallTime = (ms: number) => atSameWallTime(ms, current.timeZone, input.timeZone)
      const scheduled = current.status === 'published' && current.publishedAt !== null && current.publishedAt > now
      const publishedAt = scheduled ? keptWallTime(current.publishedAt!) : current.publishedAt
      if (scheduled && publishedAt! >= input.endsAt) {
        return { field: 'endsAt', reason: { code: 'on-sale-after-end' } }
      }
      const types = await trx
        .selectFrom('ticketTypes')
        .select(['id', 'name', 'salesStartAt', 'salesEndAt'])
        .where('eventId', '=', event.id)
        .orderBy('id')
        .execute()
      const moved = types.map((type) => ({
        ...type,
        salesStartAt: type.salesStartAt === null ? null : keptWallTime(type.salesStartAt),
        salesEndAt: type.salesEndAt === null ? null : keptWallTime(type.salesEndAt),
      }))
      // Sales that fitted the old end must fit the new one; a window that never fitted is the type form's to correct.
      const cutOff = moved.find((type, i) => !salesWithinEvent(type, input.endsAt) && salesWithinEvent(types[i]!, current.endsAt))
      if (cutOff) {
        const endsLate = cutOff.salesEndAt !== null && cutOff.salesEndAt > input.endsAt
        return {
          field: 'endsAt',
          reason: {
            code: 'sales-cut-off',
            ticketType: cutOff.name,
            salesStartAt: cutOff.salesStartAt,
            salesEndAt: endsLate ? cutOff.salesEndAt : null,
            timeZone: input.timeZone,
          },
        }
      }
      const capacity = input.capacity
      const updated = await trx
        .updateTable('events')
        .set({ ...eventColumns(input), searchText: eventSearchText(input), publishedAt, updatedAt: now })
        .where('id', '=', event.id)
        .$if(capacity !== null, (qb) => qb.where((eb) => eb(eb('sold', '+', eb.ref('held')), '<=', capacity!)))
        .returning('id')
        .executeTakeFirst()
      if (!updated) {
        const { sold, held } = await trx.selectFrom('events').select(['sold', 'held']).where('id', '=', event.id).executeTakeFirstOrThrow()
        return { field: 'capacity', reason: { code: 'capacity-below-taken', of: 'event', sold, held } }
      }
      let datesMoved = Number(publishedAt !== current.publishedAt)
      for (const [i, type] of moved.entries()) {
        const before = types[i]!
        if (type.salesStartAt === before.salesStartAt && type.salesEndAt === before.salesEndAt) continue
        datesMoved += Number(type.salesStartAt !== before.salesStartAt) + Number(type.salesEndAt !== before.salesEndAt)
        await trx
          .updateTable('ticketTypes')
          .set({ salesStartAt: type.salesStartAt, salesEndAt: type.salesEndAt })
          .where('id', '=', type.id)
          .execute()
      }
      // With the sales dates where they now are.
      await offerFreedCapacity(trx, event.id, now)
      const told = input.notifyTicketHolders && movesTheEvent(input, current) ? await tellTicketHolders(trx, current, siteUrl) : 0
      await audit(
        trx,
        actor,
        'event.updated',
        { type: 'event', id: event.id },
        {
          // Compared as the features see the event (booleans), not as the row stores it.
          changed: changes(
            {
              ...eventColumns(input),
              allowBuyerCancellation: input.allowBuyerCancellation,
              waitingList: input.waitingList,
              staffMaySell: input.staffMaySell,
              deskIgnoresSalesWindows: input.deskIgnoresSalesWindows,
            },
            current,
          ),
          ...(datesMoved > 0 && { datesKeptInNewTimeZone: datesMoved }),
          ...(told > 0 && { ticketHoldersTold: told }),
        },
      )
      return null
    },
    { mailQueued: true },
  )
}

/** What ticket holders are told of: a change of the event's date, time or venue. */
export function movesTheEvent(input: EventInput, current: Event): boolean {
  return input.startsAt !== current.startsAt || input.endsAt !== current.endsAt || input.venue !== current.venue
}

/** A message to the buyer of each order of the event that holds tickets, with when and where it was to be; returns how many. */
async function tellTicketHolders(trx: Trx, was: Event, siteUrl: string): Promise<number> {
  const paid = await trx
    .selectFrom('orders')
    .select(['id', 'buyerEmail', 'locale'])
    .where('eventId', '=', was.id)
    .where(holdsCapacityCondition)
    .execute()
  const before = { startsAt: was.startsAt, endsAt: was.endsAt, timeZone: was.timeZone, venue: was.venue }
  await enqueueMail(
    trx,
    paid.map((order) => ({
      kind: 'event-changed',
      to: order.buyerEmail,
      locale: order.locale,
      data: { orderId: order.id, siteUrl, was: before },
    })),
  )
  return paid.length
}

function eventColumns(input: EventInput) {
  return {
    title: input.title,
    description: input.description,
    venue: input.venue,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    timeZone: input.timeZone,
    imageUrl: input.imageUrl,
    capacity: input.capacity,
    maxTicketsPerBuyer: input.maxTicketsPerBuyer,
    maxOrdersPerBuyer: input.maxOrdersPerBuyer,
    allowBuyerCancellation: input.allowBuyerCancellation ? 1 : 0,
    waitingList: input.waitingList ? 1 : 0,
    offerHours: input.offerHours,
    paymentMethods: input.paymentMethods.join(','),
    cardHoldMinutes: input.cardHoldMinutes,
    transferDays: input.transferDays,
    bankDetails: input.bankDetails,
    staffMaySell: input.staffMaySell ? 1 : 0,
    deskIgnoresSalesWindows: input.deskIgnoresSalesWindows ? 1 : 0,
  }
}

/** Kept apart from eventColumns, which the audit compares with the event as it was: the folded text is no change of its own. */
function eventSearchText(input: EventInput): string {
  return searchText(input.title, input.venue, input.description)
}

/** Each changed column with its old and new value, for the audit log. */
function changes(next: object, previous: object): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {}
  for (const [key, value] of Object.entries(next)) {
    const old = (previous as Record<string, unknown>)[key]
    if (old !== value) changed[key] = { from: old, to: value }
  }
  return changed
}

/**
 * Publishes now (`publishedAt` is now) or schedules (`publishedAt` in the
 * future): the event becomes public when that moment passes, with nothing to
 * run then. An event that is already public cannot be pushed back into the future.
 */
export async function publishEvent(ctx: EventsContext, actor: Actor, eventId: number, publishedAt: number): Promise<Refusal> {
  return changeEvent(ctx, eventId, async (trx) => {
    const now = Date.now()
    const event = await lockEvent(trx, eventId)
    if (!event) throw new NotFound()
    if (event.status === 'cancelled') return { code: 'publish-cancelled' }
    if (isPublic(event, now)) return { code: 'already-public' }
    // The form was checked against the event as read before this transaction; an edit may have moved its end since.
    if (publishedAt >= event.endsAt) return { code: 'ends-before-publication' }
    const types = await trx.selectFrom('ticketTypes').select('id').where('eventId', '=', eventId).execute()
    if (types.length === 0) return { code: 'no-ticket-types' }
    await trx.updateTable('events').set({ status: 'published', publishedAt, updatedAt: now }).where('id', '=', eventId).execute()
    const scheduled = publishedAt > now
    await audit(trx, actor, scheduled ? 'event.scheduled' : 'event.published', { type: 'event', id: eventId }, { publishedAt })
    return null
  })
}

/** Back to a draft: hidden from the public, its orders kept. */
export async function unpublishEvent(ctx: EventsContext, actor: Actor, eventId: number): Promise<Refusal> {
  return changeEvent(ctx, eventId, async (trx) => {
    const event = await lockEvent(trx, eventId)
    if (!event) throw new NotFound()
    if (event.status !== 'published') return { code: 'not-published' }
    const now = Date.now()
    // Remembered for a later cancellation, which keeps the page of an event that people have seen.
    const wasPublic = event.wasPublic || isPublic(event, now)
    await trx
      .updateTable('events')
      .set({ status: 'draft', publishedAt: null, wasPublic: wasPublic ? 1 : 0, updatedAt: now })
      .where('id', '=', eventId)
      .execute()
    await audit(trx, actor, 'event.unpublished', { type: 'event', id: eventId }, { publishedAt: event.publishedAt })
    return null
  })
}

/**
 * Cancels the event and every paid order of it, at once, and tells each buyer by e-mail. Like a buyer's
 * cancellation, the tickets are given back, so the counters keep meaning
 * "tickets in paid orders". An event that is or was public (unpublished
 * since) is public with its notice; one that never was stays private.
 */
export async function cancelEvent(ctx: EventsContext, actor: Actor, eventId: number, siteUrl: string): Promise<Refusal> {
  return changeEvent(
    ctx,
    eventId,
    async (trx) => {
      const now = Date.now()
      const event = await lockEvent(trx, eventId)
      if (!event) throw new NotFound()
      if (event.status === 'cancelled') return { code: 'already-cancelled' }
      await trx
        .updateTable('events')
        .set({
          status: 'cancelled',
          cancelledAt: now,
          updatedAt: now,
          publishedAt: isPublic(event, now) ? event.publishedAt : null,
          wasPublic: event.wasPublic || isPublic(event, now) ? 1 : 0,
        })
        .where('id', '=', eventId)
        .execute()
      // Under the event's lock no order can be placed or cancelled meanwhile: each order is cancelled as one the buyer cancels is.
      const cancelled = await transitionOrdersOfEvent(trx, eventId, 'cancelled', now)
      await releaseOrders(
        trx,
        eventId,
        cancelled.map((order) => order.id),
      )
      // Everything paid goes back, each refund with its own key, sent by the outbox after the commit.
      await refundEveryPaidOrder(
        trx,
        cancelled.map((order) => order.id),
        actor,
      )
      await enqueueMail(
        trx,
        cancelled.map((order) => ({
          kind: 'event-cancelled',
          to: order.buyerEmail,
          locale: order.locale,
          data: { orderId: order.id, siteUrl },
        })),
      )
      await releaseAllHolds(trx, eventId)
      await endCodesOfEvent(trx, eventId)
      // Nothing will be sold: the waiting list ends, and its offers' holds with the counters above; each person is told.
      const closed = await trx
        .updateTable('waitingListEntries')
        .set({ state: 'removed', closedAt: now })
        .where('eventId', '=', eventId)
        .where('state', 'in', ['waiting', 'offered'])
        .returning(['email', 'name', 'ticketTypeId', 'siteUrl', 'locale'])
        .execute()
      const typeNames = new Map(
        (await trx.selectFrom('ticketTypes').select(['id', 'name']).where('eventId', '=', eventId).execute()).map((type) => [
          type.id,
          type.name,
        ]),
      )
      await enqueueMail(
        trx,
        closed.map((entry) => ({
          kind: 'waiting-list-event-cancelled',
          to: entry.email,
          locale: entry.locale,
          data: {
            name: entry.name,
            eventTitle: event.title,
            ticketTypeName: typeNames.get(entry.ticketTypeId) ?? '',
            eventLink: `${entry.siteUrl}/event/${eventId}`,
          },
        })),
      )
      await audit(
        trx,
        actor,
        'event.cancelled',
        { type: 'event', id: eventId },
        {
          ordersCancelled: cancelled.length,
          ...(closed.length > 0 && { waitingListClosed: closed.length }),
        },
      )
      return null
    },
    { mailQueued: true },
  )
}

/** Only an event nobody ordered from: for the others, cancelling keeps the buyers' records. */
export async function deleteEvent(ctx: EventsContext, actor: Actor, eventId: number): Promise<Refusal> {
  return changeEvent(ctx, eventId, async (trx) => {
    const event = await lockEvent(trx, eventId)
    if (!event) throw new NotFound()
    const orders = await countOrders(trx, eventId)
    if (orders > 0) {
      return { code: 'has-orders', orders }
    }
    await trx.deleteFrom('events').where('id', '=', eventId).execute()
    await audit(trx, actor, 'event.deleted', { type: 'event', id: eventId }, { title: event.title })
    return null
  })
}

/**
 * A cancelled event's ticket types stay as they were when it was cancelled;
 * its page offers no form to change them. The routes ask too, so that a form
 * is never shown or checked for a cancelled event, but the answer that counts
 * is the one read under the event's lock (lockEventOfTicketTypes).
 */
export function refuseIfCancelled(event: Event): void {
  if (event.status === 'cancelled') throw new Conflict({ key: 'refusal.event.typesOfCancelledEvent' })
}

/**
 * What every change to ticket types does first. The event's lock comes before
 * any ticket type's, as in a purchase, so the two cannot deadlock on
 * PostgreSQL; and the cancellation that counts is the one committed by then,
 * not the one the route saw.
 */
async function lockEventOfTicketTypes(trx: Trx, eventId: number): Promise<Event> {
  const event = await lockEvent(trx, eventId)
  if (!event) throw new NotFound()
  refuseIfCancelled(event)
  return event
}

/**
 * Two types of one event may not share a name, whatever its case: a buyer
 * could not tell them apart, nor could a seat map's categories, which name
 * types that way. Read under the event's lock, so two forms sent at once
 * cannot both take a name.
 */
async function refuseNameTaken(trx: Trx, eventId: number, name: string, typeId?: number): Promise<FieldRefusal<'name'> | null> {
  const others = await trx
    .selectFrom('ticketTypes')
    .select('name')
    .where('eventId', '=', eventId)
    .$if(typeId !== undefined, (qb) => qb.where('id', '!=', typeId!))
    .execute()
  const same = others.find((other) => sameTicketTypeName(other.name, name))
  return same ? { field: 'name', reason: { code: 'name-taken', name: same.name } } : null
}

export async function createTicketType(
  ctx: EventsContext,
  actor: Actor,
  eventId: number,
  input: TicketTypeInput,
): Promise<FieldRefusal<'name'> | null> {
  return changeEvent(ctx, eventId, async (trx) => {
    await lockEventOfTicketTypes(trx, eventId)
    const taken = await refuseNameTaken(trx, eventId, input.name)
    if (taken) return taken
    const { id } = await trx
      .insertInto('ticketTypes')
      .values({ ...input, eventId, createdAt: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit(trx, actor, 'ticket_type.created', { type: 'ticket_type', id }, { eventId, name: input.name, capacity: input.capacity })
    return null
  })
}

/**
 * The capacity guard is in the UPDATE (`sold + held <= new capacity`), so a
 * purchase or an offer committing between the page and this request cannot
 * end up above capacity. A raised capacity is offered to the waiting list.
 */
export async function updateTicketType(
  ctx: EventsContext,
  actor: Actor,
  found: TicketTypeWithEvent,
  input: TicketTypeInput,
): Promise<FieldRefusal<'name' | 'capacity'> | null> {
  const { type, event } = found
  return changeEvent(
    ctx,
    event.id,
    async (trx) => {
      await lockEventOfTicketTypes(trx, event.id)
      const taken = await refuseNameTaken(trx, event.id, input.name, type.id)
      if (taken) return taken
      const updated = await trx
        .updateTable('ticketTypes')
        .set(input)
        .where('id', '=', type.id)
        .where((eb) => eb(eb('sold', '+', eb.ref('held')), '<=', input.capacity))
        .returning('id')
        .executeTakeFirst()
      if (!updated) {
        const current = await trx.selectFrom('ticketTypes').select(['sold', 'held']).where('id', '=', type.id).executeTakeFirst()
        // Deleted after the route found it: there is nothing left to save the form into.
        if (!current) throw new NotFound(NO_SUCH_TICKET_TYPE)
        return { field: 'capacity', reason: { code: 'capacity-below-taken', of: 'ticket-type', sold: current.sold, held: current.held } }
      }
      await offerFreedCapacity(trx, event.id, Date.now())
      await audit(
        trx,
        actor,
        'ticket_type.updated',
        { type: 'ticket_type', id: type.id },
        { eventId: event.id, changed: changes(input, type) },
      )
      return null
    },
    { mailQueued: true },
  )
}

/**
 * Why a type cannot be deleted, or null: once anyone has ordered it (their
 * tickets point at it), and when it is the last type of a published event.
 * The confirmation page asks it to say so up front; the answer that counts is
 * the one read under the event's lock (deleteTicketType).
 */
export async function ticketTypeDeletionRefusal(
  db: Db | Trx,
  type: Pick<TicketTypeRow, 'id' | 'eventId' | 'name'>,
  event: Pick<Event, 'status'>,
): Promise<Refusal> {
  const ordered = await countTicketsOfType(db, type.id)
  if (ordered > 0) {
    return { code: 'type-ordered', ticketType: type.name, tickets: ordered }
  }
  // A code for it would point at nothing, and a reserved one keeps its tickets aside.
  const codes = await codesNaming(db, type.eventId, type.id)
  if (codes.length > 0) return { code: 'type-has-codes', ticketType: type.name, codes: codes.slice(0, 5) }
  const others = await db.selectFrom('ticketTypes').select('id').where('eventId', '=', type.eventId).where('id', '!=', type.id).execute()
  if (others.length === 0 && event.status === 'published') {
    return { code: 'last-ticket-type' }
  }
  return null
}

export async function deleteTicketType(ctx: EventsContext, actor: Actor, found: TicketTypeWithEvent): Promise<Refusal> {
  const { type } = found
  return changeEvent(ctx, type.eventId, async (trx) => {
    const event = await lockEventOfTicketTypes(trx, type.eventId)
    // Deleting takes the event's lock too, so a delete that got there first has committed by now.
    const current = await trx.selectFrom('ticketTypes').select('id').where('id', '=', type.id).executeTakeFirst()
    if (!current) throw new NotFound(NO_SUCH_TICKET_TYPE)
    const refusal = await ticketTypeDeletionRefusal(trx, type, event)
    if (refusal) return refusal
    await trx.deleteFrom('ticketTypes').where('id', '=', type.id).execute()
    await audit(trx, actor, 'ticket_type.deleted', { type: 'ticket_type', id: type.id }, { eventId: type.eventId, name: type.name })
    return null
  })
}

/** What is left to refund of each of these orders, refunded in full (orders at the door or unpaid have nothing to refund). */
async function refundEveryPaidOrder(trx: Trx, orderIds: number[], actor: Actor): Promise<void> {
  // In slices: an event may have more orders than one statement may name (SQLite binds at most 32,766 values).
  for (let start = 0; start < orderIds.length; start += 1000) {
    const paid = await trx
      .selectFrom('payments')
      .select('orderId')
      .distinct()
      .where('orderId', 'in', orderIds.slice(start, start + 1000))
      .where('state', '=', 'paid')
      .execute()
    // Refunded in full already (by hand, or in Stripe's dashboard): nothing left to give back, and nothing refused.
    for (const { orderId } of paid) await refundTheRest(trx, orderId, { reason: 'organiser', actor })
  }
}
