import type { Db } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { lockEvent } from '../events/event.repository.js'
import { enqueueMailWithIds } from '../outbox/outbox.repository.js'
import { type Audience, audienceOf, messageOfFormKey, sentSince } from './holder-message.repository.js'

/**
 * At most this many messages to an event's ticket holders in any hour. A
 * message goes to everyone at once, so a mistake (a wrong word, the form
 * sent again and again, a script gone wrong) lands in every inbox; three
 * leaves room for the message and a correction or two, and no more.
 */
export const MESSAGES_PER_EVENT_PER_HOUR = 3
const HOUR_MS = 60 * 60 * 1000
/** Recipient rows per INSERT: three columns each, far below SQLite's bound variables. */
const RECIPIENTS_PER_INSERT = 1000

export interface HolderMessageInput {
  subject: string
  body: string
  audience: Audience
}

export type SendOutcome =
  | { kind: 'sent'; messageId: number; recipients: number }
  /** This form was sent before (a double click, the page sent again): that message stands, and nothing more is sent. */
  | { kind: 'already-sent'; messageId: number; recipients: number; sentAt: number }
  | { kind: 'no-recipients' }
  /** The hourly limit is reached; the next message may go at `nextAt`. */
  | { kind: 'limit-reached'; limit: number; nextAt: number }

/**
 * Sends a message to the event's ticket holders: one transaction writes the
 * message, one outbox message per order of its audience (each composed and
 * mailed by the outbox's sender, at least once, after the commit) and a row
 * per order naming its outbox message, and audits it, so that a crash leaves
 * all of it or none. The event's lock makes the same form sent twice at once
 * find the first message, and two messages sent at once count against the
 * hourly limit one after the other.
 */
export async function sendHolderMessage(
  db: Db,
  actor: Actor,
  eventId: number,
  message: HolderMessageInput & { formKey: string; siteUrl: string },
  now = Date.now(),
): Promise<SendOutcome> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockEvent(trx, eventId))) throw new NotFound()
    const earlier = await messageOfFormKey(trx, eventId, message.formKey)
    if (earlier) return { kind: 'already-sent', messageId: earlier.id, recipients: earlier.recipients, sentAt: earlier.createdAt }
    const lastHour = await sentSince(trx, eventId, now - HOUR_MS)
    if (lastHour.length >= MESSAGES_PER_EVENT_PER_HOUR) {
      // The hour of the message that must drop out of the window first.
      const nextAt = lastHour[lastHour.length - MESSAGES_PER_EVENT_PER_HOUR]! + HOUR_MS
      return { kind: 'limit-reached', limit: MESSAGES_PER_EVENT_PER_HOUR, nextAt }
    }
    const recipients = await audienceOf(trx, eventId, message.audience)
    if (recipients.length === 0) return { kind: 'no-recipients' }
    const { ticketTypeIds, checkIn } = message.audience
    const { id: messageId } = await trx
      .insertInto('holderMessages')
      .values({
        eventId,
        subject: message.subject,
        body: message.body,
        ticketTypeIds: ticketTypeIds === null ? '' : ticketTypeIds.join(','),
        checkIn,
        recipients: recipients.length,
        formKey: message.formKey,
        sentBy: actor.userId,
        sentByLabel: actor.label,
        createdAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const outboxIds = await enqueueMailWithIds(
      trx,
      recipients.map((recipient) => ({
        kind: 'holder-message' as const,
        to: recipient.email,
        locale: recipient.locale,
        data: { messageId, orderId: recipient.orderId, siteUrl: message.siteUrl },
      })),
    )
    const rows = recipients.map((recipient, i) => ({ messageId, orderId: recipient.orderId, outboxId: outboxIds[i]! }))
    for (let start = 0; start < rows.length; start += RECIPIENTS_PER_INSERT) {
      await trx
        .insertInto('holderMessageRecipients')
        .values(rows.slice(start, start + RECIPIENTS_PER_INSERT))
        .execute()
    }
    await recordAudit(trx, {
      ...auditBy(actor),
      action: 'holder_message.sent',
      subjectType: 'event',
      subjectId: eventId,
      details: { messageId, subject: message.subject, recipients: recipients.length, ticketTypeIds, checkIn },
    })
    return { kind: 'sent', messageId, recipients: recipients.length }
  })
}
