import type { Db } from '../../db/database.js'
import type { Message } from '../../i18n/translate.js'
import { minorUnitsPerMajor } from '../../lib/format.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { forgetCachedSiteSettings } from './settings.plugin.js'
import { type SiteSettings, anyPricedTicketType, updateSiteSettings } from './settings.repository.js'

/**
 * Why the site's currency cannot change from `from` to `to` now, or null.
 * Prices are stored in the currency's smallest unit, so a currency with
 * other minor units (EUR to JPY) would change every price already set.
 */
export async function currencyChangeProblem(db: Db, from: string, to: string): Promise<Message | null> {
  if (from === to || minorUnitsPerMajor(from) === minorUnitsPerMajor(to)) return null
  if (!(await anyPricedTicketType(db))) return null
  return { key: 'admin.settings.form.currencyChange', params: { from, to } }
}

/**
 * An admin's save: the settings row and the audit entry of the fields that
 * changed, in one transaction. Returns false, writing nothing, when no field
 * changed.
 */
export async function saveSiteSettings(db: Db, admin: Actor, before: SiteSettings, after: SiteSettings): Promise<boolean> {
  const changes = settingsChanges(before, after)
  if (Object.keys(changes.after).length === 0) return false
  await db.transaction().execute(async (trx) => {
    await updateSiteSettings(trx, after)
    await recordAudit(trx, { ...auditBy(admin), action: 'settings.updated', details: changes })
  })
  // After the commit, not before: a page read while the transaction was open may have cached the old values.
  forgetCachedSiteSettings()
  return true
}

/** The fields that differ, before and after: what the audit log keeps of a settings change. */
function settingsChanges(before: SiteSettings, after: SiteSettings) {
  const changed = (Object.keys(after) as (keyof SiteSettings)[]).filter((key) => before[key] !== after[key])
  return {
    before: Object.fromEntries(changed.map((key) => [key, before[key]])),
    after: Object.fromEntries(changed.map((key) => [key, after[key]])),
  }
}
