/**
 * The organiser's form to send an order's mail again (src/features/orders/resend.ts):
 * the address, as the order has it or corrected. The orders page carries it
 * for each order; a form with a mistake, or refused, comes back on a page of
 * its own, as typed.
 */
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { type FieldErrors, FormReader, isEmail } from '../../lib/forms.js'
import { normaliseEmail } from '../accounts/user.repository.js'
import { ORDER_STATUS_MESSAGES } from '../orders/order.states.js'
import { RESENDS_PER_ORDER_PER_HOUR, type OrderMailKind, currentMailOf } from '../orders/resend.js'
import type { OrderWithTickets } from '../purchase/order.repository.js'

export interface ResendValues {
  email: string
}

/** Reads the form: the address as typed, and the address to send to (lower-cased, as orders keep them) when it is one. */
export function parseResendForm(body: unknown, t: Translate): { values: ResendValues; errors: FieldErrors; to?: string } {
  const form = new FormReader(body, t)
  const values = { email: form.text('email') }
  if (!isEmail(values.email)) form.fail('email', t('orderChanges.resend.emailInvalid'))
  if (!form.ok) return { values, errors: form.errors }
  return { values, errors: {}, to: normaliseEmail(values.email) }
}

/** The words of each mail that may be sent again: on the orders page's button, and on the resend page. */
export const RESEND_BUTTONS: Record<OrderMailKind, MessageKey> = {
  'order-confirmation': 'orderChanges.orders.resendConfirmation',
  'order-awaiting-payment': 'orderChanges.orders.resendAwaitingPayment',
}

const MAIL_NAMES: Record<OrderMailKind, MessageKey> = {
  'order-confirmation': 'orderChanges.resend.mailConfirmation',
  'order-awaiting-payment': 'orderChanges.resend.mailAwaitingPayment',
}

export interface ResendPage {
  event: { id: number; title: string }
  order: { code: string; buyerName: string; statusLabel: string }
  /** What goes, in words; null when nothing can (the order holds no tickets). */
  mail: string | null
  /** Why nothing can go, when nothing can. */
  nothingToSend: string | null
  limitHint: string
  values: ResendValues
  errors: FieldErrors
}

export function resendPage(found: OrderWithTickets, form: { values: ResendValues; errors: FieldErrors }, t: Translate): ResendPage {
  const { order, event } = found
  const mail = currentMailOf(order)
  return {
    event: { id: event.id, title: event.title },
    order: { code: order.code, buyerName: order.buyerName, statusLabel: t(ORDER_STATUS_MESSAGES[order.status]) },
    mail: mail && t(MAIL_NAMES[mail]),
    nothingToSend: mail ? null : t('orderChanges.resend.nothingToSend', { status: order.status, code: order.code }),
    limitHint: t('orderChanges.resend.limitHint', { limit: RESENDS_PER_ORDER_PER_HOUR }),
    values: form.values,
    errors: form.errors,
  }
}
