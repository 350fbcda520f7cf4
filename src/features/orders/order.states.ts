import type { MessageKey } from '../../i18n/catalogue.js'
import { type ExpressionBuilder, sql } from 'kysely'
import type { Database, OrderStatus } from '../../db/schema.js'

/** What an order's state alone says at the door (doorVerdict adds how the order is paid). */
export type DoorStanding = 'admit' | 'unpaid' | 'expired' | 'cancelled'

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
  /**
   * What the door makes of its tickets: let them in; not paid yet (the door
   * takes the money first of an order paid there, see doorVerdict); or turn
   * them away because the order lapsed or was cancelled.
   */
  atDoor: DoorStanding
  /** It runs out by itself at a deadline (an unpaid order). */
  canExpire: boolean
}

export const ORDER_STATES: Record<OrderStatus, OrderStateFacts> = {
  // Waiting for its payment: its tickets are taken as sold ones are, so that nothing is sold twice, until it is paid or lapses.
  pending: { holdsCapacity: true, awaitsPayment: true, countsForBuyerCaps: true, atDoor: 'unpaid', canExpire: true },
  paid: { holdsCapacity: true, awaitsPayment: false, countsForBuyerCaps: true, atDoor: 'admit', canExpire: false },
  // Not paid by its deadline: its tickets went back. A payment that arrives late may still take them again (src/features/payments).
  expired: { holdsCapacity: false, awaitsPayment: false, countsForBuyerCaps: false, atDoor: 'expired', canExpire: false },
  cancelled: { holdsCapacity: false, awaitsPayment: false, countsForBuyerCaps: false, atDoor: 'cancelled', canExpire: false },
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

type StateFlag = { [F in keyof OrderStateFacts]: OrderStateFacts[F] extends boolean ? F : never }[keyof OrderStateFacts]

/** The states that have this fact. */
export function statesWhere(fact: StateFlag): OrderStatus[] {
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

/**
 * What the door does with a ticket: let it in; collect the money first, for
 * an unpaid order paid at the door (`paidAtDoor`: its method is, see
 * PaymentMethod.paidAtDoor), and then let it in; or turn it away as not paid
 * yet (by card or transfer), lapsed or cancelled.
 */
export type DoorVerdict = Exclude<DoorStanding, 'unpaid'> | 'collect' | 'not-paid'

export function doorVerdict(status: OrderStatus, paidAtDoor: boolean): DoorVerdict {
  const standing = ORDER_STATES[status].atDoor
  if (standing === 'unpaid') return paidAtDoor ? 'collect' : 'not-paid'
  return standing
}

/** The states whose tickets the door answers so. */
function statesAtDoor(...standings: DoorStanding[]): OrderStatus[] {
  return ALL_STATES.filter((status) => standings.includes(ORDER_STATES[status].atDoor))
}

/** The SQL twin of a fact: a WHERE condition on `orders.status`. */
function stateCondition(fact: StateFlag) {
  return (eb: ExpressionBuilder<Database, 'orders'>) => eb('orders.status', 'in', statesWhere(fact))
}

/** The same rule as holdsCapacity, as a WHERE condition on `orders`. */
export const holdsCapacityCondition = stateCondition('holdsCapacity')
/** The same rule as awaitsPayment, as a WHERE condition on `orders`. */
export const awaitsPaymentCondition = stateCondition('awaitsPayment')
/** The same rule as countsForBuyerCaps, as a WHERE condition on `orders`. */
export const countsForBuyerCapsCondition = stateCondition('countsForBuyerCaps')

/**
 * doorVerdict's 'admit' and 'collect' as a WHERE condition on `orders`: the
 * tickets the door may let in, some once their money is taken.
 * `paidAtDoorMethods`: the payment methods paid at the door.
 */
export function comesInAtDoorCondition(paidAtDoorMethods: readonly string[]) {
  return (eb: ExpressionBuilder<Database, 'orders'>) =>
    eb.or([
      eb('orders.status', 'in', statesAtDoor('admit')),
      ...(paidAtDoorMethods.length === 0
        ? []
        : [eb.and([eb('orders.status', 'in', statesAtDoor('unpaid')), eb('orders.paymentMethod', 'in', paidAtDoorMethods)])]),
    ])
}

/** The tickets the door is not to turn away for good (admitted, or once paid), as a WHERE condition on `orders`: not lapsed, not cancelled. */
export const awaitedAtDoorCondition = (eb: ExpressionBuilder<Database, 'orders'>) =>
  eb('orders.status', 'in', statesAtDoor('admit', 'unpaid'))

/**
 * A ticket of an order that holds capacity stands unless it was cancelled on
 * its own (the organiser cancelled some tickets of the order and kept the
 * rest): a cancelled ticket holds no capacity, no seat and no part of the
 * total, and the door turns it away. The tickets of a cancelled order stay
 * standing: their order's state says it for all of them.
 */
export function ticketStands(ticket: { cancelledAt: number | null }): boolean {
  return ticket.cancelledAt === null
}

/** The same rule as ticketStands, as a WHERE condition on `tickets`. */
export const ticketStandsCondition = (eb: ExpressionBuilder<Database, 'tickets'>) => eb('tickets.cancelledAt', 'is', null)

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
