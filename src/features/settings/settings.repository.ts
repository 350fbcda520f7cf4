import type { Db } from '../../db/database.js'
import type { SiteSettingsRow } from '../../db/schema.js'

export type SiteSettings = Omit<SiteSettingsRow, 'id' | 'updatedAt'>

export async function getSiteSettings(db: Db): Promise<SiteSettings> {
  return db
    .selectFrom('siteSettings')
    .select(['siteName', 'siteDescription', 'contactEmail', 'currency', 'timeZone', 'signupPolicy'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow()
}

export async function updateSiteSettings(db: Db, settings: SiteSettings): Promise<void> {
  await db
    .updateTable('siteSettings')
    .set({ ...settings, updatedAt: Date.now() })
    .where('id', '=', 1)
    .execute()
}
