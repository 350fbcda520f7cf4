import type { MessageKey } from '../../i18n/catalogue.js'
import { type ExpressionBuilder, sql } from 'kysely'
import type { Database, OrderStatus } from '../../db/schema.js'

/**
 * What each state of an order means, in one table: every rule about orders
 * asks it rather than naming a state; a new state cannot be added without
 * saying what it means for each. Refunds are not a state: a paid order may be
 * refunded in part and stay paid (src/features/payments).
 */
export interface OrderStateFacts {
  /** Its tickets (and seats) count against capacity: they are in `sold`. */
  holdsCapacity: boolean
  /**
   * Its total is money still due: shown apart, never as revenue. Revenue is
   * money that moved (paid payments less refunds, src/features/payments),
   * whatever the order's state is now: a cancelled order whose money was
   * kept still brought it in.
   */
  awaitsPayment: boolean
  /** Its tickets and itself count towards the organiser's per-buyer caps. */
  countsForBuyerCaps: boolean
  /** Its tickets may be let in at the door. */
  admittedAtDoor: boolean
  /** It runs out by itself at a deadline (an unpaid order). */
  canExpire: boolean
}

export const ORDER_STATES: Record<OrderStatus, OrderStateFacts> = {
  // Waiting for its payment: its tickets are taken as sold ones are, so that nothing is sold twice, until it is paid or lapses.
  pending: { holdsCapacity: true, awaitsPayment: true, countsForBuyerCaps: true, admittedAtDoor: false, canExpire: true },
  paid: { holdsCapacity: true, awaitsPayment: false, countsForBuyerCaps: true, admittedAtDoor: true, canExpire: false },
  // Not paid by its deadline: its tickets went back. A payment that arrives late may still take them again (src/features/payments).
  expired: { holdsCapacity: false, awaitsPayment: false, countsForBuyerCaps: false, admittedAtDoor: false, canExpire: false },
  cancelled: { holdsCapacity: false, awaitsPayment: false, countsForBuyerCaps: false, admittedAtDoor: false, canExpire: false },
}

/** The state a new order is placed in: paid when there is nothing to pay, else waiting for its payment. */
export function placedState(mustPay: boolean): OrderStatus {
  return mustPay ? 'pending' : 'paid'
}

/**
 * The only moves an order's state may make: from each state, the states it
 * may go to. Every write of a state is a conditional UPDATE from the states
 * allowed here (transitionOrder), so two moves at once cannot both happen.
 */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'expired', 'cancelled'],
  paid: ['cancelled'],
  // A payment that arrives after the deadline, when the tickets could be taken again.
  expired: ['paid'],
  cancelled: [],
}

/** The words of every order state, wherever an order is shown. */
export const ORDER_STATUS_MESSAGES: Record<OrderStatus, MessageKey> = {
  pending: 'orders.status.pending',
  paid: 'orders.status.paid',
  expired: 'orders.status.expired',
  cancelled: 'orders.status.cancelled',
}

const ALL_STATES = Object.keys(ORDER_STATES) as OrderStatus[]

/** The states that have this fact. */
export function statesWhere(fact: keyof OrderStateFacts): OrderStatus[] {
  return ALL_STATES.filter((status) => ORDER_STATES[status][fact])
}

/** The states an order may move to `to` from. */
export function statesBefore(to: OrderStatus): OrderStatus[] {
  return ALL_STATES.filter((from) => ORDER_TRANSITIONS[from].includes(to))
}

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to)
}

export function holdsCapacity(status: OrderStatus): boolean {
  return ORDER_STATES[status].holdsCapacity
}

export function awaitsPayment(status: OrderStatus): boolean {
  return ORDER_STATES[status].awaitsPayment
}

export function countsForBuyerCaps(status: OrderStatus): boolean {
  return ORDER_STATES[status].countsForBuyerCaps
}

export function canExpire(status: OrderStatus): boolean {
  return ORDER_STATES[status].canExpire
}

export function admittedAtDoor(status: OrderStatus): boolean {
  return ORDER_STATES[status].admittedAtDoor
}

/** The SQL twin of a fact: a WHERE condition on `orders.status`. */
function stateCondition(fact: keyof OrderStateFacts) {
  return (eb: ExpressionBuilder<Database, 'orders'>) => eb('orders.status', 'in', statesWhere(fact))
}

/** The same rule as holdsCapacity, as a WHERE condition on `orders`. */
export const holdsCapacityCondition = stateCondition('holdsCapacity')
/** The same rule as awaitsPayment, as a WHERE condition on `orders`. */
export const awaitsPaymentCondition = stateCondition('awaitsPayment')
/** The same rule as countsForBuyerCaps, as a WHERE condition on `orders`. */
export const countsForBuyerCapsCondition = stateCondition('countsForBuyerCaps')
/** The same rule as admittedAtDoor, as a WHERE condition on `orders`. */
export const admittedAtDoorCondition = stateCondition('admittedAtDoor')

/**
 * Whether the ticket (`tickets.id` of the query) was let in at least once for
 * real: an admission whose next entry in the log is not an undo (an undo takes
 * back the admission just before it, a scan by mistake). A check-out does not
 * count, so a ticket of a re-entry type that went out again is still used.
 */
export const TICKET_WAS_USED = sql<boolean>`exists (select 1 from check_ins admission where admission.ticket_id = tickets.id
  and admission.action = 'in' and not exists (select 1 from check_ins taken_back where taken_back.ticket_id = admission.ticket_id
  and taken_back.action = 'undo' and taken_back.id = (select min(later.id) from check_ins later
  where later.ticket_id = admission.ticket_id and later.id > admission.id)))`
