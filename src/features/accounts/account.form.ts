import { say } from '../../i18n/translate.js'
import { type FormReader, isEmail } from '../../lib/forms.js'
import { passwordProblem } from './passwords.js'
import { normaliseEmail } from './user.repository.js'

export const NAME_MAX = 100

export interface NewAccountInput {
  name: string
  email: string
  password: string
}

/**
 * The name, email and password of a new account, with a message per field
 * recorded on the form in its language. Registration, first-run setup and the command line
 * all read accounts through here, so one rule set applies everywhere.
 */
export function readNewAccount(form: FormReader): NewAccountInput {
  const account = {
    name: form.text('name'),
    email: normaliseEmail(form.text('email')),
    password: form.text('password', { raw: true }),
  }
  if (!account.name) form.fail('name', form.t('accounts.form.nameMissing'))
  else if (account.name.length > NAME_MAX) form.fail('name', form.t('forms.field.tooLong', { max: NAME_MAX }))
  if (!isEmail(account.email)) form.fail('email', form.t('accounts.form.emailInvalid'))
  const problem = passwordProblem(account.password)
  if (problem) form.fail('password', say(form.t, problem))
  return account
}
