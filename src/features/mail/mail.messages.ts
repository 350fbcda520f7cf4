import { Eta } from 'eta'
import path from 'node:path'
import type { Db } from '../../db/database.js'
import type { OutboxRow } from '../../db/schema.js'
import { formatDateTime, formatMoney } from '../../lib/format.js'
import { money } from '../../lib/money.js'
import { qrPng } from '../../lib/qr.js'
import { VIEWS_DIR } from '../../lib/paths.js'
import { type Translate, translatorForStored } from '../../i18n/translate.js'
import { staffGrantOf } from '../check-in/door-staff.js'
import { type OrderWithTickets, findOrderById } from '../purchase/order.repository.js'
import { type OrderView, toOrderView } from '../purchase/order.view.js'
import type { SiteSettings } from '../settings/settings.repository.js'
import { calendarFile } from './calendar.js'
import { holdsCapacity } from '../orders/order.states.js'
import { findHolderMessage } from '../holder-messages/holder-message.repository.js'
import { toHolderMessageMail } from '../holder-messages/holder-message.view.js'
import type { EventWhereAndWhen, MailMessage } from '../outbox/outbox.messages.js'

/** What a transport sends: both parts, and any attachments. */
export interface ComposedMail {
  to: string
  /** The site's contact address, where a reply should go (its sending address may take none); null without one. */
  replyTo: string | null
  subject: string
  text: string
  html: string
  attachments: MailAttachment[]
  /** The site's address as the message's links use it (PUBLIC_URL, or the address its cause came to). */
  siteUrl: string
}

/** A file sent with a message; one with a `cid` is an image its HTML shows inline (`<img src="cid:…">`), from the message itself. */
export interface MailAttachment {
  filename: string
  content: string | Buffer
  contentType: string
  cid?: string
}

/** A message that can never be composed (its order is gone, say): retrying would not help. */
export class Uncomposable extends Error {}

/**
 * Composes outbox messages from views/mail/: html/<kind>.eta inside
 * html/layout.eta, escaped like the pages, and text/<kind>.eta, plain.
 */
export class MailComposer {
  private readonly html: Eta
  private readonly text: Eta

  constructor(
    private readonly db: Db,
    production: boolean,
    /** The address the site sends from (MAIL_FROM). */
    private readonly from: string,
  ) {
    this.html = new Eta({ views: path.join(VIEWS_DIR, 'mail', 'html'), cache: production, autoEscape: true })
    // Plain text is not HTML: nothing to escape, and an entity would show as typed.
    // Its line breaks are as written; a line of code alone ends in -%> to leave none.
    this.text = new Eta({ views: path.join(VIEWS_DIR, 'mail', 'text'), cache: production, autoEscape: false, autoTrim: false })
  }

  async compose(row: OutboxRow, site: SiteSettings): Promise<ComposedMail> {
    const message = { kind: row.kind, to: row.recipient, data: JSON.parse(row.data) } as MailMessage
    // Written in the language stored with the message, which no request carries by the time it is sent.
    const t = translatorForStored(row.locale)
    const { subject, model, attachments = [] } = await this.contentOf(message, site, t)
    const it = { ...model, subject, t, locale: row.locale, site: { name: site.siteName, contactEmail: site.contactEmail } }
    return {
      to: row.recipient,
      replyTo: site.contactEmail || null,
      subject,
      text: this.text.render(`./${message.kind}`, it),
      html: this.html.render(`./${message.kind}`, it),
      attachments,
      siteUrl: siteUrlOf(message),
    }
  }

  private async contentOf(
    message: MailMessage,
    site: SiteSettings,
    t: Translate,
  ): Promise<{ subject: string; model: object; attachments?: ComposedMail['attachments'] }> {
    switch (message.kind) {
      case 'order-confirmation': {
        const { order, found } = await this.order(message.data, t)
        const qr = await ticketQrImages(order)
        return {
          subject: t('mail.orderConfirmation.subject', { eventTitle: order.event.title, code: order.code }),
          model: { order, qrCids: qr.cids },
          attachments: [this.calendarAttachment(found, order, message.data.siteUrl, site, t), ...qr.attachments],
        }
      }
      case 'order-cancelled': {
        const { order } = await this.order(message.data, t)
        return { subject: t('mail.orderCancelled.subject', { code: order.code }), model: { order } }
      }
      case 'tickets-cancelled': {
        const { order, found } = await this.order(message.data, t)
        const { ticketIds, refundMinor } = message.data
        const cancelled = order.tickets.filter((_, i) => ticketIds.includes(found.tickets[i]!.id))
        return {
          subject: t('mail.ticketsCancelled.subject', { code: order.code, count: cancelled.length }),
          model: {
            order,
            cancelled,
            refund: refundMinor > 0 ? formatMoney(money(refundMinor, found.order.currency)) : null,
            toCard: found.order.paymentMethod === 'card',
          },
        }
      }
      case 'ticket-moved': {
        const { order, found } = await this.order(message.data, t)
        const index = found.tickets.findIndex((ticket) => ticket.id === message.data.ticketId)
        const moved = order.tickets[index]
        if (!moved) throw new Uncomposable(`ticket ${message.data.ticketId} is not one of order ${message.data.orderId}`)
        const qr = await ticketQrImages(order)
        return {
          subject: t('mail.ticketMoved.subject', { eventTitle: order.event.title, type: moved.typeName }),
          model: { order, moved, from: message.data.fromTypeName, qrCids: qr.cids },
          attachments: qr.attachments,
        }
      }
      case 'order-awaiting-payment': {
        const { order } = await this.order(message.data, t)
        // Paid, lapsed or cancelled before this was sent: what to pay and by when no longer holds, and that move has a message of its own.
        if (!order.payment.pending)
          throw new Uncomposable(`order ${message.data.orderId} is ${order.payment.status}, no longer awaiting payment`)
        return { subject: t('mail.orderAwaitingPayment.subject', { eventTitle: order.event.title, code: order.code }), model: { order } }
      }
      case 'order-paid': {
        const { order, found } = await this.order(message.data, t)
        const qr = await ticketQrImages(order)
        return {
          subject: t('mail.orderPaid.subject', { eventTitle: order.event.title, code: order.code }),
          model: { order, qrCids: qr.cids },
          attachments: [this.calendarAttachment(found, order, message.data.siteUrl, site, t), ...qr.attachments],
        }
      }
      case 'order-expired': {
        const { order } = await this.order(message.data, t)
        return {
          subject: t('mail.orderExpired.subject', { code: order.code }),
          model: { order, eventLink: `${message.data.siteUrl}/event/${order.event.id}` },
        }
      }
      case 'order-refunded': {
        const { order, found } = await this.order(message.data, t)
        const refund = order.refunds.find((candidate) => candidate.id === message.data.refundId)
        if (!refund) throw new Uncomposable(`refund ${message.data.refundId} of order ${message.data.orderId} does not exist`)
        const paymentId = found.refunds.find((candidate) => candidate.id === refund.id)!.paymentId
        return {
          subject: t('mail.orderRefunded.subject', { code: order.code }),
          model: {
            order,
            refund,
            // Money that came for an order that had lapsed and whose tickets were gone: returned whole, and why.
            tooLate: refund.late && order.payment.expired,
            toCard: found.payments.find((payment) => payment.id === paymentId)?.method === 'card',
          },
        }
      }
      case 'event-cancelled': {
        const { order } = await this.order(message.data, t)
        return { subject: t('mail.eventCancelled.subject', { eventTitle: order.event.title }), model: { order } }
      }
      case 'event-changed': {
        const { order, found } = await this.order(message.data, t)
        const { was } = message.data
        return {
          subject: t('mail.eventChanged.subject', { eventTitle: order.event.title }),
          model: {
            order,
            now: whereAndWhen(found.event),
            was: whereAndWhen(was),
          },
        }
      }
      case 'holder-message': {
        const { order, found } = await this.order(message.data, t)
        // Cancelled or lapsed since the message was sent: no longer a ticket holder, and not written to as one.
        if (!holdsCapacity(found.order.status))
          throw new Uncomposable(`order ${message.data.orderId} is ${found.order.status}, no longer holding tickets`)
        const written = await findHolderMessage(this.db, message.data.messageId)
        if (!written) throw new Uncomposable(`message ${message.data.messageId} to ticket holders does not exist`)
        return {
          subject: written.subject,
          model: toHolderMessageMail(written.body, { eventTitle: order.event.title, code: order.code, link: order.link }),
        }
      }
      case 'password-reset':
        return {
          subject: t('mail.passwordReset.subject', { siteName: site.siteName }),
          model: { ...message.data, expires: formatDateTime(message.data.expiresAt, message.data.timeZone) },
        }
      case 'organiser-approved':
        return { subject: t('mail.organiserApproved.subject', { siteName: site.siteName }), model: message.data }
      case 'organiser-requested':
        return { subject: t('mail.organiserRequested.subject', { name: message.data.name, siteName: site.siteName }), model: message.data }
      case 'door-staff-added': {
        const grant = await staffGrantOf(this.db, message.data.doorStaffId)
        if (!grant) throw new Uncomposable(`door staff ${message.data.doorStaffId} was revoked or removed before this message was sent`)
        return {
          subject: t('mail.doorStaffAdded.subject', { eventTitle: grant.title }),
          model: {
            name: grant.name,
            eventTitle: grant.title,
            when: formatDateTime(grant.startsAt, grant.timeZone),
            addedBy: grant.addedBy ?? t('mail.doorStaffAdded.theOrganiser'),
            doorLink: `${message.data.siteUrl}/door`,
          },
        }
      }
      case 'test':
        return { subject: t('mail.test.subject', { siteName: site.siteName }), model: message.data }
      case 'waiting-list-joined':
        return { subject: t('mail.waitingListJoined.subject', { eventTitle: message.data.eventTitle }), model: message.data }
      case 'waiting-list-offer':
        return {
          subject: t('mail.waitingListOffer.subject', { eventTitle: message.data.eventTitle }),
          model: { ...message.data, expires: formatDateTime(message.data.expiresAt, message.data.timeZone) },
        }
      case 'waiting-list-expired':
        return { subject: t('mail.waitingListExpired.subject', { eventTitle: message.data.eventTitle }), model: message.data }
      case 'waiting-list-event-cancelled':
        return { subject: t('mail.waitingListEventCancelled.subject', { eventTitle: message.data.eventTitle }), model: message.data }
      default:
        throw new Uncomposable(`unknown kind of message: ${(message as { kind: string }).kind}`)
    }
  }

  private async order(data: { orderId: number; siteUrl: string }, t: Translate) {
    const found = await findOrderById(this.db, data.orderId)
    if (!found) throw new Uncomposable(`order ${data.orderId} no longer exists`)
    return { found, order: toOrderView(found, data.siteUrl, t) }
  }

  /** The event as a calendar file (event.ics), sent with the tickets. */
  private calendarAttachment(
    found: OrderWithTickets,
    order: OrderView,
    siteUrl: string,
    site: SiteSettings,
    t: Translate,
  ): ComposedMail['attachments'][number] {
    return {
      filename: 'event.ics',
      contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
      content: calendarFile({
        uid: `order-${order.code}@${new URL(siteUrl).host}`,
        title: found.event.title,
        description: t('mail.orderConfirmation.calendarDescription', {
          code: order.code,
          count: order.standingTickets,
          link: order.link,
        }),
        location: found.event.venue,
        startsAt: found.event.startsAt,
        endsAt: found.event.endsAt,
        url: order.link,
        organiserName: site.siteName,
        organiserEmail: site.contactEmail || this.from,
      }),
    }
  }
}

/**
 * Each ticket's QR code as a PNG sent inside the message, for its HTML to
 * show by cid: it shows without loading anything from the web (which many
 * mail programs block, and which would tell who opened it). Only while the
 * tickets are valid: a confirmation sent after its order was cancelled
 * carries none. PNG, since few mail programs show SVG.
 */
async function ticketQrImages(order: OrderView): Promise<{ cids: string[]; attachments: MailAttachment[] }> {
  if (!order.ticketsValid || order.event.cancelled) return { cids: [], attachments: [] }
  // A ticket cancelled on its own is listed struck out, with no code to scan: by index, so that each image stays beside its ticket.
  const images = await Promise.all(
    order.tickets.map(async (ticket, index) =>
      ticket.cancelled
        ? null
        : {
            filename: `ticket-${index + 1}-qr.png`,
            content: await qrPng(ticket.code),
            contentType: 'image/png',
            cid: `ticket-${index + 1}.${order.code}@qr`,
          },
    ),
  )
  return { cids: images.map((image) => image?.cid ?? ''), attachments: images.filter((image) => image !== null) }
}

function siteUrlOf(message: MailMessage): string {
  switch (message.kind) {
    case 'password-reset':
      return message.data.link
    case 'waiting-list-joined':
    case 'waiting-list-offer':
    case 'waiting-list-expired':
    case 'waiting-list-event-cancelled':
      return message.data.eventLink
    default:
      return message.data.siteUrl
  }
}

/** An event's start, end and venue as a message states them, in the time zone they were given in. */
function whereAndWhen(event: EventWhereAndWhen): { starts: string; ends: string; venue: string } {
  return { starts: formatDateTime(event.startsAt, event.timeZone), ends: formatDateTime(event.endsAt, event.timeZone), venue: event.venue }
}
