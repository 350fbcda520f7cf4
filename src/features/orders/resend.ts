/**
 * The organiser sends an order's mail again, as pretix's "resend the order
 * link" does: the mail the buyer holds for the order as it is now (its
 * confirmation with the tickets, or how to pay it while a card payment or a
 * transfer is awaited), composed afresh when it is sent, optionally to a
 * corrected address, which the order then keeps. An order that holds no
 * tickets (lapsed, cancelled) has nothing to send again.
 */
import type { Db } from '../../db/database.js'
import type { OrderRow, OrderStatus } from '../../db/schema.js'
import { NotFound } from '../../lib/errors.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { recordAudit } from '../audit/audit.repository.js'
import { enqueueMail } from '../outbox/outbox.repository.js'
import { awaitsPayment, holdsCapacity } from './order.states.js'
import { changeBuyerEmail, lockOrder } from './order.writes.js'

/**
 * At most this many mails of one order sent again in any hour. A mistake (the
 * button pressed again and again, a page sent again, a script gone wrong)
 * lands in one buyer's inbox each time; five leaves room for a corrected
 * address or two and a buyer who lost the mail, and no more.
 */
export const RESENDS_PER_ORDER_PER_HOUR = 5
const HOUR_MS = 60 * 60 * 1000
const RESENT = 'order.mail_resent'

/** The mails an order's buyer may be sent again. */
export type OrderMailKind = 'order-confirmation' | 'order-awaiting-payment'

/**
 * The mail the order's buyer holds as the order stands now, as the purchase
 * chose it when it was placed: how to pay while a payment with a deadline (a
 * card, a transfer) is awaited, else the confirmation with the tickets (paid,
 * or to pay at the door). None for an order that holds no tickets.
 */
export function currentMailOf(order: Pick<OrderRow, 'status' | 'paymentDeadline'>): OrderMailKind | null {
  if (!holdsCapacity(order.status)) return null
  return awaitsPayment(order.status) && order.paymentDeadline !== null ? 'order-awaiting-payment' : 'order-confirmation'
}

export type ResendOutcome =
  | { kind: 'sent'; mail: OrderMailKind; to: string; emailChanged: boolean }
  /** Lapsed or cancelled: no tickets, no mail to send again. */
  | { kind: 'nothing-to-send'; status: OrderStatus }
  /** The hourly limit is reached; the mail may go again at `nextAt`. */
  | { kind: 'limit-reached'; limit: number; nextAt: number }

/**
 * Queues the order's mail again, to `to` (the buyer's address corrected,
 * lower-cased as orders keep them) or, when null, to the address it has; in
 * one transaction with the address's change and the audit entries. The order
 * row's lock makes resends at the same moment count against the hourly limit
 * one after the other.
 */
export async function resendOrderMail(
  db: Db,
  orderId: number,
  how: { actor: Actor; siteUrl: string; to: string | null },
  now = Date.now(),
): Promise<ResendOutcome> {
  return db.transaction().execute(async (trx) => {
    const status = await lockOrder(trx, orderId)
    if (status === undefined) throw new NotFound()
    const order = await trx
      .selectFrom('orders')
      .select(['code', 'buyerEmail', 'locale', 'paymentDeadline'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow()
    const mail = currentMailOf({ status, paymentDeadline: order.paymentDeadline })
    if (mail === null) return { kind: 'nothing-to-send', status }
    const lastHour = await trx
      .selectFrom('auditLog')
      .select('at')
      .where('subjectType', '=', 'order')
      .where('subjectId', '=', orderId)
      .where('action', '=', RESENT)
      .where('at', '>', now - HOUR_MS)
      .orderBy('at')
      .execute()
    if (lastHour.length >= RESENDS_PER_ORDER_PER_HOUR) {
      // The moment the resend that must drop out of the window first does.
      const nextAt = lastHour[lastHour.length - RESENDS_PER_ORDER_PER_HOUR]!.at + HOUR_MS
      return { kind: 'limit-reached', limit: RESENDS_PER_ORDER_PER_HOUR, nextAt }
    }
    const to = how.to ?? order.buyerEmail
    const emailChanged = to !== order.buyerEmail
    const subject = { ...auditBy(how.actor), subjectType: 'order', subjectId: orderId }
    if (emailChanged) {
      await changeBuyerEmail(trx, orderId, to)
      await recordAudit(trx, {
        ...subject,
        action: 'order.buyer_email_changed',
        details: { code: order.code, before: { buyerEmail: order.buyerEmail }, after: { buyerEmail: to } },
      })
    }
    await enqueueMail(trx, { kind: mail, to, locale: order.locale, data: { orderId, siteUrl: how.siteUrl } })
    await recordAudit(trx, { ...subject, action: RESENT, details: { code: order.code, mail, to } })
    return { kind: 'sent', mail, to, emailChanged }
  })
}
