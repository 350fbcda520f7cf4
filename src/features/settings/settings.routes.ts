import type { FastifyInstance } from 'fastify'
import { FormReader } from '../../lib/forms.js'
import { minorUnitsPerMajor } from '../../lib/format.js'
import { recordAudit } from '../audit/audit.repository.js'
import { SIGNUP_POLICIES, readSettings, settingsChanges } from './settings.form.js'
import {
  type SiteSettings,
  anyPricedTicketType,
  forgetCachedSiteSettings,
  getSiteSettings,
  updateSiteSettings,
} from './settings.repository.js'

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
    if (form.ok && changesPriceScale(before.currency, after.currency) && (await anyPricedTicketType(app.db))) {
      form.fail(
        'currency',
        `Prices are kept in ${before.currency}'s smallest unit and ${after.currency} has a different one, so every price would change. Pick a currency with as many decimals, or change it before setting prices.`,
      )
    }
    if (!form.ok) return reply.render('admin/site-settings.eta', settingsPage(after, form.errors), 422)

    const changes = settingsChanges(before, after)
    if (Object.keys(changes.after).length > 0) {
      await app.db.transaction().execute(async (trx) => {
        await updateSiteSettings(trx, after)
        await recordAudit(trx, {
          actorId: request.user!.id,
          actorLabel: request.user!.email,
          action: 'settings.updated',
          details: changes,
          ip: request.ip,
        })
      })
      // A page read while the transaction was open may have cached the old values.
      forgetCachedSiteSettings()
    }
    reply.flash('success', Object.keys(changes.after).length > 0 ? 'Settings saved.' : 'Nothing changed.')
    return reply.redirect('/site-settings', 303)
  })
}

function changesPriceScale(from: string, to: string): boolean {
  return from !== to && minorUnitsPerMajor(from) !== minorUnitsPerMajor(to)
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
