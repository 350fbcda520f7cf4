/**
 * The organiser's changes to an event's codes: one typed, many generated,
 * an edit, the switch. Each is one transaction under the event row's lock
 * (the lock every purchase takes first, so a purchase sees a code before or
 * after a change, never half of it), audited with the terms before and after.
 * A reserved code keeps aside what it has left in the same transaction, or
 * the change is refused when that does not fit beside what is sold and held.
 */
import type { Db, Trx } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import { randomCode } from '../../lib/random.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { lockEvent } from '../events/event.repository.js'
import { freeOfEvent } from '../events/event.rules.js'
import { type Code, codeKey, toCode, typeIdsColumn } from './code.model.js'
import type { CodeInput, CodeTerms, GenerateInput } from './code.form.js'
import { keepAside } from './code.uses.js'
import { findCode } from './codes.repository.js'

export const NO_SUCH_CODE = { key: 'codes.notFound' } as const

/** Why a change was refused, at the field it concerns. */
export type CodeChangeRefusal =
  | { field: 'code'; code: 'code-taken'; taken: string }
  | { field: 'count'; code: 'no-room-for-codes'; free: number }
  | { field: 'maxUses'; code: 'below-used'; used: number }
  | { field: 'maxUses'; code: 'no-room'; free: number }
  | { field: 'countedPer'; code: 'counted-locked' }
  | { field: 'event'; code: 'event-cancelled' }

/** Thrown inside a change's transaction to roll it back with its refusal. */
class Refused extends Error {
  constructor(readonly refusal: CodeChangeRefusal) {
    super(refusal.code)
  }
}

async function change<T>(db: Db, eventId: number, work: (trx: Trx) => Promise<T>): Promise<T | CodeChangeRefusal> {
  try {
    return await db.transaction().execute(async (trx) => {
      const event = await lockEvent(trx, eventId)
      if (!event) throw new NotFound()
      if (event.status === 'cancelled') throw new Refused({ field: 'event', code: 'event-cancelled' })
      return work(trx)
    })
  } catch (error) {
    if (error instanceof Refused) return error.refusal
    throw error
  }
}

export function isRefusal(outcome: unknown): outcome is CodeChangeRefusal {
  return typeof outcome === 'object' && outcome !== null && 'field' in outcome
}

export async function createCode(db: Db, actor: Actor, eventId: number, input: CodeInput): Promise<Code | CodeChangeRefusal> {
  return change(db, eventId, async (trx) => {
    const taken = await takenKeys(trx, eventId, [codeKey(input.code)])
    if (taken.length > 0) throw new Refused({ field: 'code', code: 'code-taken', taken: taken[0]! })
    const now = Date.now()
    const [code] = await insertCodes(trx, eventId, [input.code], input, now)
    await keepAsideOrRefuse(trx, code!, now, 'maxUses')
    await audit(trx, actor, 'code.created', code!.id, { eventId, code: input.code, ...termsOf(input) })
    return code!
  })
}

/**
 * Makes `count` codes of the same terms, each the prefix and eight random
 * characters (Crockford's base32: no I, L, O or U to misread). One that
 * happens to be an existing code is drawn again.
 */
export async function generateCodes(db: Db, actor: Actor, eventId: number, input: GenerateInput): Promise<Code[] | CodeChangeRefusal> {
  return change(db, eventId, async (trx) => {
    const texts = new Map<string, string>()
    while (texts.size < input.count) {
      const drawn = new Map<string, string>()
      while (texts.size + drawn.size < input.count) {
        const text = `${input.prefix}${randomCode(8)}`
        if (!texts.has(codeKey(text))) drawn.set(codeKey(text), text)
      }
      const taken = new Set(await takenKeys(trx, eventId, [...drawn.keys()]))
      for (const [key, text] of drawn) if (!taken.has(key)) texts.set(key, text)
    }
    const now = Date.now()
    const codes = await insertCodes(trx, eventId, [...texts.values()], input, now)
    for (const code of codes) await keepAsideOrRefuse(trx, code, now, 'count')
    await audit(trx, actor, 'code.generated', eventId, { eventId, prefix: input.prefix, count: input.count, ...termsOf(input) })
    return codes
  })
}

/**
 * A code's new terms. Its uses stay: orders placed with it keep what they
 * paid, and a cart priced with the old terms is refused with the new prices
 * (the purchase's guard). Its limit cannot go below its uses, and how it
 * counts cannot change once it has any.
 */
export async function updateCode(
  db: Db,
  actor: Actor,
  eventId: number,
  codeId: number,
  input: CodeInput,
): Promise<Code | CodeChangeRefusal> {
  return change(db, eventId, async (trx) => {
    const before = await findCode(trx, eventId, codeId)
    if (!before) throw new NotFound(NO_SUCH_CODE)
    if (codeKey(input.code) !== codeKey(before.code)) {
      const taken = await takenKeys(trx, eventId, [codeKey(input.code)])
      if (taken.length > 0) throw new Refused({ field: 'code', code: 'code-taken', taken: taken[0]! })
    }
    if (input.maxUses !== null && input.maxUses < before.used)
      throw new Refused({ field: 'maxUses', code: 'below-used', used: before.used })
    if (input.countedPer !== before.countedPer && before.used > 0) throw new Refused({ field: 'countedPer', code: 'counted-locked' })
    const now = Date.now()
    const row = await trx
      .updateTable('codes')
      .set({ ...columnsOf(input), code: input.code, codeKey: codeKey(input.code), updatedAt: now })
      .where('id', '=', codeId)
      .returningAll()
      .executeTakeFirstOrThrow()
    await keepAsideOrRefuse(trx, toCode(row), now, 'maxUses', before.ticketTypeIds?.[0])
    await audit(trx, actor, 'code.updated', codeId, {
      eventId,
      before: { code: before.code, ...termsOf(before) },
      after: { code: input.code, ...termsOf(input) },
    })
    return toCode(row)
  })
}

/** Switches a code on or off; false when it was so already. Off, it is refused and keeps nothing aside; on again, a reserved code keeps its tickets aside again. */
export async function switchCode(db: Db, actor: Actor, eventId: number, codeId: number, on: boolean): Promise<boolean | CodeChangeRefusal> {
  return change(db, eventId, async (trx) => {
    const row = await trx
      .updateTable('codes')
      .set({ enabled: on ? 1 : 0, updatedAt: Date.now() })
      .where('id', '=', codeId)
      .where('eventId', '=', eventId)
      .where('enabled', '=', on ? 0 : 1)
      .returningAll()
      .executeTakeFirst()
    if (!row) {
      if (!(await findCode(trx, eventId, codeId))) throw new NotFound(NO_SUCH_CODE)
      return false
    }
    await keepAsideOrRefuse(trx, toCode(row), Date.now(), 'maxUses')
    await audit(trx, actor, on ? 'code.switched_on' : 'code.switched_off', codeId, { eventId, code: row.code })
    return true
  })
}

async function insertCodes(trx: Trx, eventId: number, texts: string[], terms: CodeTerms, now: number): Promise<Code[]> {
  const codes: Code[] = []
  // In slices: a generation may be larger than one statement may bind.
  for (let start = 0; start < texts.length; start += 500) {
    const rows = await trx
      .insertInto('codes')
      .values(
        texts.slice(start, start + 500).map((code) => ({
          eventId,
          code,
          codeKey: codeKey(code),
          ...columnsOf(terms),
          enabled: 1,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .returningAll()
      .execute()
    codes.push(...rows.map(toCode))
  }
  return codes
}

function columnsOf(terms: CodeTerms) {
  return {
    discount: terms.discount,
    amount: terms.amount,
    ticketTypeIds: typeIdsColumn(terms.ticketTypeIds),
    validFrom: terms.validFrom,
    validUntil: terms.validUntil,
    maxUses: terms.maxUses,
    countedPer: terms.countedPer,
    maxPerOrder: terms.maxPerOrder,
    reserved: terms.reserved ? 1 : 0,
  }
}

/** The terms as the audit log keeps them (its dates named …At, which the log shows as dates). */
function termsOf(terms: CodeTerms) {
  return {
    discount: terms.discount,
    amount: terms.amount,
    ticketTypeIds: terms.ticketTypeIds,
    validFromAt: terms.validFrom,
    validUntilAt: terms.validUntil,
    maxUses: terms.maxUses,
    countedPer: terms.countedPer,
    maxPerOrder: terms.maxPerOrder,
    reserved: terms.reserved,
  }
}

/** Those of `keys` that are codes of the event already. */
async function takenKeys(trx: Trx, eventId: number, keys: string[]): Promise<string[]> {
  const taken: string[] = []
  for (let start = 0; start < keys.length; start += 500) {
    const rows = await trx
      .selectFrom('codes')
      .select('code')
      .where('eventId', '=', eventId)
      .where('codeKey', 'in', keys.slice(start, start + 500))
      .execute()
    taken.push(...rows.map((row) => row.code))
  }
  return taken
}

/** A reserved code keeps aside what it has left, or the change is refused, saying how many are free of its type. */
async function keepAsideOrRefuse(trx: Trx, code: Code, now: number, field: 'maxUses' | 'count', keptOn?: number): Promise<void> {
  if (await keepAside(trx, code, now, keptOn)) return
  const type = await trx
    .selectFrom('ticketTypes')
    .innerJoin('events', 'events.id', 'ticketTypes.eventId')
    .select([
      'ticketTypes.capacity',
      'ticketTypes.sold',
      'ticketTypes.held',
      'events.capacity as eventCapacity',
      'events.sold as eventSold',
      'events.held as eventHeld',
    ])
    .where('ticketTypes.id', '=', code.ticketTypeIds![0]!)
    .executeTakeFirstOrThrow()
  const free = Math.min(
    Math.max(0, type.capacity - type.sold - type.held),
    freeOfEvent({ capacity: type.eventCapacity, sold: type.eventSold, held: type.eventHeld }),
  )
  throw new Refused(field === 'count' ? { field, code: 'no-room-for-codes', free } : { field, code: 'no-room', free })
}

function audit(trx: Trx, actor: Actor, action: string, subjectId: number, details: Record<string, unknown>) {
  return recordAudit(trx, {
    ...auditBy(actor),
    action,
    subjectType: action === 'code.generated' ? 'event' : 'code',
    subjectId,
    details,
  })
}
