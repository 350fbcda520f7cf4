/**
 * Every message the site sends, with what its outbox row keeps: ids and
 * facts of the moment, never the composed text. A message is composed when
 * it is sent, from what the database says then (src/features/mail).
 *
 * The outbox is a feature of its own, below the others: every feature that
 * causes a message writes to it, and mail, which reads orders to compose
 * them, sends from it.
 */
export type MailMessage = MailContent & {
  /**
   * The recipient's language: the buyer's or the waiting person's, as their
   * row keeps it, else the request's that caused it; English when unsaid. Kept
   * as given: the composer reads a language the site no longer speaks as the
   * default (translatorForStored).
   */
  locale?: string
}

type MailContent =
  | { kind: 'order-confirmation'; to: string; data: { orderId: number; siteUrl: string } }
  | { kind: 'order-cancelled'; to: string; data: { orderId: number; siteUrl: string } }
  /** Some tickets of the order cancelled by the organiser, the rest kept; what goes back with them (0: nothing). */
  | { kind: 'tickets-cancelled'; to: string; data: { orderId: number; siteUrl: string; ticketIds: number[]; refundMinor: number } }
  /** A ticket of the order moved by the organiser to another type of the same price (`fromTypeName`: the type it had); its code kept. */
  | { kind: 'ticket-moved'; to: string; data: { orderId: number; siteUrl: string; ticketId: number; fromTypeName: string } }
  /** Placed, to be paid (card, bank transfer): how to pay, and by when. */
  | { kind: 'order-awaiting-payment'; to: string; data: { orderId: number; siteUrl: string } }
  /** Paid after it was placed: the tickets. */
  | { kind: 'order-paid'; to: string; data: { orderId: number; siteUrl: string } }
  /** Not paid by its deadline: the tickets went back. */
  | { kind: 'order-expired'; to: string; data: { orderId: number; siteUrl: string } }
  /** Money sent back (all of it, or part). */
  | { kind: 'order-refunded'; to: string; data: { orderId: number; siteUrl: string; refundId: number } }
  | { kind: 'event-cancelled'; to: string; data: { orderId: number; siteUrl: string } }
  | { kind: 'event-changed'; to: string; data: { orderId: number; siteUrl: string; was: EventWhereAndWhen } }
  /** The organiser's message to ticket holders (holder_messages), to the buyer of one order, with its link. */
  | { kind: 'holder-message'; to: string; data: { messageId: number; orderId: number; siteUrl: string } }
  | { kind: 'password-reset'; to: string; data: { name: string; link: string; expiresAt: number; timeZone: string } }
  | { kind: 'organiser-approved'; to: string; data: { name: string; siteUrl: string } }
  | { kind: 'organiser-requested'; to: string; data: { name: string; email: string; siteUrl: string } }
  | { kind: 'door-staff-added'; to: string; data: { doorStaffId: number; siteUrl: string } }
  | { kind: 'test'; to: string; data: { requestedBy: string; siteUrl: string } }
  | { kind: 'waiting-list-joined'; to: string; data: WaitingListMailFacts & { quantity: number; leaveLink: string } }
  | {
      kind: 'waiting-list-offer'
      to: string
      data: WaitingListMailFacts & { quantity: number; asked: number; link: string; expiresAt: number; timeZone: string }
    }
  | { kind: 'waiting-list-expired'; to: string; data: WaitingListMailFacts }
  | { kind: 'waiting-list-event-cancelled'; to: string; data: WaitingListMailFacts }

/**
 * What else the outbox's sender does: calls to another system that must
 * follow a commit exactly as a mail does (src/features/payments sends refunds
 * this way). `to` names the system, for the admin's outbox page.
 */
export type OutboxTask = { kind: 'refund'; to: string; data: { refundId: number } }

/** When and where an event was to take place, before the organiser changed it. */
export interface EventWhereAndWhen {
  startsAt: number
  endsAt: number
  timeZone: string
  venue: string
}

/** What every waiting-list message names: the person, the event, the ticket type, and the event's page. */
export interface WaitingListMailFacts {
  name: string
  eventTitle: string
  ticketTypeName: string
  eventLink: string
}

export type MailKind = MailContent['kind']
