import { FormReader, isEmail } from '../../lib/forms.js'
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
 * recorded on the form. Registration, first-run setup and the command line
 * all read accounts through here, so one rule set applies everywhere.
 */
export function readNewAccount(form: FormReader): NewAccountInput {
  const account = {
    name: form.text('name'),
    email: normaliseEmail(form.text('email')),
    password: form.text('password', { raw: true }),
  }
  if (!account.name) form.fail('name', 'Enter your name.')
  else if (account.name.length > NAME_MAX) form.fail('name', `Use at most ${NAME_MAX} characters.`)
  if (!isEmail(account.email)) form.fail('email', 'Enter an email address like name@example.com.')
  const problem = passwordProblem(account.password)
  if (problem) form.fail('password', problem)
  return account
}
