import type { TicketTypeRow } from '../../db/schema.js'
import { type FieldErrors, FormReader, isEmail } from '../../lib/forms.js'
import type { SeenPrices } from '../pricing/cart-pricing.js'
import type { Translate } from '../../i18n/translate.js'
import type { DetailValues } from '../questions/answers.js'

export interface PurchaseFormValues {
  name: string
  email: string
  /** Ticket type id → the quantity as typed, so a re-rendered form shows it unchanged. */
  quantities: Record<string, string>
  key: string
  /** Seats ticked on a seat map, kept when the form comes back. */
  seats?: number[]
  /** The payment method chosen (a PaymentMethodId), as sent. */
  payment?: string
  /** Names and answers typed on the form's second step, carried as typed while the buyer goes back to the tickets. */
  details?: DetailValues
  /** A discount or access code, as typed (or from the link that opened the form). */
  code?: string
}

/** What the form holds the buyer to: the site's limit per order always; the types' own and an e-mail address unless the box office's desk sells past them. */
export interface PurchaseFormRules {
  maxTicketsPerOrder: number
  /** Each ticket type's per-order limit binds (true unless said). */
  typeLimits?: boolean
  /** An e-mail address must be given (true unless said); one typed must be one. */
  emailRequired?: boolean
}

export interface ParsedPurchaseForm {
  values: PurchaseFormValues
  errors: FieldErrors
  quantities: Map<number, number>
  seen: SeenPrices
}

// However many digits: Number() of a huge one is still above any per-order limit, and the message says that limit.
const WHOLE_NUMBER = /^\d+$/
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/
// Minor units of a price: within orders.total_minor's 32-bit column.
const PRICE_MINOR = /^\d{1,10}$/

/**
 * Reads the buy form against the event's ticket types. Everything a hand-made
 * POST could send wrong (unknown or foreign ticket types, negative, fractional,
 * huge or textual quantities, repeated fields) becomes a message, never a throw.
 */
export function parsePurchaseForm(
  body: unknown,
  types: TicketTypeRow[],
  limits: PurchaseFormRules,
  /** The messages' words. */
  t: Translate,
  /** Seats ticked on the map: tickets too, counted in the order's limit. */
  seatsChosen = 0,
): ParsedPurchaseForm {
  const form = new FormReader(body)
  const seen = { currency: form.text('currency'), prices: new Map<number, number>() }
  const values: PurchaseFormValues = { name: form.text('name'), email: form.text('email'), quantities: {}, key: form.text('key') }
  const quantities = new Map<number, number>()

  for (const field of form.names('qty_')) {
    const typed = form.text(field)
    const type = types.find((candidate) => `qty_${candidate.id}` === field)
    if (!type) {
      form.fail('tickets', t('purchase.form.unknownType'))
      continue
    }
    values.quantities[type.id] = typed
    if (typed === '') continue
    if (!WHOLE_NUMBER.test(typed)) {
      form.fail(field, t('purchase.form.wholeNumber', { type: type.name }))
      continue
    }
    // "00" is as much a zero as "0".
    const quantity = Number(typed)
    if (quantity === 0) continue
    if (limits.typeLimits !== false && quantity > type.maxPerOrder) {
      form.fail(field, t('purchase.form.typeMaxPerOrder', { max: type.maxPerOrder, type: type.name }))
      continue
    }
    quantities.set(type.id, quantity)
  }
  // Every type's price as shown: seats ticked on a map are tickets of their type without a quantity typed.
  for (const type of types) {
    const price = form.text(`price_${type.id}`)
    if (PRICE_MINOR.test(price)) seen.prices.set(type.id, Number(price))
  }
  const total = [...quantities.values()].reduce((sum, quantity) => sum + quantity, seatsChosen)
  if (total > limits.maxTicketsPerOrder) {
    form.fail('tickets', t('purchase.form.orderMax', { max: limits.maxTicketsPerOrder }))
  }
  if (quantities.size === 0 && seatsChosen === 0 && !Object.keys(form.errors).some((name) => name.startsWith('qty_'))) {
    form.fail('tickets', t('purchase.form.chooseOne'))
  }

  if (!values.name) form.fail('name', t('purchase.form.nameMissing'))
  else if (values.name.length > 100) form.fail('name', t('purchase.form.nameTooLong'))
  if (!isEmail(values.email) && (values.email !== '' || limits.emailRequired !== false)) form.fail('email', t('accounts.form.emailInvalid'))
  if (!IDEMPOTENCY_KEY.test(values.key)) {
    form.fail('tickets', t('purchase.form.incomplete'))
  }
  return { values, errors: form.errors, quantities, seen }
}
