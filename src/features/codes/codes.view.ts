/** What the organiser's code pages and the code export show, shaped from the rows once, here. */
import type { CodeCountedPer, CodeDiscount, TicketTypeRow } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { type CsvCell, csvDateTime } from '../../lib/csv.js'
import { formatDateTime, formatMoney, formatRevenue, minorToInput } from '../../lib/format.js'
import { type Money, money } from '../../lib/money.js'
import type { Code } from './code.model.js'
import type { CodeTermsValues } from './code.form.js'
import { CODE_COUNTED_PER, CODE_DISCOUNTS } from './code.model.js'
import { hasCodeEnded, isCodeOpen } from './code.rules.js'

const DISCOUNT_LABELS: Record<CodeDiscount, MessageKey> = {
  percent: 'codes.form.discount.percent',
  amount: 'codes.form.discount.amount',
  price: 'codes.form.discount.price',
  none: 'codes.form.discount.none',
}

const COUNTED_LABELS: Record<CodeCountedPer, MessageKey> = {
  order: 'codes.form.countedPer.order',
  ticket: 'codes.form.countedPer.ticket',
}

/** Where a code stands, as its list says it: usable now, not yet, ended (its dates), switched off. */
export type CodeState = 'open' | 'not-yet' | 'ended' | 'off' | 'used-up'

const STATE_LABELS: Record<CodeState, MessageKey> = {
  open: 'codes.state.open',
  'not-yet': 'codes.state.notYet',
  ended: 'codes.state.ended',
  off: 'codes.state.off',
  'used-up': 'codes.state.usedUp',
}

export function codeState(code: Code, now: number): CodeState {
  if (!code.enabled) return 'off'
  if (hasCodeEnded(code, now)) return 'ended'
  if (!isCodeOpen(code, now)) return 'not-yet'
  if (code.maxUses !== null && code.used >= code.maxUses) return 'used-up'
  return 'open'
}

/** What a code does, in words: "20 % off", "€5.00 off each ticket", "Each ticket €10.00", "No discount". */
export function codeEffect(code: Pick<Code, 'discount' | 'amount'>, currency: string, t: Translate): string {
  switch (code.discount) {
    case 'percent':
      return t('codes.effect.percent', { percent: code.amount })
    case 'amount':
      return t('codes.effect.amount', { amount: formatMoney(money(code.amount, currency)) })
    case 'price':
      return t('codes.effect.price', { price: formatMoney(money(code.amount, currency)) })
    case 'none':
      return t('codes.effect.none')
  }
}

/** The ticket types a code is for, in words, a hidden one said so. */
function codeTypes(code: Pick<Code, 'ticketTypeIds'>, types: Pick<TicketTypeRow, 'id' | 'name' | 'hidden'>[], t: Translate): string {
  if (code.ticketTypeIds === null) return t('codes.list.allTypes')
  const names = types
    .filter((type) => code.ticketTypeIds!.includes(type.id))
    .map((type) => (type.hidden === 1 ? t('codes.list.hiddenType', { name: type.name }) : type.name))
  return t('codes.list.someTypes', { types: names.join(', ') })
}

export interface CodeListItem {
  id: number
  code: string
  effect: string
  types: string
  valid: string
  uses: string
  /** Tickets a reserved code keeps aside now, said; null for none. */
  kept: string | null
  takenOff: string
  state: CodeState
  stateLabel: string
  enabled: boolean
  /** The buy form's link with the code, to mail. */
  link: string
}

export interface CodeContext {
  types: Pick<TicketTypeRow, 'id' | 'name' | 'hidden'>[]
  currency: string
  timeZone: string
  /** Money each code took off the orders that hold tickets, per currency they were paid in. */
  takenOff: Map<number, Money[]>
  /** The buy form's address of the event, to which ?code= is added. */
  buyUrl: string
  now: number
  t: Translate
}

export function toCodeListItem(code: Code, context: CodeContext): CodeListItem {
  const { t, timeZone, currency } = context
  const state = codeState(code, context.now)
  return {
    id: code.id,
    code: code.code,
    effect: codeEffect(code, currency, t),
    types: codeTypes(code, context.types, t),
    valid: validity(code, timeZone, t),
    uses:
      code.maxUses === null
        ? t('codes.list.usesUnlimited', { used: code.used, per: code.countedPer })
        : t('codes.list.usesOf', { used: code.used, max: code.maxUses, per: code.countedPer }),
    kept: code.kept > 0 ? t('codes.list.kept', { kept: code.kept }) : null,
    takenOff: formatRevenue(context.takenOff.get(code.id) ?? [], currency),
    state,
    stateLabel: t(STATE_LABELS[state]),
    enabled: code.enabled,
    link: codeLink(context.buyUrl, code),
  }
}

export function codeLink(buyUrl: string, code: Pick<Code, 'code'>): string {
  return `${buyUrl}?code=${encodeURIComponent(code.code)}`
}

function validity(code: Pick<Code, 'validFrom' | 'validUntil'>, timeZone: string, t: Translate): string {
  const from = code.validFrom === null ? null : formatDateTime(code.validFrom, timeZone)
  const until = code.validUntil === null ? null : formatDateTime(code.validUntil, timeZone)
  if (from && until) return t('codes.list.validFromUntil', { from, until })
  if (from) return t('codes.list.validFrom', { from })
  if (until) return t('codes.list.validUntil', { until })
  return t('codes.list.validAlways')
}

/** The code form's choices: what a code may do, how uses count, and the event's ticket types (hidden ones said so) with those ticked. */
export function codeFormView(values: CodeTermsValues, types: Pick<TicketTypeRow, 'id' | 'name' | 'hidden'>[], t: Translate) {
  return {
    discounts: CODE_DISCOUNTS.map((value) => ({ value, label: t(DISCOUNT_LABELS[value]), checked: values.discount === value })),
    countedPer: CODE_COUNTED_PER.map((value) => ({ value, label: t(COUNTED_LABELS[value]), checked: values.countedPer === value })),
    types: types.map((type) => ({
      id: type.id,
      name: type.name,
      hidden: type.hidden === 1,
      checked: values.types.includes(String(type.id)),
    })),
  }
}

export function codesCsvHeader(t: Translate, timeZone: string): CsvCell[] {
  return [
    t('codes.csv.code'),
    t('codes.csv.discount'),
    t('codes.csv.amount'),
    t('codes.csv.ticketTypes'),
    t('codes.csv.validFrom', { timeZone }),
    t('codes.csv.validUntil', { timeZone }),
    t('codes.csv.maxUses'),
    t('codes.csv.countedPer'),
    t('codes.csv.maxPerOrder'),
    t('codes.csv.reserved'),
    t('codes.csv.uses'),
    t('codes.csv.kept'),
    t('codes.csv.state'),
    t('codes.csv.takenOff'),
    t('codes.csv.currency'),
    t('codes.csv.link'),
  ]
}

/**
 * One row per code, under codesCsvHeader: kinds and states as codes (percent,
 * amount…; open, off…), which a spreadsheet can filter on whatever the
 * language; amounts as plain numbers beside the currency; ticket types by name.
 */
export function toCodesCsvRow(code: Code, context: CodeContext): CsvCell[] {
  const { timeZone, currency } = context
  const takenOff = context.takenOff.get(code.id) ?? []
  const ofSite = takenOff.find((amount) => amount.currency === currency) ?? money(0, currency)
  return [
    code.code,
    code.discount,
    code.discount === 'percent' ? code.amount : code.discount === 'none' ? '' : minorToInput(money(code.amount, currency)),
    code.ticketTypeIds === null
      ? ''
      : context.types
          .filter((type) => code.ticketTypeIds!.includes(type.id))
          .map((type) => type.name)
          .join('; '),
    code.validFrom === null ? '' : csvDateTime(code.validFrom, timeZone),
    code.validUntil === null ? '' : csvDateTime(code.validUntil, timeZone),
    code.maxUses ?? '',
    code.countedPer,
    code.maxPerOrder ?? '',
    code.reserved ? 'yes' : 'no',
    code.used,
    code.kept,
    codeState(code, context.now),
    minorToInput(ofSite),
    currency,
    codeLink(context.buyUrl, code),
  ]
}

/** How many codes the dashboard lists per event; the rest are on the event's codes page. */
const DASHBOARD_CODES = 5

/** An event's codes with uses, as the dashboard lists them: the most used first, and how many more there are. */
export function toCodeUses(codes: Code[], takenOff: Map<number, Money[]>, currency: string) {
  return {
    shown: codes.slice(0, DASHBOARD_CODES).map((code) => ({
      code: code.code,
      uses: code.used,
      takenOff: formatRevenue(takenOff.get(code.id) ?? [], currency),
    })),
    more: Math.max(0, codes.length - DASHBOARD_CODES),
  }
}
