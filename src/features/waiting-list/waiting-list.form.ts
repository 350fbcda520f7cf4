import type { TicketTypeRow } from '../../db/schema.js'
import { type FieldErrors, FormReader, isEmail } from '../../lib/forms.js'
import type { Translate } from '../../i18n/translate.js'

export interface JoinFormValues {
  name: string
  email: string
  quantity: string
}

export interface JoinInput {
  name: string
  email: string
  quantity: number
}

/** The join form: a name, an address, and how many tickets, up to what one order of the type may hold; its messages in the words of `t`. */
export function parseJoinForm(
  body: unknown,
  type: Pick<TicketTypeRow, 'name' | 'maxPerOrder'>,
  maxTicketsPerOrder: number,
  t: Translate,
): { values: JoinFormValues; errors: FieldErrors; input: JoinInput | null } {
  const form = new FormReader(body)
  const values: JoinFormValues = { name: form.text('name'), email: form.text('email'), quantity: form.text('quantity') }
  const most = Math.min(type.maxPerOrder, maxTicketsPerOrder)
  if (!values.name) form.fail('name', t('accounts.form.nameMissing'))
  else if (values.name.length > 100) form.fail('name', t('waitingList.join.nameTooLong'))
  if (!isEmail(values.email)) form.fail('email', t('accounts.form.emailInvalid'))
  const quantity = /^\d{1,6}$/.test(values.quantity) ? Number(values.quantity) : null
  if (quantity === null || quantity < 1 || quantity > most) {
    form.fail('quantity', t('waitingList.join.quantityInvalid', { type: type.name, most }))
  }
  if (!form.ok || quantity === null) return { values, errors: form.errors, input: null }
  return { values, errors: form.errors, input: { name: values.name, email: values.email, quantity } }
}
