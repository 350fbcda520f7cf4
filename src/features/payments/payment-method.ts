/**
 * The seam for payment methods, after pretix's BasePaymentProvider and
 * alf.io's PaymentProvider: one file per method under methods/, each saying
 * whether it can be offered, how long its unpaid orders hold their tickets,
 * how a payment starts, and how money goes back. The purchase knows only
 * whether an order must be paid (and which method the buyer chose); the
 * order's states live in src/features/orders; what a confirmed payment does
 * to its order is decided once, in confirm.ts.
 */
import type { Db } from '../../db/database.js'
import type { PaymentRow, RefundRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'

/** The methods there are, in the order the buy form lists them. */
export const PAYMENT_METHOD_IDS = ['card', 'bank-transfer', 'at-door'] as const
export type PaymentMethodId = (typeof PAYMENT_METHOD_IDS)[number]

/** The method of an order with nothing to pay. */
export const FREE = 'free'

/**
 * How the box office's desk takes money (src/features/box-office): recorded
 * by hand by the person selling, as the sale is placed. Not methods a buyer
 * chooses: the buy form and the event form never list them.
 */
export const DESK_METHOD_IDS = ['cash', 'card-terminal'] as const
export type DeskMethodId = (typeof DESK_METHOD_IDS)[number]

/** The method of an order the desk gave away: its tickets cost nothing, and it keeps why. */
export const COMPLIMENTARY = 'complimentary'

export function isDeskMethod(value: string): value is DeskMethodId {
  return (DESK_METHOD_IDS as readonly string[]).includes(value)
}

/** What a method reads of an event: its own settings. */
export type EventPayments = Pick<Event, 'id' | 'title' | 'paymentMethods' | 'cardHoldMinutes' | 'transferDays' | 'bankDetails' | 'endsAt'>

/** An unpaid order as a method starts its payment. */
export interface PayableOrder {
  id: number
  code: string
  accessKey: string
  totalMinor: number
  currency: string
  buyerEmail: string
  paymentDeadline: number | null
  event: EventPayments
}

/** Where the buyer goes once a payment has started: a provider's page, or null for the order page (pay later, by other means). */
export type Started = { redirect: string } | null

/** An attempt to pay, written before the provider hears of it: its row, and the key the provider knows it by. */
export interface Attempt {
  id: number
  key: string
}

/** What a method needs of an order to open its first attempt, in the order's own transaction. */
export interface NewOrder {
  id: number
  totalMinor: number
  currency: string
}

export interface PaymentMethod {
  readonly id: PaymentMethodId
  /** Whether the site can offer it at all (its keys are set). */
  readonly onSite: boolean
  /** Whether the buyer pays online now (card): their order is placed and they are sent to pay. */
  readonly online: boolean
  /** Whether the door takes the money and may mark it paid. */
  readonly paidAtDoor: boolean
  /** Whether this event has what the method needs (the site's keys, its bank details). */
  usableFor(event: EventPayments): boolean
  /** When an unpaid order of this method lapses, for an order placed at `now`; null: it does not. */
  deadlineFor(event: EventPayments, now: number): number | null
  /**
   * Writes the first attempt to pay a new order inside the transaction that
   * places it (online methods only), so that sending the buyer to pay costs
   * no transaction of its own; `start` then begins that attempt.
   */
  openAttempt?: (trx: Db, order: NewOrder, now: number) => Promise<Attempt>
  /** Begins paying an unpaid order: the attempt opened with the order, or a new one (paying again). */
  start(db: Db, order: PayableOrder, links: ReturnLinks, opened?: Attempt): Promise<Started>
  /**
   * Ends what was started and not paid (a Checkout Session still open), before its order is cancelled;
   * with `unlessAmount`, only what was started for another amount (the order's total changed since).
   */
  cancelStarted(db: Db, orderId: number, options?: { unlessAmount: number }): Promise<void>
  /**
   * Sends a refund back the way the money came, with the refund's own
   * idempotency key; returns the provider's id of it. Null for a method paid
   * by hand: a person gives the money back and records it.
   */
  sendRefund: ((refund: RefundRow, payment: PaymentRow) => Promise<string>) | null
}

/** The addresses a provider sends the buyer back to. */
export interface ReturnLinks {
  /** After paying: the order page, which confirms the payment. */
  paid: string
  /** After giving up: the order page, which offers to pay again. */
  cancelled: string
}

/** The methods an event offers, as the organiser chose them, that the site and the event can offer now. */
export function methodsOfEvent(event: EventPayments, methods: ReadonlyMap<PaymentMethodId, PaymentMethod>): PaymentMethod[] {
  const chosen = new Set(chosenMethods(event))
  return PAYMENT_METHOD_IDS.filter((id) => chosen.has(id))
    .map((id) => methods.get(id)!)
    .filter((method) => method.onSite && method.usableFor(event))
}

/** The methods the organiser ticked, whether or not they can be offered now. */
export function chosenMethods(event: Pick<Event, 'paymentMethods'>): PaymentMethodId[] {
  return event.paymentMethods.split(',').filter(isPaymentMethodId)
}

export function isPaymentMethodId(value: string): value is PaymentMethodId {
  return (PAYMENT_METHOD_IDS as readonly string[]).includes(value)
}
