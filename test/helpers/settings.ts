import type { Db } from '../../src/db/database.js'
import { forgetCachedSiteSettings } from '../../src/features/settings/settings.plugin.js'
import { type SiteSettings, getSiteSettings, updateSiteSettings } from '../../src/features/settings/settings.repository.js'

/**
 * Changes some of the site settings straight in the database, without an
 * admin's form or an audit entry, and lets this app's next page show them.
 */
export async function changeSiteSettings(db: Db, changes: Partial<SiteSettings>): Promise<void> {
  await updateSiteSettings(db, { ...(await getSiteSettings(db)), ...changes })
  forgetCachedSiteSettings()
}
