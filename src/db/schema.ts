import type { ColumnType, Generated, Selectable } from 'kysely'

/**
 * Table rows as Kysely sees them, in camelCase (CamelCasePlugin maps the
 * snake_case columns). Instants are UTC epoch milliseconds; money is integer
 * minor units; booleans are 0/1 so that both dialects store them alike.
 */
export interface Database {
  sessions: SessionsTable
  siteSettings: SiteSettingsTable
  users: UsersTable
  auditLog: AuditLogTable
  events: EventsTable
  ticketTypes: TicketTypesTable
  orders: OrdersTable
  tickets: TicketsTable
  outbox: OutboxTable
  passwordResets: PasswordResetsTable
  checkIns: CheckInsTable
  doorStaff: DoorStaffTable
  seats: SeatsTable
  seatBookings: SeatBookingsTable
  waitingListEntries: WaitingListEntriesTable
  payments: PaymentsTable
  refunds: RefundsTable
  paymentNotices: PaymentNoticesTable
  holderMessages: HolderMessagesTable
  holderMessageRecipients: HolderMessageRecipientsTable
  questions: QuestionsTable
  questionOptions: QuestionOptionsTable
  questionTicketTypes: QuestionTicketTypesTable
  answers: AnswersTable
  codes: CodesTable
}

export interface SessionsTable {
  sid: string
  data: string
  userId: number | null
  expiresAt: number
}

export type SignupPolicy = 'open' | 'approval' | 'closed'

export interface SiteSettingsTable {
  id: number
  siteName: string
  siteDescription: string
  contactEmail: string
  currency: string
  timeZone: string
  signupPolicy: SignupPolicy
  updatedAt: number
}

export type Role = 'attendee' | 'organiser' | 'admin'
export type UserStatus = 'active' | 'disabled'

export interface UsersTable {
  id: Generated<number>
  email: string
  name: string
  passwordHash: string
  role: Role
  status: UserStatus
  /** Set when an attendee asked to become an organiser under the approval policy. */
  organiserRequestedAt: number | null
  createdAt: number
  /** Name and email folded for search (searchText in src/lib/search.ts). */
  searchText: string
}

export interface AuditLogTable {
  id: Generated<number>
  at: number
  actorId: number | null
  /** Who acted, as typed or known at the time: kept even if the user is later renamed. */
  actorLabel: string
  action: string
  subjectType: string | null
  subjectId: number | null
  details: string
  ip: string | null
}

/** The status column: what the organiser did. What a page shows is derived from it (EventStatus in src/features/events/event.rules.ts). */
export type StoredEventStatus = 'draft' | 'published' | 'cancelled'

export interface EventsTable {
  id: Generated<number>
  ownerId: number
  title: string
  description: string
  venue: string
  startsAt: number
  endsAt: number
  timeZone: string
  imageUrl: string | null
  /** Optional cap shared by all ticket types. */
  capacity: number | null
  /** Tickets sold across all ticket types: guarded against `capacity` in the purchase. */
  sold: Generated<number>
  status: StoredEventStatus
  /** When the event becomes (or became) public; in the future means scheduled. */
  publishedAt: number | null
  allowBuyerCancellation: Generated<number>
  /** The most tickets, in all its orders, one email address may buy of this event; null for no cap. */
  maxTicketsPerBuyer: ColumnType<number | null, number | null | undefined>
  /** The most orders one email address may place for this event; null for no cap. */
  maxOrdersPerBuyer: ColumnType<number | null, number | null | undefined>
  cancelledAt: number | null
  createdAt: number
  updatedAt: number
  /** The key of the event's signed door codes (src/lib/door-code.ts); null until the first code is shown. */
  checkInSecret: ColumnType<string | null, string | null | undefined>
  /** 0/1: people may join a sold-out ticket type's waiting list. */
  waitingList: Generated<number>
  /** How long an offer to the waiting list holds its tickets. */
  offerHours: Generated<number>
  /** Tickets held for waiting-list offers, and kept aside for reserved codes, across all types: guarded with `sold` against `capacity`. */
  held: Generated<number>
  /** A random name for the seat map as it is now, new at each change of it; null without a map (migration 0011). */
  seatMapStamp: ColumnType<string | null, string | null | undefined>
  /** Title, venue and description folded for search (searchText in src/lib/search.ts): written with them. */
  searchText: string
  /** 0/1: the event has been public; set when it stops being so (migration 0015). A cancelled event keeps its page by it. */
  wasPublic: Generated<number>
  /** The payment methods offered, comma-separated ids (PaymentMethodId in src/features/payments); 'at-door' by default (migration 0017). */
  paymentMethods: Generated<string>
  /** How long an order paid by card holds its tickets, in minutes. */
  cardHoldMinutes: Generated<number>
  /** How long an order paid by bank transfer holds its tickets, in days. */
  transferDays: Generated<number>
  /** Where a bank transfer goes, as the organiser wrote it; empty: no bank transfer. */
  bankDetails: Generated<string>
  /** No later than the earliest deadline of the event's unpaid orders (null: none can lapse): settle reads it to do nothing when nothing is due. */
  nextExpiryAt: ColumnType<number | null, number | null | undefined>
  /** Whether the buy form asks a name for each ticket (migration 0020). */
  holderNames: Generated<HolderNames>
  /** How many questions the event asks now (not removed): written with every change of them, so that an event asking none reads none. */
  questionCount: Generated<number>
  /** 0/1: door staff (accounts) may sell at the box office, as the organiser may (migration 0021). */
  staffMaySell: Generated<number>
  /** 0/1: the box office sells outside the ticket types' sales windows, until the event ends. */
  deskIgnoresSalesWindows: Generated<number>
  /** 0/1: buyers may change names and answers from their order page (migration 0022). */
  buyerEdits: Generated<number>
  /** Until how many hours before the event starts buyers may change them. */
  buyerEditHours: Generated<number>
  /** 0/1: the names on tickets are among what buyers may change, while names are asked. */
  buyerEditNames: Generated<number>
}

/** Whether the buy form asks a name for each ticket: not at all, leaving it to the buyer, or for every ticket. */
export type HolderNames = 'off' | 'optional' | 'required'

export interface TicketTypesTable {
  id: Generated<number>
  eventId: number
  name: string
  priceMinor: number
  capacity: number
  sold: Generated<number>
  /** Tickets held for waiting-list offers and kept aside for reserved codes: counted against `capacity` exactly like `sold`. */
  held: Generated<number>
  maxPerOrder: number
  salesStartAt: number | null
  salesEndAt: number | null
  createdAt: number
  /** 1: a ticket of this type may leave (be checked out) and come in again. */
  allowReentry: Generated<number>
  /** 1: shown and sold only to a buyer whose code names this type (migration 0023). */
  hidden: Generated<number>
}

/** pending: placed, waiting for its payment, holding its tickets; paid; expired: not paid in time; cancelled. */
export type OrderStatus = 'pending' | 'paid' | 'expired' | 'cancelled'

export interface OrdersTable {
  id: Generated<number>
  /** Short public reference shown to the buyer and the organiser. */
  code: string
  /** Secret that, with the code, opens the order page from a kept link. */
  accessKey: string
  /** The one-time key of the purchase form: a second submit finds this order. */
  idempotencyKey: string
  eventId: number
  userId: number | null
  buyerName: string
  /** Lower-cased, as account emails are. */
  buyerEmail: string
  totalMinor: number
  currency: string
  status: OrderStatus
  createdAt: number
  cancelledAt: number | null
  /** A hash of the buying browser's id (see browserTag): that browser may open the order without the key. */
  buyerBrowser: string | null
  /** Code, buyer name and email folded for search (searchText in src/lib/search.ts). */
  searchText: string
  /** The language they are written to in (src/i18n/locale.ts), from the request that made the row. */
  locale: ColumnType<string, string | undefined, string>
  /** How it is paid (PaymentMethodId): 'free' for an order with nothing to pay. */
  paymentMethod: ColumnType<string, string | undefined, string>
  /** When an unpaid order lapses; null when it never does (paid at the door, or paid). */
  paymentDeadline: ColumnType<number | null, number | null | undefined>
  paidAt: ColumnType<number | null, number | null | undefined>
  expiredAt: ColumnType<number | null, number | null | undefined>
  /** The site's address when it was placed, for the links of later messages that no request causes (a lapse, a webhook). */
  siteUrl: ColumnType<string, string | undefined, string>
  /** How it was sold (SalesChannel): 'online', or 'box-office' at the desk (migration 0021). */
  salesChannel: ColumnType<SalesChannel, SalesChannel | undefined, SalesChannel>
  /** Who sold it at the desk, as the audit log names them (an account's e-mail); null online. */
  soldBy: ColumnType<string | null, string | null | undefined>
  /** Why its tickets were given away free at the desk; null unless it is complimentary. */
  complimentaryReason: ColumnType<string | null, string | null | undefined>
  /** The discount or access code it was placed with (migration 0023); null for none. */
  codeId: ColumnType<number | null, number | null | undefined>
}

/** Where an order was sold: the buy form, or the box office's desk. */
export type SalesChannel = 'online' | 'box-office'

export interface TicketsTable {
  id: Generated<number>
  orderId: number
  ticketTypeId: number
  code: string
  priceMinor: number
  /** Inside now since then; null when never checked in, checked out or undone. */
  checkedInAt: ColumnType<number | null, number | null | undefined>
  /** Who let the ticket in (the staff member's label) and at which gate. */
  checkedInBy: ColumnType<string | null, string | null | undefined>
  checkedInGate: ColumnType<string | null, string | null | undefined>
  /** The seat it had when its order lapsed: a late payment books it again if it is free. */
  lapsedSeatId: ColumnType<number | null, number | null | undefined>
  /**
   * When the organiser cancelled this ticket alone, keeping the rest of its
   * order (migration 0019); null while it stands, and for the tickets of a
   * cancelled order, whose state says it for all of them.
   */
  cancelledAt: ColumnType<number | null, number | null | undefined>
  /** The name of who the ticket is for, when the event asks (events.holder_names); null when not asked or not given. */
  holderName: ColumnType<string | null, string | null | undefined>
  /** The code that applied to this ticket (it counts among the code's uses when counted per ticket); null for none. */
  codeId: ColumnType<number | null, number | null | undefined>
  /** What the code took off this ticket's price; `priceMinor` is what was paid for it. */
  discountMinor: ColumnType<number, number | undefined, number>
}

/** pending: to send (again) when due; sent; failed: given up after the last try. */
export type OutboxState = 'pending' | 'sent' | 'failed'

export interface OutboxTable {
  id: Generated<number>
  /** Which message (MailMessage in src/features/outbox/outbox.messages.ts). */
  kind: string
  recipient: string
  /** JSON: what the message is about, read again when it is composed. */
  data: string
  state: OutboxState
  /** Tries begun, counted when a sender claims the message. */
  attempts: Generated<number>
  nextAttemptAt: number
  /** Set while a sender holds the message; a lease that ran out is a crashed sender's. */
  leaseUntil: number | null
  lastError: string | null
  createdAt: number
  sentAt: number | null
  /** Random, the left part of the message's Message-ID: the same each time the message is sent, unlike any other installation's. */
  messageKey: string
  /** The language the message is written in (src/i18n/locale.ts): its cause's, the buyer's or the waiting person's. */
  locale: ColumnType<string, string | undefined, string>
}

export interface PasswordResetsTable {
  id: Generated<number>
  userId: number
  /** SHA-256 of the token in the link, hex. */
  tokenHash: string
  createdAt: number
  expiresAt: number
  usedAt: number | null
}

/** in: admitted; out: left, for a type that allows re-entry; undo: an organiser took an admission back. */
export type CheckInAction = 'in' | 'out' | 'undo'

export interface CheckInsTable {
  id: Generated<number>
  eventId: number
  ticketId: number
  action: CheckInAction
  /** When the server recorded it. */
  at: number
  /** When the phone scanned it, if it says: later than `at` only for a scan queued offline. */
  scannedAt: number | null
  actorId: number | null
  actorLabel: string
  gate: string
  /** The scan's own id, from the page: an upload sent again finds its first answer. */
  nonce: string | null
}

export interface DoorStaffTable {
  id: Generated<number>
  eventId: number
  /** An account that may check in this event's tickets; null for a staff link. */
  userId: number | null
  /** SHA-256 of a staff link's token, hex; null for an account. */
  tokenHash: string | null
  /** What the organiser called them ("North gate phone"), or the account's name. */
  label: string
  createdBy: number | null
  createdAt: number
  revokedAt: number | null
}

/** seat: an ordinary seat; wheelchair: a space for a wheelchair; companion: a seat beside one, for a companion. */
export type SeatKind = 'seat' | 'wheelchair' | 'companion'

export interface SeatsTable {
  id: Generated<number>
  eventId: number
  /** Its price category. */
  ticketTypeId: number
  section: string
  rowLabel: string
  seatLabel: string
  /** Its section, row and seat label as compared (seat-labels.ts placeKey): unique per event. */
  placeKey: string
  /** Its cell on the map; seats of one row with x one apart are side by side. */
  x: number
  y: number
  kind: SeatKind
  /** 1: on the map, never sold. */
  blocked: Generated<number>
}

export interface SeatBookingsTable {
  /** Unique: a seat is taken by one ticket at most. */
  seatId: number
  eventId: number
  ticketId: number
  createdAt: number
}

/**
 * waiting: in the queue; offered: holds `offeredQuantity` until `offerExpiresAt`;
 * claimed: bought (order_id); expired: the offer ran out or was declined;
 * removed: by the organiser (or with a cancelled event); left: by the person.
 */
export type WaitingListState = 'waiting' | 'offered' | 'claimed' | 'expired' | 'removed' | 'left'

export interface WaitingListEntriesTable {
  id: Generated<number>
  eventId: number
  ticketTypeId: number
  name: string
  /** Lower-cased (normaliseEmail). */
  email: string
  /** How many the person asked for. */
  quantity: number
  state: WaitingListState
  /** SHA-256 of the token in the "leave the list" link, hex. */
  leaveTokenHash: string
  /** The site's address when they joined, for the links in later messages (which no request carries). */
  siteUrl: string
  createdAt: number
  offeredQuantity: number | null
  /** SHA-256 of the offer's claim token, hex: a new one for every offer. */
  offerTokenHash: string | null
  offeredAt: number | null
  offerExpiresAt: number | null
  orderId: number | null
  /** When it left the queue for good: claimed, expired, removed or left. */
  closedAt: number | null
  /** The language they are written to in (src/i18n/locale.ts), from the request that made the row. */
  locale: ColumnType<string, string | undefined, string>
}

/** started: waiting for the provider; paid; failed; expired: the provider's page ran out; cancelled: by us. */
export type PaymentState = 'started' | 'paid' | 'failed' | 'expired' | 'cancelled'

export interface PaymentsTable {
  id: Generated<number>
  orderId: number
  method: string
  state: PaymentState
  amountMinor: number
  currency: string
  /** The idempotency key of this attempt at the provider: new for each attempt. */
  attemptKey: string
  /** The provider's id of the attempt (a Checkout Session's); unique. */
  providerRef: ColumnType<string | null, string | null | undefined>
  /** The provider's id of the money taken (a PaymentIntent's), which its refunds name. */
  providerPayment: ColumnType<string | null, string | null | undefined>
  createdAt: number
  paidAt: ColumnType<number | null, number | null | undefined>
  /** Who marked it received by hand (a transfer, cash at the door); null for a provider's. */
  recordedBy: ColumnType<string | null, string | null | undefined>
}

/** queued: to send through the provider (the outbox's sender does); done; failed: refused for good. */
export type RefundState = 'queued' | 'done' | 'failed'
/** Why the money goes back. */
export type RefundReason = 'organiser' | 'buyer' | 'late-payment' | 'provider'

export interface RefundsTable {
  id: Generated<number>
  orderId: number
  paymentId: number
  amountMinor: number
  currency: string
  state: RefundState
  idempotencyKey: string
  providerRef: ColumnType<string | null, string | null | undefined>
  reason: RefundReason
  createdAt: number
  doneAt: ColumnType<number | null, number | null | undefined>
  recordedBy: ColumnType<string | null, string | null | undefined>
  lastError: ColumnType<string | null, string | null | undefined>
}

export interface PaymentNoticesTable {
  id: Generated<number>
  provider: string
  /** The provider's id of the event it sent: unique per provider, so a delivery sent again changes nothing. */
  eventId: string
  type: string
  receivedAt: number
  outcome: string
}

/** Who at the door a message to ticket holders goes to: everyone, those let in, those not let in yet. */
export type CheckInAudience = 'any' | 'in' | 'out'

/** A message from the organiser to the holders of an event's tickets (src/features/holder-messages). */
export interface HolderMessagesTable {
  id: Generated<number>
  eventId: number
  subject: string
  /** Plain text as the organiser wrote it, line breaks as "\n". */
  body: string
  /** The ticket types it went to, comma-separated ids; '' for every type. */
  ticketTypeIds: string
  checkIn: CheckInAudience
  /** How many orders it was sent to. */
  recipients: number
  /** The key of the form that sent it: unique per event, so the same form sent twice finds this message. */
  formKey: string
  sentBy: number | null
  /** Who sent it, as the audit log names them. */
  sentByLabel: string
  createdAt: number
}

/** One order a message to ticket holders went to, and the outbox message that carries it. */
export interface HolderMessageRecipientsTable {
  messageId: number
  orderId: number
  outboxId: number
}

/** What a question asks for, and so how it is answered on the buy form. */
export type QuestionKind = 'short-text' | 'long-text' | 'one-choice' | 'several-choices' | 'yes-no' | 'number' | 'date'

export interface QuestionsTable {
  id: Generated<number>
  eventId: number
  label: string
  /** A line under the label; '' for none. */
  help: string
  kind: QuestionKind
  /** 0/1: must be answered. */
  required: number
  /** 0/1: asked once for each ticket, rather than once for the order. */
  perTicket: number
  /** 0/1: asked of every ticket type; 0: only of those in question_ticket_types. */
  forAllTypes: number
  /** Its place in the list the buyer sees, lowest first. */
  position: number
  createdAt: number
  updatedAt: number
  /** Removed by the organiser: no longer asked nor shown; its answers are kept. */
  removedAt: ColumnType<number | null, number | null | undefined>
  /** 0/1: buyers may change their answer from their order page, when the event lets them (migration 0022). */
  buyerEditable: Generated<number>
}

export interface QuestionOptionsTable {
  id: Generated<number>
  questionId: number
  label: string
  position: number
  /** No longer offered; answers that chose it still name it. */
  removedAt: ColumnType<number | null, number | null | undefined>
}

export interface QuestionTicketTypesTable {
  questionId: number
  ticketTypeId: number
}

export interface AnswersTable {
  id: Generated<number>
  orderId: number
  /** The ticket a per-ticket question was answered for; null for a question of the order. */
  ticketId: number | null
  questionId: number
  /** As text ('' when left blank): choices as option ids (comma-separated), 'yes'/'no', YYYY-MM-DD, plain decimals. */
  value: string
}

/** What a code does to the price of each ticket it applies to: a percentage off, an amount off, a set price, or nothing (an access code). */
export type CodeDiscount = 'percent' | 'amount' | 'price' | 'none'
/** What one use of a code is: each ticket it applies to, or each order. */
export type CodeCountedPer = 'ticket' | 'order'

/** A discount or access code of an event (src/features/codes). */
export interface CodesTable {
  id: Generated<number>
  eventId: number
  /** As the organiser typed it (or as generated). */
  code: string
  /** The code folded for comparison (codeKey): unique per event, so it is found whatever case it is typed in. */
  codeKey: string
  discount: CodeDiscount
  /** Percent points for 'percent', minor units for 'amount' and 'price', 0 for 'none'. */
  amount: number
  /** The ticket types it applies to (and unlocks, when hidden), comma-separated ids; '' for every type that is not hidden. */
  ticketTypeIds: string
  validFrom: number | null
  validUntil: number | null
  /** The most uses; null for no limit. */
  maxUses: number | null
  countedPer: CodeCountedPer
  /** The most tickets it may apply to in one order; null for no limit. */
  maxPerOrder: number | null
  /** 0/1: keeps aside `maxUses - used` tickets of its one ticket type for its holders while it is open. */
  reserved: number
  /** Its live uses: those of paid orders and of orders awaiting payment. */
  used: Generated<number>
  /** The tickets it keeps aside now, counted in its ticket type's and event's `held`. */
  kept: Generated<number>
  /** 0/1: switched on; a code switched off is refused and keeps nothing aside. */
  enabled: number
  createdAt: number
  updatedAt: number
}

export type UserRow = Selectable<UsersTable>
export type EventRow = Selectable<EventsTable>
export type TicketTypeRow = Selectable<TicketTypesTable>
export type OrderRow = Selectable<OrdersTable>
export type SiteSettingsRow = Selectable<SiteSettingsTable>
export type OutboxRow = Selectable<OutboxTable>
export type WaitingListEntryRow = Selectable<WaitingListEntriesTable>
export type PaymentRow = Selectable<PaymentsTable>
export type RefundRow = Selectable<RefundsTable>
export type HolderMessageRow = Selectable<HolderMessagesTable>
export type QuestionRow = Selectable<QuestionsTable>
export type CodeRow = Selectable<CodesTable>
