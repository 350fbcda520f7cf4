import { type Db, isUniqueViolation, type Trx } from '../../db/database.js'
import type { CheckInAction, OrderStatus } from '../../db/schema.js'
import { type DoorCode, isSignedBy, parseDoorCode, signDoorCode } from '../../lib/door-code.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { seatName } from '../seating/seat.model.js'
import { admittedAtDoor, admittedAtDoorCondition } from '../orders/order.states.js'
import { lockOrder } from '../orders/order.writes.js'

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
  event: { id: number; checkInSecret: string | null }
  actorId: number | null
  actorLabel: string
}

export interface TicketAtDoor {
  id: number
  doorCode: string
  holder: string
  typeName: string
  /** "Stalls, row F, seat 12" for a seated ticket. */
  seat: string | null
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
  | { kind: 'cancelled'; ticket: TicketAtDoor }
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
  /** Runs between the read and the write: better-sqlite3 answers synchronously, so on SQLite a race opens only when something yields. */
  beforeWrite?: () => Promise<void>
}

export const GUARDED: AdmissionGuard = { conditional: true, lockOrder: true }

interface TicketRead {
  id: number
  eventId: number
  orderId: number
  orderStatus: OrderStatus
  holder: string
  typeName: string
  allowReentry: number
  checkedInAt: number | null
  checkedInBy: string | null
  checkedInGate: string | null
  section: string | null
  rowLabel: string | null
  seatLabel: string | null
}

/**
 * One scan at the door. Everything that can be refused is refused from what
 * was read, and writes nothing: a code that is not a door code or whose
 * signature is wrong (no lookup at all), one of another event, of a
 * cancelled order, or a ticket already inside. An admission is then one
 * transaction: the order row is locked first (as a cancellation locks it, so
 * the two cannot both win), and the ticket is admitted by a conditional UPDATE
 * that matches only while it is not inside: of two phones scanning the same
 * ticket at the same instant, one is admitted and the other reads who was.
 */
export async function scanTicket(db: Db, scanner: Scanner, scan: Scan, guard: AdmissionGuard = GUARDED): Promise<ScanAnswer> {
  const code = parseDoorCode(scan.code)
  if (!code) return { kind: 'unknown' }
  if (code.eventId !== scanner.event.id) return otherEventAnswer(db, code)
  if (scanner.event.checkInSecret === null || !isSignedBy(code, scanner.event.checkInSecret)) return { kind: 'unknown' }
  const doorCode = signDoorCode(scanner.event.checkInSecret, code.eventId, code.ticketId)

  const read = await readTicket(db, code.ticketId)
  if (!read || read.eventId !== scanner.event.id) return { kind: 'unknown' }
  const ticket: TicketAtDoor = { id: read.id, doorCode, holder: read.holder, typeName: read.typeName, seat: seatOf(read) }
  if (scan.nonce !== null) {
    const earlier = await scanOfNonce(db, scan.nonce, ticket.id)
    if (earlier) return replayAnswer(db, earlier, read, ticket)
  }
  if (!admittedAtDoor(read.orderStatus)) return { kind: 'cancelled', ticket }

  if (scan.mode === 'exit') {
    if (read.allowReentry !== 1) return { kind: 'no-reentry', ticket }
    if (read.checkedInAt === null) return { kind: 'not-inside', ticket }
  } else if (read.checkedInAt !== null) {
    return { kind: 'already', ticket, ...insideSince(read, read.checkedInAt) }
  }

  await guard.beforeWrite?.()
  try {
    if (scan.mode === 'exit') return await checkOut(db, scanner, scan, ticket)
    return await admit(db, scanner, scan, ticket, read.orderId, guard)
  } catch (error) {
    // A nonce the page already used for another ticket: this scan is new all the same.
    if (scan.nonce !== null && isUniqueViolation(error)) return scanTicket(db, scanner, { ...scan, nonce: null }, guard)
    throw error
  }
}

async function admit(
  db: Db,
  scanner: Scanner,
  scan: Scan,
  ticket: TicketAtDoor,
  orderId: number,
  guard: AdmissionGuard,
): Promise<ScanAnswer> {
  return db.transaction().execute(async (trx) => {
    // Under the order's lock, a cancellation either happened already or waits for this admission (and then refuses).
    const order = guard.lockOrder ? await lockOrder(trx, orderId) : 'paid'
    if (order === undefined || !admittedAtDoor(order)) return { kind: 'cancelled', ticket }
    const now = Date.now()
    const admitted = await trx
      .updateTable('tickets')
      .set({ checkedInAt: now, checkedInBy: scanner.actorLabel, checkedInGate: scan.gate })
      .where('id', '=', ticket.id)
      .$if(guard.conditional, (qb) => qb.where('checkedInAt', 'is', null))
      .executeTakeFirst()
    if (Number(admitted.numUpdatedRows) === 0) {
      const inside = await readTicket(trx, ticket.id)
      // The same scan, sent twice at once: the other upload admitted it.
      const earlier = scan.nonce === null ? undefined : await scanOfNonce(trx, scan.nonce, ticket.id)
      if (earlier && inside) return replayAnswer(trx, earlier, inside, ticket)
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
      return earlier && current ? replayAnswer(trx, earlier, current, ticket) : { kind: 'not-inside', ticket }
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
    const scanner = { event: { id: request.eventId, checkInSecret: null }, actorId: request.actor.userId, actorLabel: request.actor.label }
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

export interface DoorCounts {
  /** Tickets inside now. */
  admitted: number
  /** Tickets of paid orders: who may still come. */
  expected: number
}

export async function doorCounts(db: Db, eventId: number): Promise<DoorCounts> {
  const row = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .select((eb) => [eb.fn.count<number>('tickets.id').as('expected'), eb.fn.count<number>('tickets.checkedInAt').as('admitted')])
    .where('orders.eventId', '=', eventId)
    .where(admittedAtDoorCondition)
    .executeTakeFirstOrThrow()
  return { admitted: Number(row.admitted), expected: Number(row.expected) }
}

export interface DoorListLine {
  holder: string
  typeName: string
  seat: string | null
  doorCode: string
  orderCode: string
  checkedInAt: number | null
}

/** Every valid ticket of the event, by holder name, for a printed list when every phone is dead. */
export async function doorList(db: Db, event: { id: number; checkInSecret: string }): Promise<DoorListLine[]> {
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('orders', 'orders.id', 'tickets.orderId')
    .innerJoin('ticketTypes', 'ticketTypes.id', 'tickets.ticketTypeId')
    .leftJoin('seatBookings', 'seatBookings.ticketId', 'tickets.id')
    .leftJoin('seats', 'seats.id', 'seatBookings.seatId')
    .select(['tickets.id', 'orders.buyerName', 'orders.code', 'ticketTypes.name', 'tickets.checkedInAt'])
    .select(['seats.section', 'seats.rowLabel', 'seats.seatLabel'])
    .where('orders.eventId', '=', event.id)
    .where(admittedAtDoorCondition)
    .orderBy('orders.buyerName')
    .orderBy('orders.id')
    .orderBy('tickets.id')
    .execute()
  return rows.map((row) => ({
    holder: row.buyerName,
    typeName: row.name,
    seat: seatOf(row),
    doorCode: signDoorCode(event.checkInSecret, event.id, row.id),
    orderCode: row.code,
    checkedInAt: row.checkedInAt,
  }))
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
      'orders.buyerName as holder',
      'ticketTypes.name as typeName',
      'ticketTypes.allowReentry',
      'tickets.checkedInAt',
      'tickets.checkedInBy',
      'tickets.checkedInGate',
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
async function replayAnswer(db: Db | Trx, earlier: EarlierScan, now: TicketRead, ticket: TicketAtDoor): Promise<ScanAnswer> {
  if (!admittedAtDoor(now.orderStatus)) return { kind: 'cancelled', ticket }
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
