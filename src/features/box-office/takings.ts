import type { Db } from '../../db/database.js'
import type { Money } from '../../lib/money.js'
import { COMPLIMENTARY, type DeskMethodId, isDeskMethod } from '../payments/payment-method.js'
import { holdsCapacityCondition, ticketStandsCondition } from '../orders/order.states.js'

/** What one person took at the desk of an event. */
export interface PersonTakings {
  /** As the audit log names them: an account's e-mail. */
  person: string
  /** Money taken by each way the desk takes it, one sum per currency. */
  money: Record<DeskMethodId, Money[]>
  /** Tickets given away free, and tickets sold (given away ones among them), that still stand (their order, and they themselves, not cancelled). */
  complimentaryTickets: number
  tickets: number
}

/**
 * The desk's takings of an event, per person, in two reads: the money of the
 * payments they recorded as they sold (whatever became of the order since:
 * money given back later is a refund, which the event's revenue takes off),
 * and the tickets of theirs that still hold their place.
 */
export async function deskTakings(db: Db, eventId: number): Promise<PersonTakings[]> {
  const taken = await db
    .selectFrom('payments')
    .innerJoin('orders', 'orders.id', 'payments.orderId')
    .select((eb) => ['orders.soldBy', 'payments.method', 'payments.currency', eb.fn.sum<number>('payments.amountMinor').as('minor')])
    .where('orders.eventId', '=', eventId)
    .where('orders.salesChannel', '=', 'box-office')
    .where('payments.state', '=', 'paid')
    .groupBy(['orders.soldBy', 'payments.method', 'payments.currency'])
    .orderBy('payments.currency')
    .execute()
  const tickets = await db
    .selectFrom('orders')
    .innerJoin('tickets', 'tickets.orderId', 'orders.id')
    .select((eb) => ['orders.soldBy', 'orders.paymentMethod', eb.fn.countAll<number>().as('tickets')])
    .where('orders.eventId', '=', eventId)
    .where('orders.salesChannel', '=', 'box-office')
    .where(holdsCapacityCondition)
    .where(ticketStandsCondition)
    .groupBy(['orders.soldBy', 'orders.paymentMethod'])
    .execute()
  const people = new Map<string, PersonTakings>()
  const of = (person: string | null) => {
    const name = person ?? ''
    let found = people.get(name)
    if (!found) {
      found = { person: name, money: { cash: [], 'card-terminal': [] }, complimentaryTickets: 0, tickets: 0 }
      people.set(name, found)
    }
    return found
  }
  // pg answers sums and counts as strings: read as numbers here.
  for (const row of taken) {
    if (isDeskMethod(row.method)) of(row.soldBy).money[row.method].push({ minor: Number(row.minor), currency: row.currency })
  }
  for (const row of tickets) {
    const person = of(row.soldBy)
    person.tickets += Number(row.tickets)
    if (row.paymentMethod === COMPLIMENTARY) person.complimentaryTickets += Number(row.tickets)
  }
  return [...people.values()].sort((a, b) => a.person.localeCompare(b.person))
}
