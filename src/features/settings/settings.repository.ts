import type { Db, Trx } from '../../db/database.js'
import type { SiteSettingsRow } from '../../db/schema.js'

export type SiteSettings = Omit<SiteSettingsRow, 'id' | 'updatedAt'>

export async function getSiteSettings(db: Db): Promise<SiteSettings> {
  return db
    .selectFrom('siteSettings')
    .select(['siteName', 'siteDescription', 'contactEmail', 'currency', 'timeZone', 'signupPolicy'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow()
}

/** Writes the settings row; this instance's pages see it once forgetCachedSiteSettings (settings.plugin.ts) is called after the commit. */
export async function updateSiteSettings(db: Db | Trx, settings: SiteSettings): Promise<void> {
  await db
    .updateTable('siteSettings')
    .set({ ...settings, updatedAt: Date.now() })
    .where('id', '=', 1)
    .execute()
}

/** Whether any ticket type has a price, read in the site's currency's minor units. */
export async function anyPricedTicketType(db: Db): Promise<boolean> {
  const row = await db.selectFrom('ticketTypes').select('id').where('priceMinor', '>', 0).limit(1).executeTakeFirst()
  return row !== undefined
}
