import { sql } from 'kysely'
import type { Db, Trx } from '../../db/database.js'
import type { CheckInAudience, HolderMessageRow } from '../../db/schema.js'
import { TICKET_WAS_USED, holdsCapacityCondition } from '../orders/order.states.js'

/** Whom a message goes to: the holders of tickets of these types (null: of every type), let in at the door or not yet, or either. */
export interface Audience {
  ticketTypeIds: number[] | null
  checkIn: CheckInAudience
}

/** An order a message goes to, and what its mail needs to be addressed. */
export interface Recipient {
  orderId: number
  email: string
  locale: string
  buyerName: string
  code: string
}

/**
 * The orders a message to ticket holders goes to, one each (not one per
 * address: each mail carries its own order's link). Ticket holders are the
 * orders that hold tickets, as capacity counts them: paid, and placed and
 * not paid yet (a reservation to pay at the door, a transfer or a card
 * payment still to come), never a cancelled or lapsed one. An order is in
 * the audience when one of its tickets is of a chosen type and, as asked,
 * was let in at the door (and not undone) or was not. An order sold at the
 * box office to someone who gave no address has nobody to write to.
 */
export async function audienceOf(db: Db | Trx, eventId: number, audience: Audience): Promise<Recipient[]> {
  const { ticketTypeIds, checkIn } = audience
  return db
    .selectFrom('orders')
    .select(['orders.id as orderId', 'orders.buyerEmail as email', 'orders.locale', 'orders.buyerName', 'orders.code'])
    .where('orders.eventId', '=', eventId)
    .where(holdsCapacityCondition)
    .where('orders.buyerEmail', '!=', '')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('tickets')
          .select('tickets.id')
          .whereRef('tickets.orderId', '=', 'orders.id')
          .$if(ticketTypeIds !== null, (qb) => qb.where('tickets.ticketTypeId', 'in', ticketTypeIds!))
          .$if(checkIn === 'in', (qb) => qb.where(TICKET_WAS_USED))
          .$if(checkIn === 'out', (qb) => qb.where(sql<boolean>`not ${TICKET_WAS_USED}`)),
      ),
    )
    .orderBy('orders.id')
    .execute()
}

export async function findHolderMessage(db: Db, id: number): Promise<HolderMessageRow | undefined> {
  return db.selectFrom('holderMessages').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The message the form with this key sent, if it was sent. */
export async function messageOfFormKey(trx: Trx, eventId: number, formKey: string): Promise<HolderMessageRow | undefined> {
  return trx.selectFrom('holderMessages').selectAll().where('eventId', '=', eventId).where('formKey', '=', formKey).executeTakeFirst()
}

/** When the event's messages since `since` were sent, oldest first. */
export async function sentSince(trx: Trx, eventId: number, since: number): Promise<number[]> {
  const rows = await trx
    .selectFrom('holderMessages')
    .select('createdAt')
    .where('eventId', '=', eventId)
    .where('createdAt', '>', since)
    .orderBy('createdAt')
    .execute()
  return rows.map((row) => row.createdAt)
}

/** A sent message, and how far its mails have gone: sent, and given up (an order cancelled before its mail went, an address refused). */
export interface MessageWithProgress extends HolderMessageRow {
  sent: number
  failed: number
}

/** The event's messages, newest first, each with how many of its mails have gone. */
export async function messagesOfEvent(db: Db, eventId: number): Promise<MessageWithProgress[]> {
  const messages = await db.selectFrom('holderMessages').selectAll().where('eventId', '=', eventId).orderBy('id', 'desc').execute()
  if (messages.length === 0) return []
  const counts = await db
    .selectFrom('holderMessageRecipients as recipient')
    .innerJoin('outbox', 'outbox.id', 'recipient.outboxId')
    .select(['recipient.messageId', 'outbox.state', (eb) => eb.fn.countAll<number>().as('count')])
    .where(
      'recipient.messageId',
      'in',
      messages.map((message) => message.id),
    )
    .where('outbox.state', 'in', ['sent', 'failed'])
    .groupBy(['recipient.messageId', 'outbox.state'])
    .execute()
  const countOf = (messageId: number, state: string) =>
    Number(counts.find((row) => row.messageId === messageId && row.state === state)?.count ?? 0)
  return messages.map((message) => ({ ...message, sent: countOf(message.id, 'sent'), failed: countOf(message.id, 'failed') }))
}
