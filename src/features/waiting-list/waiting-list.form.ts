import type { TicketTypeRow } from '../../db/schema.js'
import { type FieldErrors, FormReader, isEmail } from '../../lib/forms.js'

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

/** The join form: a name, an address, and how many tickets, up to what one order of the type may hold. */
export function parseJoinForm(
  body: unknown,
  type: Pick<TicketTypeRow, 'name' | 'maxPerOrder'>,
  maxTicketsPerOrder: number,
): { values: JoinFormValues; errors: FieldErrors; input: JoinInput | null } {
  const form = new FormReader(body)
  const values: JoinFormValues = { name: form.text('name'), email: form.text('email'), quantity: form.text('quantity') }
  const most = Math.min(type.maxPerOrder, maxTicketsPerOrder)
  if (!values.name) form.fail('name', 'Enter your name.')
  else if (values.name.length > 100) form.fail('name', 'Use at most 100 characters.')
  if (!isEmail(values.email)) form.fail('email', 'Enter an email address like name@example.com.')
  const quantity = /^\d{1,6}$/.test(values.quantity) ? Number(values.quantity) : null
  if (quantity === null || quantity < 1 || quantity > most) {
    form.fail('quantity', `Enter how many ${type.name} tickets you want, from 1 to ${most}.`)
  }
  if (!form.ok || quantity === null) return { values, errors: form.errors, input: null }
  return { values, errors: form.errors, input: { name: values.name, email: values.email, quantity } }
}
