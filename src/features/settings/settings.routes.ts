import type { FastifyInstance, FastifyRequest } from 'fastify'
import { CURRENCIES, TIME_ZONES } from '../../lib/format.js'
import { FormReader } from '../../lib/forms.js'
import { SIGNUP_POLICIES, readSettings } from './settings.form.js'
import { type SiteSettings, getSiteSettings } from './settings.repository.js'
import { actorOf } from '../audit/actor.js'
import { currencyChangeProblem, saveSiteSettings } from './settings.service.js'

// Built once, like the lists they come from; the currencies at the first
// settings page, since naming them all takes some 30 ms that a start need not wait for.
let currencyChoices: { value: string; label: string }[] | undefined
const TIME_ZONE_CHOICES = TIME_ZONES.map((zone) => ({ value: zone, label: zone }))

/** The site admin's settings page: name, description, contact, currency, time zone, sign-up policy. */
export default async function settingsRoutes(app: FastifyInstance) {
  app.get('/site-settings', { config: { access: 'admin' } }, async (request, reply) => {
    // Fresh, not cached: what this form shows is what a save writes back.
    return reply.render('settings/site-settings.eta', { ...settingsPage(await getSiteSettings(app.db), {}), mail: mailSection(request) })
  })

  app.post('/update-settings', { config: { access: 'admin' } }, async (request, reply) => {
    const form = new FormReader(request.body)
    const after = readSettings(form)
    const before = await getSiteSettings(app.db)
    if (form.ok) {
      const problem = await currencyChangeProblem(app.db, before.currency, after.currency)
      if (problem) form.fail('currency', problem)
    }
    if (!form.ok)
      return reply.render('settings/site-settings.eta', { ...settingsPage(after, form.errors), mail: mailSection(request) }, 422)

    const saved = await saveSiteSettings(app.db, actorOf(request), before, after)
    reply.flash('success', saved ? 'Settings saved.' : 'Nothing changed.')
    return reply.redirect('/site-settings', 303)
  })
}

/** Where the site's mail goes, and the test message's recipient: the admin looking at the page. */
function mailSection(request: FastifyRequest) {
  return { destination: request.server.mail.destination, testRecipient: request.user!.email }
}

function settingsPage(values: SiteSettings, errors: Record<string, string>) {
  const withCurrent = (options: { value: string; label: string }[], current: string) =>
    options.some((option) => option.value === current) || !current ? options : [{ value: current, label: current }, ...options]
  return {
    title: 'Site settings',
    values,
    errors,
    policies: SIGNUP_POLICIES,
    currencies: withCurrent(currencyChoicesOnce(), values.currency),
    timeZones: withCurrent(TIME_ZONE_CHOICES, values.timeZone),
  }
}

function currencyChoicesOnce() {
  if (currencyChoices === undefined) {
    const names = new Intl.DisplayNames(['en'], { type: 'currency' })
    currencyChoices = CURRENCIES.map((code) => ({ value: code, label: `${code} · ${names.of(code) ?? code}` }))
  }
  return currencyChoices
}
