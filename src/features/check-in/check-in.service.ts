import { type Db, isUniqueViolation, type Trx } from '../../db/database.js'
import type { ExpressionBuilder } from 'kysely'
import type { CheckInAction, Database, OrderStatus } from '../../db/schema.js'
import { type DoorCode, isSignedBy, parseDoorCode, signDoorCode } from '../../lib/door-code.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { seatName } from '../seating/seat.model.js'
import {
  type DoorVerdict,
  awaitedAtDoorCondition,
  comesInAtDoorCondition,
  doorVerdict,
  ticketStands,
  ticketStandsCondition,
} from '../orders/order.states.js'
import { lockOrder } from '../orders/order.writes.js'
import { recordPaymentByHand } from '../payments/confirm.js'
import type { PaymentMethod } from '../payments/payment-method.js'
import { type Money, money } from '../../lib/money.js'
import type { Question } from '../questions/question.model.js'
import { answersOfEvent, answersOfTicket, questionsOf } from '../questions/questions.repository.js'

/** entry: let the ticket in; exit: it leaves, to come back later (types that allow re-entry only). */
export type ScanMode = 'entry' | 'exit'

export interface Scan {
  /** What the scanner read or the person typed. */
  code: string
  /** The scan's own id, made by the page: the same scan sent again gets its first answer. */
  nonce: string | null
  gate: string
  mode: ScanMode
  /** When the phone made the scan, if it was queued offline. */
  scannedAt: number | null
}

/** Who scans, for which event: what a door pass grants (see door-staff.ts). */
export interface Scanner {
  /** questionCount: how many questions the event asks (events.question_count); a ticket's answers are read only when it asks some. */
  event: { id: number; checkInSecret: string | null; questionCount?: number }
  actorId: number | null
  actorLabel: string
  /** The payment methods whose unpaid orders the door takes the money of (PaymentMethod.paidAtDoor). */
  paidAtDoor: readonly string[]
}

export interface TicketAtDoor {
  id: number
  doorCode: string
  /** The name on the ticket, or its buyer's when it has none. */
  holder: string
  typeName: string
  /** "Stalls, row F, seat 12" for a seated ticket. */
  seat: string | null
  /** Its answers to the event's questions, then its order's, in the event's order; blank ones left out. */
  answers: GivenAnswer[]
}

/** An answer as given, with its question, for the door to show in words. */
export interface GivenAnswer {
  question: Pick<Question, 'label' | 'kind' | 'options'>
  value: string
}

/** An unpaid order paid at the door: what the door collects before letting its tickets in. */
export interface OrderToCollect {
  code: string
  /** The whole order's: all its tickets are paid at once. */
  total: Money
  tickets: number
}

/** How a ticket this scan let in came to be outside again: the organiser undid it, or it went out (re-entry). */
export interface TakenOut {
  how: 'undone' | 'checked-out'
  at: number
  by: string
}

export type ScanAnswer =
  | { kind: 'admitted'; ticket: TicketAtDoor; at: number; replayed: boolean }
  | { kind: 'already'; ticket: TicketAtDoor; at: number; by: string; gate: string }
  | { kind: 'checked-out'; ticket: TicketAtDoor; replayed: boolean }
  | { kind: 'not-inside'; ticket: TicketAtDoor }
  | { kind: 'taken-out'; ticket: TicketAtDoor; admittedAt: number; takenOut: TakenOut }
  | { kind: 'no-reentry'; ticket: TicketAtDoor }
  | { kind: 'collect'; ticket: TicketAtDoor; order: OrderToCollect }
  | { kind: 'not-paid'; ticket: TicketAtDoor }
  | { kind: 'expired'; ticket: TicketAtDoor }
  /** `alone`: the organiser cancelled this ticket and kept the rest of its order; else the whole order was cancelled. */
  | { kind: 'cancelled'; ticket: TicketAtDoor; alone: boolean }
  | { kind: 'wrong-event'; event: { title: string; startsAt: number; timeZone: string } }
  | { kind: 'unknown' }

/**
 * How an admission writes, as a seam for the concurrency tests' controls.
 * GUARDED admits only a ticket that is not inside, in the UPDATE itself,
 * after locking the order row. A control drops one of the two: `conditional`
 * (trusting what was read before, as a scanner app with a local list would)
 * or `lockOrder` (so a cancellation can slip in). A control passes its own
 * to buildApp (test/helpers/check-then-act.ts).
 */
export interface AdmissionGuard {
  conditional: boolean
  lockOrder: boolean
  /**
   * Runs between the read and the write (of an admission, and of the payment the door takes): better-sqlite3 answers
   * synchronously, so on SQLite a race opens only when something yields.
   */
  beforeWrite?: () => Promise<void>
}

export const GUARDED: AdmissionGuard = { conditional: true, lockOrder: true }

interface TicketRead {
  id: number
  eventId: number
  orderId: number
  orderStatus: OrderStatus
  orderCode: string
  paymentMethod: string
  totalMinor: number
  currency: string
  holder: string
  typeName: string
  allowReentry: number
  checkedInAt: number | null
  checkedInBy: string | null
  checkedInGate: string | null
  cancelledAt: number | null
  section: string | null
  rowLabel: string | null
  seatLabel: string | null
}

/**
 * One scan at the door. Everything that can be refused is refused from what
 * was read, and writes nothing: a code that is not a door code or whose
 * signature is wrong (no lookup at all), one of another event, of an order
 * not paid (an order paid at the door is answered with the money to collect,
 * see collectAndAdmit), lapsed or cancelled, or a ticket already inside. An
 * admission is then one transaction: the order row is locked first (as a
 * cancellation locks it, so the two cannot both win), and the ticket is
 * admitted by a conditional UPDATE that matches only while it is not inside:
 * of two phones scanning the same ticket at the same instant, one is admitted
 * and the other reads who was.
 */
export async function scanTicket(db: Db, scanner: Scanner, scan: Scan, guard: AdmissionGuard = GUARDED): Promise<ScanAnswer> {
  const scanned = await scannedTicket(db, scanner, scan.code)
  if ('kind' in scanned) return scanned
  const { read, ticket } = scanned
  if (scan.nonce !== null) {
    const earlier = await scanOfNonce(db, scan.nonce, ticket.id)
    if (earlier) return replayAnswer(db, scanner, earlier, read, ticket)
  }
  const verdict = verdictOf(scanner, read, read.orderStatus)
  if (verdict !== 'admit') return turnedAway(db, verdict, read, ticket)

  if (scan.mode === 'exit') {
    if (read.allowReentry !== 1) return { kind: 'no-reentry', ticket }
    if (read.checkedInAt === null) return { kind: 'not-inside', ticket }
  } else if (read.checkedInAt !== null) {
    return { kind: 'already', ticket, ...insideSince(read, read.checkedInAt) }
  }

  await guard.beforeWrite?.()
  try {
    if (scan.mode === 'exit') return await checkOut(db, scanner, scan, ticket)
    return await admit(db, scanner, scan, ticket, read, guard)
  } catch (error) {
    // A nonce the page already used for another ticket: this scan is new all the same.
    if (scan.nonce !== null && isUniqueViolation(error)) return scanTicket(db, scanner, { ...scan, nonce: null }, guard)
    throw error
  }
}

/** What the door's "Paid — let in" did: the scan's answer, and whether this request recorded the payment. */
export interface Collected {
  answer: ScanAnswer
  paid: boolean
}

/**
 * The door took the money of an order paid at the door: the payment is
 * recorded by hand (the order's whole total, all its tickets paid at once),
 * and then the ticket is admitted as any scan is, in that order and in two
 * transactions, so that a ticket is never let in on money not recorded.
 * Pressed twice, or on two phones at once, the order is paid once: the
 * payment is a conditional move of the order from unpaid (confirm.ts), and
 * the admission is the scan's own. A ticket with nothing to collect (paid
 * meanwhile, cancelled) gets the scan's answer alone.
 */
export async function collectAndAdmit(
  db: Db,
  scanner: Scanner,
  scan: Scan,
  collector: Actor,
  guard: AdmissionGuard = GUARDED,
): Promise<Collected> {
  const scanned = await scannedTicket(db, scanner, scan.code)
  let paid = false
  if (!('kind' in scanned) && verdictOf(scanner, scanned.read, scanned.read.orderStatus) === 'collect') {
    await guard.beforeWrite?.()
    const recorded = await recordPaymentByHand(db, scanned.read.orderId, scanned.read.paymentMethod, collector)
    paid = recorded.kind === 'paid'
  }
  return { answer: await scanTicket(db, scanner, scan, guard), paid }
}

/** The ticket a code names, read, when the code is one of this event's and its signature holds; else the answer. */
async function scannedTicket(db: Db, scanner: Scanner, text: string): Promise<{ read: TicketRead; ticket: TicketAtDoor } | ScanAnswer> {
  const code = parseDoorCode(text)
  if (!code) return { kind: 'unknown' }
  if (code.eventId !== scanner.event.id) return otherEventAnswer(db, code)
  if (scanner.event.checkInSecret === null || !isSignedBy(code, scanner.event.checkInSecret)) return { kind: 'unknown' }
  const doorCode = signDoorCode(scanner.event.checkInSecret, code.eventId, code.ticketId)

  const read = await readTicket(db, code.ticketId)
  if (!read || read.eventId !== scanner.event.id) return { kind: 'unknown' }
  const answers = scanner.event.questionCount ? await answersAtDoor(db, scanner.event.id, read) : []
  return { read, ticket: { id: read.id, doorCode, holder: read.holder, typeName: read.typeName, seat: seatOf(read), answers } }
}

/** The ticket's answers, then its order's, in the event's order of questions. */
async function answersAtDoor(db: Db, eventId: number, read: TicketRead): Promise<GivenAnswer[]> {
  const questions = await questionsOf(db, eventId)
  const answers = await answersOfTicket(db, read.orderId, read.id)
  return givenAnswers(questions, answers, read.id)
}

function givenAnswers(questions: Question[], answers: { ticketId: number | null; questionId: number; value: string }[], ticketId: number) {
  const of = (mine: number | null) =>
    questions.flatMap((question) => {
      const answer = answers.find((candidate) => candidate.questionId === question.id && candidate.ticketId === mine)
      return answer && answer.value !== '' ? [{ question, value: answer.value }] : []
    })
  return [...of(ticketId), ...of(null)]
}

/** What the door does with the ticket read: its order's verdict, but a ticket cancelled on its own is turned away as cancelled. */
function verdictOf(scanner: Scanner, read: TicketRead, status: OrderStatus): DoorVerdict {
  if (!ticketStands(read)) return 'cancelled'
  return doorVerdict(status, scanner.paidAtDoor.includes(read.paymentMethod))
}

/** The answer to a ticket the door does not let in (yet): the money to collect, or why not. */
async function turnedAway(
  db: Db | Trx,
  verdict: Exclude<DoorVerdict, 'admit'>,
  read: TicketRead,
  ticket: TicketAtDoor,
): Promise<ScanAnswer> {
  if (verdict === 'cancelled') return { kind: verdict, ticket, alone: !ticketStands(read) }
  if (verdict !== 'collect') return { kind: verdict, ticket }
  const tickets = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('orderId', '=', read.orderId)
    .where(ticketStandsCondition)
    .executeTakeFirstOrThrow()
  return {
    kind: 'collect',
    ticket,
    order: { code: read.orderCode, total: money(read.totalMinor, read.currency), tickets: Number(tickets.count) },
  }
}

async function admit(
  db: Db,
  scanner: Scanner,
  scan: Scan,
  ticket: TicketAtDoor,
  read: TicketRead,
  guard: AdmissionGuard,
): Promise<ScanAnswer> {
  return db.transaction().execute(async (trx) => {
    // Under the order's lock, a cancellation either happened already or waits for this admission (and then refuses).
    const order = guard.lockOrder ? await lockOrder(trx, read.orderId) : read.orderStatus
    if (order === undefined) return { kind: 'cancelled', ticket, alone: false }
    const verdict = verdictOf(scanner, read, order)
    if (verdict !== 'admit') return turnedAway(trx, verdict, read, ticket)
    const now = Date.now()
    const admitted = await trx
      .updateTable('tickets')
      .set({ checkedInAt: now, checkedInBy: scanner.actorLabel, checkedInGate: scan.gate })
      .where('id', '=', ticket.id)
      // Cancelled on its own since it was read: the organiser's cancellation took the order's lock first.
      .where(ticketStandsCondition)
      .$if(guard.conditional, (qb) => qb.where('checkedInAt', 'is', null))
      .executeTakeFirst()
    if (Number(admitted.numUpdatedRows) === 0) {
      const inside = await readTicket(trx, ticket.id)
      if (inside && !ticketStands(inside)) return { kind: 'cancelled', ticket, alone: true }
      // The same scan, sent twice at once: the other upload admitted it.
      const earlier = scan.nonce === null ? undefined : await scanOfNonce(trx, scan.nonce, ticket.id)
      if (earlier && inside) return replayAnswer(trx, scanner, earlier, inside, ticket)
      if (inside?.checkedInAt == null) return { kind: 'not-inside', ticket }
      return { kind: 'already', ticket, ...insideSince(inside, inside.checkedInAt) }
    }
    await logCheckIn(trx, scanner, scan, ticket.id, 'in', now)
    return { kind: 'admitted', ticket, at: now, replayed: false }
  })
}

/** A ticket of a type with re-entry leaves: checked out, so that its next scan admits it again. */
async function checkOut(db: Db, scanner: Scanner, scan: Scan, ticket: TicketAtDoor): Promise<ScanAnswer> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now()
    if (!(await takeOut(trx, ticket.id, null))) {
      // The same check-out, sent twice at once: the other upload made it.
      const earlier = scan.nonce === null ? undefined : await scanOfNonce(trx, scan.nonce, ticket.id)
      const current = earlier && (await readTicket(trx, ticket.id))
      return earlier && current ? replayAnswer(trx, scanner, earlier, current, ticket) : { kind: 'not-inside', ticket }
    }
    await logCheckIn(trx, scanner, scan, ticket.id, 'out', now)
    return { kind: 'checked-out', ticket, replayed: false }
  })
}

export interface UndoRequest {
  eventId: number
  ticketId: number
  actor: Actor
}

/** The organiser takes an admission back (a ticket scanned by mistake): audited. False when it was not inside. */
export async function undoCheckIn(db: Db, request: UndoRequest): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const ticket = await readTicket(trx, request.ticketId)
    if (!ticket || ticket.eventId !== request.eventId || ticket.checkedInAt === null) return false
    if (!(await takeOut(trx, ticket.id, ticket.checkedInAt))) return false
    const scanner = {
      event: { id: request.eventId, checkInSecret: null, questionCount: 0 },
      actorId: request.actor.userId,
      actorLabel: request.actor.label,
      paidAtDoor: [],
    }
    const scan = { code: '', nonce: null, gate: ticket.checkedInGate ?? '', mode: 'exit' as const, scannedAt: null }
    await logCheckIn(trx, scanner, scan, ticket.id, 'undo', Date.now())
    await recordAudit(trx, {
      ...auditBy(request.actor),
      action: 'ticket.check_in_undone',
      subjectType: 'ticket',
      subjectId: ticket.id,
      details: { eventId: request.eventId, checkedInAt: ticket.checkedInAt, by: ticket.checkedInBy, gate: ticket.checkedInGate },
    })
    return true
  })
}

/** The ids of the payment methods whose unpaid orders the door takes the money of: what Scanner.paidAtDoor holds. */
export function paidAtDoorMethods(methods: Iterable<Pick<PaymentMethod, 'id' | 'paidAtDoor'>>): string[] {
  return [...methods].filter((method) => method.paidAtDoor).map((method) => method.id)
}

export interface DoorCounts {
  /** Tickets inside now. */
  admitted: number
  /** Tickets the door may let in: of paid orders, and of orders paid at the door. */
  expected: number
}

/** `paidAtDoor`: the payment methods paid at the door (Scanner.paidAtDoor). */
export async function doorCounts(db: Db, eventId: number, paidAtDoor: readonly string[]): Promise<DoorCounts> {
  const row = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .select((eb) => [eb.fn.count<number>('tickets.id').as('expected'), eb.fn.count<number>('tickets.checkedInAt').as('admitted')])
    .where('orders.eventId', '=', eventId)
    .where(comesInAtDoorCondition(paidAtDoor))
    .where(ticketStandsCondition)
    .executeTakeFirstOrThrow()
  return { admitted: Number(row.admitted), expected: Number(row.expected) }
}

export interface DoorListLine {
  /** The name on the ticket, or its buyer's when it has none. */
  holder: string
  typeName: string
  seat: string | null
  doorCode: string
  orderCode: string
  checkedInAt: number | null
  /** Paid ('admit'), to pay at the door ('collect' the order's total), not paid yet otherwise ('not-paid'), or cancelled on its own ('cancelled'); the list holds no other. */
  payment: DoorVerdict
  orderTotal: Money
  /** As TicketAtDoor's. */
  answers: GivenAnswer[]
}

/**
 * Every ticket of the event whose order is not lapsed or cancelled, by holder
 * name, with how it stands with its payment: a printed list for when every
 * phone is dead. A ticket the organiser cancelled on its own stays on it, as
 * cancelled, beside the rest of its order: the door turns it away.
 * `paidAtDoor`: as Scanner.paidAtDoor.
 */
export async function doorList(
  db: Db,
  event: { id: number; checkInSecret: string; questionCount: number },
  paidAtDoor: readonly string[],
): Promise<DoorListLine[]> {
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'tickets.ticketTypeId')
    .leftJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
    .leftJoin('seats', 'seats.id', 'seatBookings.seatId')
    .select((eb) => [
      'tickets.id',
      'orders.id as orderId',
      holderOf(eb).as('holder'),
      'orders.code',
      'ticketTypes.name',
      'tickets.checkedInAt',
      'tickets.cancelledAt',
    ])
    .select(['orders.status', 'orders.paymentMethod', 'orders.totalMinor', 'orders.currency'])
    .select(['seats.section', 'seats.rowLabel', 'seats.seatLabel'])
    .where('orders.eventId', '=', event.id)
    .where(awaitedAtDoorCondition)
    .orderBy('holder')
    .orderBy('orders.id')
    .orderBy('tickets.id')
    .execute()
  const questions = event.questionCount > 0 ? await questionsOf(db, event.id) : []
  const answers = questions.length > 0 ? await answersOfEvent(db, event.id) : []
  const answersOf = new Map<number, typeof answers>()
  for (const answer of answers) answersOf.set(answer.orderId, [...(answersOf.get(answer.orderId) ?? []), answer])
  return rows.map((row) => ({
    holder: row.holder,
    typeName: row.name,
    seat: seatOf(row),
    doorCode: signDoorCode(event.checkInSecret, event.id, row.id),
    orderCode: row.code,
    checkedInAt: row.checkedInAt,
    payment: ticketStands(row) ? doorVerdict(row.status, paidAtDoor.includes(row.paymentMethod)) : 'cancelled',
    orderTotal: money(row.totalMinor, row.currency),
    answers: givenAnswers(questions, answersOf.get(row.orderId) ?? [], row.id),
  }))
}

/** The name the door knows a ticket by: its holder's, or its buyer's when it has none. */
function holderOf(eb: ExpressionBuilder<Database, 'tickets' | 'orders'>) {
  return eb.fn.coalesce('tickets.holderName', 'orders.buyerName')
}

async function otherEventAnswer(db: Db, code: DoorCode): Promise<ScanAnswer> {
  const other = await db
    .selectFrom('events')
    .select(['title', 'startsAt', 'timeZone', 'checkInSecret'])
    .where('id', '=', code.eventId)
    .executeTakeFirst()
  if (!other || other.checkInSecret === null || !isSignedBy(code, other.checkInSecret)) return { kind: 'unknown' }
  return { kind: 'wrong-event', event: { title: other.title, startsAt: other.startsAt, timeZone: other.timeZone } }
}

async function readTicket(db: Db | Trx, ticketId: number): Promise<TicketRead | undefined> {
  return db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'tickets.ticketTypeId')
    .leftJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
    .leftJoin('seats', 'seats.id', 'seatBookings.seatId')
    .select([
      'tickets.id',
      'orders.eventId',
      'orders.id as orderId',
      'orders.status as orderStatus',
      'orders.code as orderCode',
      'orders.paymentMethod',
      'orders.totalMinor',
      'orders.currency',
      (eb) => holderOf(eb).as('holder'),
      'ticketTypes.name as typeName',
      'ticketTypes.allowReentry',
      'tickets.checkedInAt',
      'tickets.checkedInBy',
      'tickets.checkedInGate',
      'tickets.cancelledAt',
      'seats.section',
      'seats.rowLabel',
      'seats.seatLabel',
    ])
    .where('tickets.id', '=', ticketId)
    .executeTakeFirst()
}

interface EarlierScan {
  id: number
  action: CheckInAction
  at: number
}

/** The admission or check-out a scan with this nonce made for this ticket, if one was recorded. */
async function scanOfNonce(db: Db | Trx, nonce: string, ticketId: number): Promise<EarlierScan | undefined> {
  return db
    .selectFrom('checkIns')
    .select(['id', 'action', 'at'])
    .where('nonce', '=', nonce)
    .where('ticketId', '=', ticketId)
    .executeTakeFirst()
}

/**
 * A scan sent again (a form resent, a queued upload sent twice) writes nothing
 * and answers with the ticket as it is now: "admitted" only while the
 * admission this scan made still holds. Since then the organiser may have
 * undone it, the ticket may have gone out and come in again, or the order may
 * have been cancelled.
 */
async function replayAnswer(
  db: Db | Trx,
  scanner: Scanner,
  earlier: EarlierScan,
  now: TicketRead,
  ticket: TicketAtDoor,
): Promise<ScanAnswer> {
  const verdict = verdictOf(scanner, now, now.orderStatus)
  if (verdict !== 'admit') return turnedAway(db, verdict, now, ticket)
  if (now.checkedInAt !== null) {
    if (earlier.action === 'in' && now.checkedInAt === earlier.at) return { kind: 'admitted', ticket, at: earlier.at, replayed: true }
    return { kind: 'already', ticket, ...insideSince(now, now.checkedInAt) }
  }
  if (earlier.action === 'out') return { kind: 'checked-out', ticket, replayed: true }
  const after = await db
    .selectFrom('checkIns')
    .select(['action', 'at', 'actorLabel'])
    .where('ticketId', '=', ticket.id)
    .where('id', '>', earlier.id)
    .where('action', 'in', ['out', 'undo'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow()
  return {
    kind: 'taken-out',
    ticket,
    admittedAt: earlier.at,
    takenOut: { how: after.action === 'undo' ? 'undone' : 'checked-out', at: after.at, by: after.actorLabel },
  }
}

/** Marks the ticket not inside, if it is (and was let in at `since`, when given). */
async function takeOut(trx: Trx, ticketId: number, since: number | null): Promise<boolean> {
  const result = await trx
    .updateTable('tickets')
    .set({ checkedInAt: null, checkedInBy: null, checkedInGate: null })
    .where('id', '=', ticketId)
    .where('checkedInAt', since === null ? 'is not' : '=', since)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Who let an inside ticket in, when and where. */
function insideSince(read: TicketRead, at: number): { at: number; by: string; gate: string } {
  return { at, by: read.checkedInBy ?? '', gate: read.checkedInGate ?? '' }
}

async function logCheckIn(trx: Trx, scanner: Scanner, scan: Scan, ticketId: number, action: CheckInAction, at: number): Promise<void> {
  await trx
    .insertInto('checkIns')
    .values({
      eventId: scanner.event.id,
      ticketId,
      action,
      at,
      scannedAt: scan.scannedAt,
      actorId: scanner.actorId,
      actorLabel: scanner.actorLabel,
      gate: scan.gate,
      nonce: scan.nonce,
    })
    .execute()
}

function seatOf(row: { section: string | null; rowLabel: string | null; seatLabel: string | null }): string | null {
  return row.section === null || row.rowLabel === null || row.seatLabel === null
    ? null
    : seatName({ section: row.section, rowLabel: row.rowLabel, seatLabel: row.seatLabel })
}
