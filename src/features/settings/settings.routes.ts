import type { FastifyInstance } from 'fastify'
import { FormReader } from '../../lib/forms.js'
import { SIGNUP_POLICIES, readSettings } from './settings.form.js'
import { type SiteSettings, getSiteSettings } from './settings.repository.js'
import { currencyChangeProblem, saveSiteSettings } from './settings.service.js'

// Computed once: the lists Intl knows do not change while the process runs.
const currencyNames = new Intl.DisplayNames(['en'], { type: 'currency' })
const CURRENCIES = Intl.supportedValuesOf('currency').map((code) => ({ value: code, label: `${code} · ${currencyNames.of(code) ?? code}` }))
const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')]

/** The site admin's settings page: name, description, contact, currency, time zone, sign-up policy. */
export default async function settingsRoutes(app: FastifyInstance) {
  app.get('/site-settings', { config: { access: 'admin' } }, async (request, reply) => {
    // Fresh, not cached: what this form shows is what a save writes back.
    return reply.render('admin/site-settings.eta', settingsPage(await getSiteSettings(app.db), {}))
  })

  app.post('/update-settings', { config: { access: 'admin' } }, async (request, reply) => {
    const form = new FormReader(request.body)
    const after = readSettings(form)
    const before = await getSiteSettings(app.db)
    if (form.ok) {
      const problem = await currencyChangeProblem(app.db, before.currency, after.currency)
      if (problem) form.fail('currency', problem)
    }
    if (!form.ok) return reply.render('admin/site-settings.eta', settingsPage(after, form.errors), 422)

    const saved = await saveSiteSettings(app.db, { user: request.user!, ip: request.ip }, before, after)
    reply.flash('success', saved ? 'Settings saved.' : 'Nothing changed.')
    return reply.redirect('/site-settings', 303)
  })
}

function settingsPage(values: SiteSettings, errors: Record<string, string>) {
  const withCurrent = (options: { value: string; label: string }[], current: string) =>
    options.some((option) => option.value === current) || !current ? options : [{ value: current, label: current }, ...options]
  return {
    title: 'Site settings',
    values,
    errors,
    policies: SIGNUP_POLICIES,
    currencies: withCurrent(CURRENCIES, values.currency),
    timeZones: withCurrent(
      TIME_ZONES.map((zone) => ({ value: zone, label: zone })),
      values.timeZone,
    ),
  }
}
