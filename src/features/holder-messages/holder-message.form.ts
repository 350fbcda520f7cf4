import type { CheckInAudience } from '../../db/schema.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import type { Translate } from '../../i18n/translate.js'
import type { HolderMessageInput } from './holder-message.service.js'

export const MAX_SUBJECT = 200
const MAX_BODY = 10_000
const CHECK_IN_CHOICES: readonly CheckInAudience[] = ['any', 'in', 'out']
/** The key the preview gives its Send form (randomSecret): one message per key. */
const FORM_KEY = /^[A-Za-z0-9_-]{16,64}$/

/** The form as typed, to show again. */
export interface MessageFormValues {
  subject: string
  body: string
  /** 'all' ticket types, or the chosen 'types'. */
  audience: 'all' | 'types'
  /** The ids of the types ticked, as sent. */
  typeIds: string[]
  checkIn: CheckInAudience
}

export function blankMessageForm(): MessageFormValues {
  return { subject: '', body: '', audience: 'all', typeIds: [], checkIn: 'any' }
}

/**
 * The message form: a subject (one line), the message (plain text, its line
 * breaks kept as "\n"), and its audience: every ticket type or those ticked
 * (of this event's), and everyone, those let in, or those not let in yet.
 */
export function parseMessageForm(
  body: unknown,
  ticketTypeIds: readonly number[],
  t: Translate,
): { values: MessageFormValues; errors: FieldErrors; input: HolderMessageInput | null } {
  const form = new FormReader(body, t)
  const audience = form.text('audience')
  const checkIn = form.text('checkIn')
  const values: MessageFormValues = {
    // One line: a line break in a subject is no one's typing (a text field sends none).
    subject: form.text('subject').replace(/\s+/g, ' '),
    body: form.text('body').replace(/\r\n?/g, '\n'),
    audience: audience === 'types' ? 'types' : 'all',
    typeIds: form
      .names('type_')
      .filter((name) => form.checkbox(name))
      .map((name) => name.slice('type_'.length)),
    checkIn: CHECK_IN_CHOICES.find((choice) => choice === checkIn) ?? 'any',
  }
  if (values.subject === '') form.fail('subject', t('holderMessages.form.subjectMissing'))
  else if (values.subject.length > MAX_SUBJECT) form.fail('subject', t('forms.field.tooLong', { max: MAX_SUBJECT }))
  if (values.body === '') form.fail('body', t('holderMessages.form.bodyMissing'))
  else if (values.body.length > MAX_BODY) form.fail('body', t('forms.field.tooLong', { max: MAX_BODY }))
  // Radio buttons: the form always sends one; anything else was not chosen on it, and sends to no one.
  if (audience !== 'all' && audience !== 'types') form.fail('audience', t('holderMessages.form.audienceMissing'))
  if (!CHECK_IN_CHOICES.includes(checkIn as CheckInAudience)) form.fail('checkIn', t('holderMessages.form.audienceMissing'))
  const chosen = ticketTypeIds.filter((id) => values.typeIds.includes(String(id)))
  if (values.audience === 'types' && chosen.length === 0) form.fail('types', t('holderMessages.form.typesMissing'))
  if (!form.ok) return { values, errors: form.errors, input: null }
  return {
    values,
    errors: form.errors,
    input: {
      subject: values.subject,
      body: values.body,
      audience: { ticketTypeIds: values.audience === 'types' ? chosen : null, checkIn: values.checkIn },
    },
  }
}

/** The Send form's key, or null when it is missing or not one the preview made. */
export function formKeyOf(body: unknown): string | null {
  const key = new FormReader(body).text('key')
  return FORM_KEY.test(key) ? key : null
}
