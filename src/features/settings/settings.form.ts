import type { SignupPolicy } from '../../db/schema.js'
import { type FormReader, isEmail } from '../../lib/forms.js'
import { RETIRED_CURRENCIES, isValidCurrency, isValidTimeZone } from '../../lib/format.js'
import type { SiteSettings } from './settings.repository.js'

export const SITE_NAME_MAX = 80
export const DESCRIPTION_MAX = 500

export const SIGNUP_POLICIES: { value: SignupPolicy; label: string; hint: string }[] = [
  { value: 'open', label: 'Open', hint: 'Anyone who signs up may organise events.' },
  { value: 'approval', label: 'Approval', hint: 'People may ask to organise; an admin approves each request in the user list.' },
  { value: 'closed', label: 'Closed', hint: 'Sign-ups are attendees only; admins make organisers in the user list.' },
]

/** The settings form as typed (trimmed, currency upper-cased), with a message per invalid field. */
export function readSettings(form: FormReader): SiteSettings {
  const settings = {
    siteName: form.text('siteName'),
    siteDescription: form.text('siteDescription'),
    contactEmail: form.text('contactEmail'),
    currency: form.text('currency').toUpperCase(),
    timeZone: form.text('timeZone'),
    signupPolicy: form.text('signupPolicy') as SignupPolicy,
  }
  if (!settings.siteName) form.fail('siteName', 'Enter the name of the site.')
  else if (settings.siteName.length > SITE_NAME_MAX) form.fail('siteName', `Use at most ${SITE_NAME_MAX} characters.`)
  if (settings.siteDescription.length > DESCRIPTION_MAX) form.fail('siteDescription', `Use at most ${DESCRIPTION_MAX} characters.`)
  if (settings.contactEmail && !isEmail(settings.contactEmail)) {
    form.fail('contactEmail', 'Enter an email address like tickets@example.com, or leave it empty.')
  }
  const successor = RETIRED_CURRENCIES[settings.currency]
  // A site that chose it before it was withdrawn still sees it selected, and is asked to move on.
  if (successor) form.fail('currency', `${settings.currency} is no longer in use: choose ${successor}, which replaced it.`)
  else if (!isValidCurrency(settings.currency)) form.fail('currency', 'Choose a currency by its three-letter ISO 4217 code, such as EUR.')
  if (!isValidTimeZone(settings.timeZone)) form.fail('timeZone', 'Choose a time zone by its IANA name, such as Europe/Berlin.')
  if (!SIGNUP_POLICIES.some((policy) => policy.value === settings.signupPolicy)) {
    form.fail('signupPolicy', 'Choose who may become an organiser.')
  }
  return settings
}
