import type { SignupPolicy } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import { type FormReader, isEmail } from '../../lib/forms.js'
import { RETIRED_CURRENCIES, isValidCurrency, isValidTimeZone } from '../../lib/format.js'
import type { SiteSettings } from './settings.repository.js'

export const SITE_NAME_MAX = 80
export const DESCRIPTION_MAX = 500

/** The sign-up policies in the order the form offers them, with the words of each. */
export const SIGNUP_POLICIES: { value: SignupPolicy; label: MessageKey; hint: MessageKey }[] = [
  { value: 'open', label: 'admin.settings.policy.open', hint: 'admin.settings.policy.openHint' },
  { value: 'approval', label: 'admin.settings.policy.approval', hint: 'admin.settings.policy.approvalHint' },
  { value: 'closed', label: 'admin.settings.policy.closed', hint: 'admin.settings.policy.closedHint' },
]

/** The settings form as typed (trimmed, currency upper-cased), with a message per invalid field in the form's language. */
export function readSettings(form: FormReader): SiteSettings {
  const settings = {
    siteName: form.text('siteName'),
    siteDescription: form.text('siteDescription'),
    contactEmail: form.text('contactEmail'),
    currency: form.text('currency').toUpperCase(),
    timeZone: form.text('timeZone'),
    signupPolicy: form.text('signupPolicy') as SignupPolicy,
  }
  if (!settings.siteName) form.fail('siteName', form.t('admin.settings.form.siteNameMissing'))
  else if (settings.siteName.length > SITE_NAME_MAX) form.fail('siteName', form.t('forms.field.tooLong', { max: SITE_NAME_MAX }))
  if (settings.siteDescription.length > DESCRIPTION_MAX)
    form.fail('siteDescription', form.t('forms.field.tooLong', { max: DESCRIPTION_MAX }))
  if (settings.contactEmail && !isEmail(settings.contactEmail)) {
    form.fail('contactEmail', form.t('admin.settings.form.contactEmailInvalid'))
  }
  const successor = RETIRED_CURRENCIES[settings.currency]
  // A site that chose it before it was withdrawn still sees it selected, and is asked to move on.
  if (successor) form.fail('currency', form.t('admin.settings.form.currencyRetired', { currency: settings.currency, successor }))
  else if (!isValidCurrency(settings.currency)) form.fail('currency', form.t('admin.settings.form.currencyUnknown'))
  if (!isValidTimeZone(settings.timeZone)) form.fail('timeZone', form.t('admin.settings.form.timeZoneUnknown'))
  if (!SIGNUP_POLICIES.some((policy) => policy.value === settings.signupPolicy)) {
    form.fail('signupPolicy', form.t('admin.settings.form.signupPolicyMissing'))
  }
  return settings
}
