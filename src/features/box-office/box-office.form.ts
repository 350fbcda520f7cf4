import type { TicketTypeRow } from '../../db/schema.js'
import type { Translate } from '../../i18n/translate.js'
import { FormReader } from '../../lib/forms.js'
import { COMPLIMENTARY, isDeskMethod } from '../payments/payment-method.js'
import { type ParsedPurchaseForm, type PurchaseFormValues, parsePurchaseForm } from '../purchase/purchase.form.js'
import type { DeskPayment } from '../purchase/purchase.service.js'

/** The longest reason for complimentary tickets: a line, for the takings and the audit log. */
export const MAX_REASON_LENGTH = 200

/** The desk's form as typed: the buy form's fields (`payment` is how the desk was paid), and why tickets are given away. */
export interface DeskFormValues extends PurchaseFormValues {
  payment: string
  reason: string
}

export interface ParsedDeskForm extends Omit<ParsedPurchaseForm, 'values'> {
  values: DeskFormValues
  /** How it was paid; null when the tickets cost nothing and nothing was said. */
  payment: DeskPayment | null
}

/**
 * Reads the desk's form: tickets and seats as the buy form reads them, but
 * past the ticket types' own per-order limits (the desk sells at the
 * organiser's judgement, the site's limit per order aside) and with the
 * e-mail address left out if the buyer gives none. How it was paid must be
 * said when the tickets cost something (`costs`: the ticket types of the
 * tickets chosen, the seats ticked among them); complimentary tickets need a
 * reason. Every mistake is a message at its field, never a throw.
 */
export function parseDeskForm(
  body: unknown,
  types: TicketTypeRow[],
  maxTicketsPerOrder: number,
  t: Translate,
  seatTypes: number[],
): ParsedDeskForm {
  const form = new FormReader(body)
  const parsed = parsePurchaseForm(body, types, { maxTicketsPerOrder, typeLimits: false, emailRequired: false }, t, seatTypes.length)
  const values: DeskFormValues = { ...parsed.values, payment: form.text('payment'), reason: form.text('reason').trim() }
  const errors = { ...parsed.errors }
  const priced = new Set(types.filter((type) => type.priceMinor > 0).map((type) => type.id))
  const costs = [...parsed.quantities.keys(), ...seatTypes].some((typeId) => priced.has(typeId))
  let payment: DeskPayment | null = null
  if (values.payment === COMPLIMENTARY) {
    if (values.reason === '') errors.reason = t('boxOffice.form.reasonMissing')
    else if (values.reason.length > MAX_REASON_LENGTH) errors.reason = t('forms.field.tooLong', { max: MAX_REASON_LENGTH })
    else payment = { method: COMPLIMENTARY, reason: values.reason }
  } else if (isDeskMethod(values.payment)) {
    payment = { method: values.payment }
  } else if (costs) {
    errors.payment = t('boxOffice.form.paymentMissing')
  }
  return { ...parsed, values, errors, payment }
}
