/**
 * The rules of a code, each once, as a predicate with its SQL twin (as the
 * events' rules are): whether it may be used now, and whether it has uses
 * left for an order. The purchase asks the predicates of what it read, and
 * the twins are the conditions of its guarded UPDATE; why a code is refused
 * is a reason with its parameters, put in words by codeRefusalText.
 */
import type { ExpressionBuilder } from 'kysely'
import type { Database, TicketTypeRow } from '../../db/schema.js'
import type { Translate } from '../../i18n/translate.js'
import { DomainError } from '../../lib/errors.js'
import { formatDateTime } from '../../lib/format.js'
import { type Code, type CodeApplied, appliedTo, appliesTo } from './code.model.js'

/** Why a code cannot be used for this order. */
export type CodeRefusal =
  | { code: 'unknown' }
  | { code: 'switched-off' }
  | { code: 'not-yet'; from: number; timeZone: string }
  | { code: 'expired' }
  /** None left (`left` 0), or fewer than the order would take. */
  | { code: 'used-up'; left: number }
  | { code: 'not-for-these' }
  | { code: 'over-code-limit'; max: number }

/** A code the buyer gave cannot be used for this order: nothing was written; the form comes back with why at the code, the rest kept. */
export class CodeRefused extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'codes.refusal.title'
  constructor(readonly reason: CodeRefusal) {
    super(reason.code)
  }
}

/** The code may be used at `now`: switched on, and within its dates. */
export function isCodeOpen(code: Pick<Code, 'enabled' | 'validFrom' | 'validUntil'>, now: number): boolean {
  return code.enabled && (code.validFrom === null || code.validFrom <= now) && (code.validUntil === null || code.validUntil > now)
}

/** The same rule as isCodeOpen, as a WHERE condition on `codes`. */
export function codeOpenCondition(now: number) {
  return (eb: ExpressionBuilder<Database, 'codes'>) =>
    eb.and([
      eb('codes.enabled', '=', 1),
      eb.or([eb('codes.validFrom', 'is', null), eb('codes.validFrom', '<=', now)]),
      eb.or([eb('codes.validUntil', 'is', null), eb('codes.validUntil', '>', now)]),
    ])
}

/** The code has ended for good (switched off, or past its end): what it kept aside goes back. */
export function hasCodeEnded(code: Pick<Code, 'enabled' | 'validUntil'>, now: number): boolean {
  return !code.enabled || (code.validUntil !== null && code.validUntil <= now)
}

/** The same rule as hasCodeEnded, as a WHERE condition on `codes`. */
export function codeEndedCondition(now: number) {
  return (eb: ExpressionBuilder<Database, 'codes'>) =>
    eb.or([eb('codes.enabled', '=', 0), eb.and([eb('codes.validUntil', 'is not', null), eb('codes.validUntil', '<=', now)])])
}

/** Uses left of the code; Infinity without a limit. */
export function usesLeft(code: Pick<Code, 'maxUses' | 'used'>): number {
  return code.maxUses === null ? Infinity : Math.max(0, code.maxUses - code.used)
}

/** `uses` more fit the code's limit: the SQL twin of usesLeft() >= uses, the purchase's guarded UPDATE. */
export function codeHasUsesFor(uses: number) {
  return (eb: ExpressionBuilder<Database, 'codes'>) =>
    eb.or([eb('codes.maxUses', 'is', null), eb(eb('codes.used', '+', uses), '<=', eb.ref('codes.maxUses'))])
}

/** The rule of the guarded UPDATE of a code's uses, as a seam: a concurrency test's control passes one that always holds. */
export interface CodeRules {
  codeHasUsesFor: typeof codeHasUsesFor
}

/**
 * Why the code cannot be used at all now, whatever tickets are chosen, or
 * null: what the buy form says as soon as the code is typed or linked.
 */
export function codeStandsRefusal(code: Code | undefined, now: number, timeZone: string): CodeRefusal | null {
  if (!code) return { code: 'unknown' }
  if (!code.enabled) return { code: 'switched-off' }
  if (code.validFrom !== null && code.validFrom > now) return { code: 'not-yet', from: code.validFrom, timeZone }
  if (!isCodeOpen(code, now)) return { code: 'expired' }
  if (usesLeft(code) === 0) return { code: 'used-up', left: 0 }
  return null
}

/**
 * Why this code cannot be used for these lines now, or null and what it
 * applies to: the one place a code is refused, from what the purchase read
 * before its transaction and from the row inside it when the guard refused.
 * A code that applies to none of the tickets chosen is refused rather than
 * ignored: its holder expects it to count.
 */
export function codeVerdict(
  code: Code | undefined,
  lines: [number, number][],
  types: Pick<TicketTypeRow, 'id' | 'hidden'>[],
  now: number,
  timeZone: string,
): { refusal: CodeRefusal; applied: null } | { refusal: null; applied: CodeApplied } {
  const refused = (refusal: CodeRefusal) => ({ refusal, applied: null })
  const standing = codeStandsRefusal(code, now, timeZone)
  if (standing || !code) return refused(standing ?? { code: 'unknown' })
  // A hidden type the code does not name: its form came from before the code changed.
  const hiddenNotMine = lines.some(([ticketTypeId]) => {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    return type !== undefined && type.hidden === 1 && !appliesTo(code, type)
  })
  const applied = appliedTo(code, lines, types)
  if (hiddenNotMine || applied.tickets === 0) return refused({ code: 'not-for-these' })
  if (code.maxPerOrder !== null && applied.tickets > code.maxPerOrder) return refused({ code: 'over-code-limit', max: code.maxPerOrder })
  const left = usesLeft(code)
  if (applied.uses > left) return refused({ code: 'used-up', left: code.countedPer === 'ticket' ? left : 0 })
  return { refusal: null, applied }
}

/** The words for why a code was refused, as the buy form says them at the code field. */
export function codeRefusalText(t: Translate, reason: CodeRefusal): string {
  switch (reason.code) {
    case 'unknown':
      return t('codes.refusal.unknown')
    case 'switched-off':
      return t('codes.refusal.switchedOff')
    case 'not-yet':
      return t('codes.refusal.notYet', { from: formatDateTime(reason.from, reason.timeZone) })
    case 'expired':
      return t('codes.refusal.expired')
    case 'used-up':
      return reason.left === 0 ? t('codes.refusal.usedUp') : t('codes.refusal.fewUsesLeft', { left: reason.left })
    case 'not-for-these':
      return t('codes.refusal.notForThese')
    case 'over-code-limit':
      return t('codes.refusal.overCodeLimit', { max: reason.max })
  }
}
