/**
 * A discount or access code as every feature sees it: its row mapped at the
 * repository edge (booleans, the list of ticket types), and what it does to a
 * ticket type: whether it applies to it, whether it unlocks it, and the
 * price of one ticket of it with the code. Pure: no database here.
 */
import type { CodeCountedPer, CodeDiscount, CodeRow, TicketTypeRow } from '../../db/schema.js'
import { type Money, money } from '../../lib/money.js'

export interface Code {
  id: number
  eventId: number
  /** As the organiser typed it (or as generated). */
  code: string
  discount: CodeDiscount
  /** Percent points for 'percent', minor units for 'amount' and 'price', 0 for 'none'. */
  amount: number
  /** The ticket types it applies to (and unlocks when hidden); null: every type that is not hidden. */
  ticketTypeIds: number[] | null
  validFrom: number | null
  validUntil: number | null
  maxUses: number | null
  countedPer: CodeCountedPer
  maxPerOrder: number | null
  reserved: boolean
  used: number
  /** Tickets it keeps aside now (a reserved code), counted in its type's and its event's `held`. */
  kept: number
  enabled: boolean
  createdAt: number
  updatedAt: number
}

export const CODE_DISCOUNTS: readonly CodeDiscount[] = ['percent', 'amount', 'price', 'none']
export const CODE_COUNTED_PER: readonly CodeCountedPer[] = ['order', 'ticket']

/** What may be typed as a code: letters, digits, '-' and '_', up to 40; these fold to one case unambiguously, and ride in a link as they are. */
export const CODE_TEXT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/

/** A code as compared: what the buyer typed, trimmed and in upper case. Codes are case-blind. */
export function codeKey(typed: string): string {
  return typed.trim().toUpperCase()
}

export function toCode(row: CodeRow): Code {
  return {
    id: row.id,
    eventId: row.eventId,
    code: row.code,
    discount: row.discount,
    amount: row.amount,
    ticketTypeIds: parseTypeIds(row.ticketTypeIds),
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    maxUses: row.maxUses,
    countedPer: row.countedPer,
    maxPerOrder: row.maxPerOrder,
    reserved: row.reserved === 1,
    used: row.used,
    kept: row.kept,
    enabled: row.enabled === 1,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/** The stored list of ticket types: ids comma-separated, '' for every type. */
export function typeIdsColumn(ticketTypeIds: readonly number[] | null): string {
  return ticketTypeIds === null ? '' : [...ticketTypeIds].sort((a, b) => a - b).join(',')
}

function parseTypeIds(column: string): number[] | null {
  return column === '' ? null : column.split(',').map(Number)
}

/**
 * Whether the code applies to tickets of this type: a type it names, or, a
 * code for every type, any type that is not hidden. A hidden type is unlocked
 * only by a code that names it, so a general code never shows a press list.
 */
export function appliesTo(code: Pick<Code, 'ticketTypeIds'>, type: Pick<TicketTypeRow, 'id' | 'hidden'>): boolean {
  return code.ticketTypeIds === null ? type.hidden === 0 : code.ticketTypeIds.includes(type.id)
}

/** The hidden types this code opens to its holder. */
export function unlockedBy(code: Pick<Code, 'ticketTypeIds'> | null, types: Pick<TicketTypeRow, 'id' | 'hidden'>[]): Set<number> {
  if (!code) return new Set()
  return new Set(types.filter((type) => type.hidden === 1 && appliesTo(code, type)).map((type) => type.id))
}

/**
 * The price of one ticket at `unitMinor` with the code: a percentage off
 * (rounded to the nearest minor unit, halves up), an amount off, or a set
 * price, never below nothing, and never above the price without the code.
 */
export function priceWithCode(code: Pick<Code, 'discount' | 'amount'>, unitMinor: number): number {
  switch (code.discount) {
    case 'percent':
      return unitMinor - Math.round((unitMinor * code.amount) / 100)
    case 'amount':
      return Math.max(0, unitMinor - code.amount)
    case 'price':
      return Math.min(unitMinor, code.amount)
    case 'none':
      return unitMinor
  }
}

/** The tickets of each type of a cart the code applies to, and how many uses of it the cart takes. */
export interface CodeApplied {
  /** Ticket type id → how many of the cart's tickets of it the code applies to. */
  byType: Map<number, number>
  tickets: number
  /** Uses the order takes: each ticket it applies to, or one for the order. */
  uses: number
}

export function appliedTo(
  code: Pick<Code, 'ticketTypeIds' | 'countedPer'>,
  lines: [number, number][],
  types: Pick<TicketTypeRow, 'id' | 'hidden'>[],
): CodeApplied {
  const byType = new Map<number, number>()
  for (const [ticketTypeId, quantity] of lines) {
    const type = types.find((candidate) => candidate.id === ticketTypeId)
    if (type && appliesTo(code, type)) byType.set(ticketTypeId, quantity)
  }
  const tickets = [...byType.values()].reduce((sum, quantity) => sum + quantity, 0)
  return { byType, tickets, uses: tickets === 0 ? 0 : code.countedPer === 'ticket' ? tickets : 1 }
}

/** The price of one ticket of each type with the code (as without it, for the types it does not apply to); each type's own price without a code. */
export function pricesWithCode(
  code: Pick<Code, 'ticketTypeIds' | 'discount' | 'amount'> | null,
  types: Pick<TicketTypeRow, 'id' | 'hidden' | 'priceMinor'>[],
  currency: string,
): Map<number, Money> {
  return new Map(
    types.map((type) => [type.id, money(code && appliesTo(code, type) ? priceWithCode(code, type.priceMinor) : type.priceMinor, currency)]),
  )
}
