import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Locale } from '../../i18n/locale.js'
import { type Translate, say } from '../../i18n/translate.js'
import { CURRENCIES, TIME_ZONES } from '../../lib/format.js'
import { FormReader } from '../../lib/forms.js'
import { SIGNUP_POLICIES, readSettings } from './settings.form.js'
import { type SiteSettings, getSiteSettings } from './settings.repository.js'
import { actorOf } from '../audit/actor.js'
import { currencyChangeProblem, saveSiteSettings } from './settings.service.js'
import { PAYMENT_METHOD_IDS } from '../payments/payment-method.js'
import { methodLabelKey } from '../purchase/order.view.js'

// Built once, like the lists they come from; the currencies at the first
// settings page in each language, since naming them all takes some 30 ms that a start need not wait for.
const currencyChoices = new Map<Locale, { value: string; label: string }[]>()
const TIME_ZONE_CHOICES = TIME_ZONES.map((zone) => ({ value: zone, label: zone }))

/** The site admin's settings page: name, description, contact, currency, time zone, sign-up policy; what mail and payments the site has. */
export default async function settingsRoutes(app: FastifyInstance) {
  app.get('/site-settings', { config: { access: 'admin' } }, async (request, reply) => {
    // Fresh, not cached: what this form shows is what a save writes back.
    return reply.render('settings/site-settings.eta', {
      ...settingsPage(request, await getSiteSettings(app.db), {}),
      mail: mailSection(request),
      payments: paymentsSection(request),
    })
  })

  app.post('/update-settings', { config: { access: 'admin' } }, async (request, reply) => {
    const form = new FormReader(request.body, request.t)
    const after = readSettings(form)
    const before = await getSiteSettings(app.db)
    if (form.ok) {
      const problem = await currencyChangeProblem(app.db, before.currency, after.currency)
      if (problem) form.fail('currency', say(request.t, problem))
    }
    if (!form.ok)
      return reply.render(
        'settings/site-settings.eta',
        { ...settingsPage(request, after, form.errors), mail: mailSection(request), payments: paymentsSection(request) },
        422,
      )

    const saved = await saveSiteSettings(app.db, actorOf(request), before, after)
    reply.flash('success', saved ? 'flash.settings.saved' : 'flash.settings.nothingChanged')
    return reply.redirect('/site-settings', 303)
  })
}

/** Where the site's mail goes, and the test message's recipient: the admin looking at the page. */
function mailSection(request: FastifyRequest) {
  return { destination: request.t('admin.mail.destination', request.server.mail.destination), testRecipient: request.user!.email }
}

/**
 * The ways to pay this site can offer: set by the environment (Stripe's keys),
 * never by this form, so the page only says which they are.
 */
function paymentsSection(request: FastifyRequest) {
  const offered = PAYMENT_METHOD_IDS.filter((id) => request.server.payments.methods.get(id)?.onSite)
  return { methods: offered.map((id) => request.t(methodLabelKey(id))), cardOnSite: offered.includes('card') }
}

function settingsPage(request: FastifyRequest, values: SiteSettings, errors: Record<string, string>) {
  const withCurrent = (options: { value: string; label: string }[], current: string) =>
    options.some((option) => option.value === current) || !current ? options : [{ value: current, label: current }, ...options]
  return {
    title: request.t('admin.settings.title'),
    values,
    errors,
    policies: policyChoices(request.t),
    currencies: withCurrent(currencyChoicesOnce(request.locale), values.currency),
    timeZones: withCurrent(TIME_ZONE_CHOICES, values.timeZone),
  }
}

function policyChoices(t: Translate) {
  return SIGNUP_POLICIES.map((policy) => ({ value: policy.value, label: t(policy.label), hint: t(policy.hint) }))
}

function currencyChoicesOnce(locale: Locale) {
  let choices = currencyChoices.get(locale)
  if (choices === undefined) {
    const names = new Intl.DisplayNames([locale], { type: 'currency' })
    choices = CURRENCIES.map((code) => ({ value: code, label: `${code} · ${names.of(code) ?? code}` }))
    currencyChoices.set(locale, choices)
  }
  return choices
}
