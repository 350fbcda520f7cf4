/**
 * The organiser's code forms: one code typed, or many generated with a
 * prefix, with the same terms. The values as typed (to show again), the
 * errors per field, and, when there is none, the input in the units the
 * database keeps (percent points, minor units, epoch ms).
 */
import type { TicketTypeRow } from '../../db/schema.js'
import type { Translate } from '../../i18n/translate.js'
import { minorToInput, minorUnitsPerMajor, parseAmount } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { money } from '../../lib/money.js'
import { instantToLocalInput, localInputToInstant } from '../../lib/time.js'
import { CODE_COUNTED_PER, CODE_DISCOUNTS, CODE_TEXT, type Code } from './code.model.js'

const MAX_USES = 1_000_000
const MAX_PER_ORDER = 1000
/** The most codes one generation makes. */
export const MAX_GENERATED = 1000
const PREFIX = /^[A-Za-z0-9_-]{0,20}$/

/** What a code does, whoever holds it: the same for one code and for each of a generated batch. */
export type CodeTerms = Pick<
  Code,
  'discount' | 'amount' | 'ticketTypeIds' | 'validFrom' | 'validUntil' | 'maxUses' | 'countedPer' | 'maxPerOrder' | 'reserved'
>

export interface CodeInput extends CodeTerms {
  code: string
}

export interface GenerateInput extends CodeTerms {
  prefix: string
  count: number
}

/** The terms as typed. */
export interface CodeTermsValues {
  discount: string
  percent: string
  amountOff: string
  setPrice: string
  scope: string
  types: string[]
  validFrom: string
  validUntil: string
  maxUses: string
  countedPer: string
  maxPerOrder: string
  reserved: boolean
}

export interface CodeFormValues extends CodeTermsValues {
  code: string
}

export interface GenerateFormValues extends CodeTermsValues {
  prefix: string
  count: string
}

function blankTerms(): CodeTermsValues {
  return {
    discount: 'percent',
    percent: '',
    amountOff: '',
    setPrice: '',
    scope: 'all',
    types: [],
    validFrom: '',
    validUntil: '',
    maxUses: '',
    countedPer: 'order',
    maxPerOrder: '',
    reserved: false,
  }
}

export function blankCodeForm(): CodeFormValues {
  return { ...blankTerms(), code: '' }
}

export function blankGenerateForm(): GenerateFormValues {
  return { ...blankTerms(), prefix: '', count: '100', maxUses: '1' }
}

/** An existing code's form, as the organiser edits it. */
export function codeFormOf(code: Code, currency: string, timeZone: string): CodeFormValues {
  const amount = (minor: number) => minorToInput(money(minor, currency))
  return {
    code: code.code,
    discount: code.discount,
    percent: code.discount === 'percent' ? String(code.amount) : '',
    amountOff: code.discount === 'amount' ? amount(code.amount) : '',
    setPrice: code.discount === 'price' ? amount(code.amount) : '',
    scope: code.ticketTypeIds === null ? 'all' : 'some',
    types: (code.ticketTypeIds ?? []).map(String),
    validFrom: code.validFrom === null ? '' : instantToLocalInput(code.validFrom, timeZone),
    validUntil: code.validUntil === null ? '' : instantToLocalInput(code.validUntil, timeZone),
    maxUses: code.maxUses === null ? '' : String(code.maxUses),
    countedPer: code.countedPer,
    maxPerOrder: code.maxPerOrder === null ? '' : String(code.maxPerOrder),
    reserved: code.reserved,
  }
}

interface Context {
  types: Pick<TicketTypeRow, 'id'>[]
  currency: string
  timeZone: string
  t: Translate
}

export function parseCodeForm(body: unknown, context: Context): { values: CodeFormValues; errors: FieldErrors; input: CodeInput | null } {
  const form = new FormReader(body, context.t)
  const { t } = context
  const code = form.text('code')
  if (code === '') form.fail('code', t('codes.form.error.codeMissing'))
  else if (!CODE_TEXT.test(code)) form.fail('code', t('codes.form.error.codeText'))
  const terms = readTerms(form, context)
  const values = { ...terms.values, code }
  if (!form.ok || !terms.input) return { values, errors: form.errors, input: null }
  return { values, errors: form.errors, input: { ...terms.input, code } }
}

export function parseGenerateForm(
  body: unknown,
  context: Context,
): { values: GenerateFormValues; errors: FieldErrors; input: GenerateInput | null } {
  const form = new FormReader(body, context.t)
  const { t } = context
  const prefix = form.text('prefix')
  const countText = form.text('count')
  if (!PREFIX.test(prefix)) form.fail('prefix', t('codes.form.error.prefix'))
  const count = readWhole(form, t, 'count', countText, 1, MAX_GENERATED)
  const terms = readTerms(form, context)
  const values = { ...terms.values, prefix, count: countText }
  if (!form.ok || !terms.input || count === null) return { values, errors: form.errors, input: null }
  return { values, errors: form.errors, input: { ...terms.input, prefix, count } }
}

function readTerms(form: FormReader, { types, currency, timeZone, t }: Context): { values: CodeTermsValues; input: CodeTerms | null } {
  const values: CodeTermsValues = {
    discount: form.text('discount'),
    percent: form.text('percent'),
    amountOff: form.text('amountOff'),
    setPrice: form.text('setPrice'),
    scope: form.text('scope'),
    types: form.list('type'),
    validFrom: form.text('validFrom'),
    validUntil: form.text('validUntil'),
    maxUses: form.text('maxUses'),
    countedPer: form.text('countedPer'),
    maxPerOrder: form.text('maxPerOrder'),
    reserved: form.checkbox('reserved'),
  }
  const discount = CODE_DISCOUNTS.find((candidate) => candidate === values.discount)
  let amount: number | null = 0
  if (!discount) form.fail('discount', t('codes.form.error.discountMissing'))
  else if (discount === 'percent') amount = readWhole(form, t, 'percent', values.percent, 1, 100)
  else if (discount === 'amount') amount = readAmount(form, t, 'amountOff', values.amountOff, currency, 1)
  else if (discount === 'price') amount = readAmount(form, t, 'setPrice', values.setPrice, currency, 0)

  let ticketTypeIds: number[] | null = null
  if (values.scope === 'some') {
    const known = new Set(types.map((type) => String(type.id)))
    if (values.types.length === 0) form.fail('scope', t('codes.form.error.typesMissing'))
    else if (values.types.some((id) => !known.has(id))) form.fail('scope', t('codes.form.error.typeUnknown'))
    ticketTypeIds = [...new Set(values.types.map(Number))].sort((a, b) => a - b)
  } else if (values.scope !== 'all') {
    form.fail('scope', t('codes.form.error.scopeMissing'))
  }

  const validFrom = readInstant(form, t, 'validFrom', values.validFrom, timeZone)
  const validUntil = readInstant(form, t, 'validUntil', values.validUntil, timeZone)
  if (validFrom !== null && validUntil !== null && validUntil <= validFrom) form.fail('validUntil', t('codes.form.error.untilBeforeFrom'))
  const maxUses = values.maxUses === '' ? null : readWhole(form, t, 'maxUses', values.maxUses, 1, MAX_USES)
  const countedPer = CODE_COUNTED_PER.find((candidate) => candidate === values.countedPer)
  if (!countedPer) form.fail('countedPer', t('codes.form.error.countedPerMissing'))
  const maxPerOrder = values.maxPerOrder === '' ? null : readWhole(form, t, 'maxPerOrder', values.maxPerOrder, 1, MAX_PER_ORDER)

  // What is kept aside must be one number of one type: what the code has left, each use a ticket.
  if (values.reserved) {
    if (ticketTypeIds === null || ticketTypeIds.length !== 1) form.fail('reserved', t('codes.form.error.reservedOneType'))
    else if (values.maxUses === '') form.fail('reserved', t('codes.form.error.reservedMaxUses'))
    else if (countedPer !== 'ticket') form.fail('reserved', t('codes.form.error.reservedPerTicket'))
  }

  if (!form.ok || !discount || amount === null || !countedPer) return { values, input: null }
  return {
    values,
    input: { discount, amount, ticketTypeIds, validFrom, validUntil, maxUses, countedPer, maxPerOrder, reserved: values.reserved },
  }
}

function readWhole(form: FormReader, t: Translate, name: string, value: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    form.fail(name, t('codes.form.error.wholeNumber', { min, max }))
    return null
  }
  return Number(value)
}

/** An amount of money in the site's currency ("5", "5.50"), at least `min` minor units. */
function readAmount(form: FormReader, t: Translate, name: string, value: string, currency: string, min: number): number | null {
  const amount = /\s/.test(value) ? null : parseAmount(value, currency)
  if (amount === null || amount < min) {
    const digits = Math.round(Math.log10(minorUnitsPerMajor(currency)))
    form.fail(name, t('codes.form.error.amount', { example: digits === 0 ? '5' : `5.${'0'.padEnd(digits, '0')}` }))
    return null
  }
  return amount
}

function readInstant(form: FormReader, t: Translate, name: string, value: string, timeZone: string): number | null {
  if (value === '') return null
  const instant = localInputToInstant(value, timeZone)
  if (instant === null) form.fail(name, t('codes.form.error.dateTime'))
  return instant
}
