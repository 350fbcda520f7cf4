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

/**
 * Every page shows the site settings and every purchase records the currency,
 * yet they change a few times a year: each instance reads them at most once
 * per SETTINGS_CACHE_MS instead of once per request. A change made through
 * this instance shows at once; one made through another instance, within
 * SETTINGS_CACHE_MS. The settings form, and forms that store prices in
 * the currency's smallest unit, read them fresh (getSiteSettings); a purchase
 * records the currency as this instance read it, at most a second before.
 */
export const SETTINGS_CACHE_MS = 1000
const cached = new WeakMap<Db, { settings: Promise<SiteSettings>; readAt: number; generation: number }>()
let generation = 0

export function cachedSiteSettings(db: Db, now = Date.now()): Promise<SiteSettings> {
  const entry = cached.get(db)
  // A clock stepped back must not keep an entry for longer.
  const fresh = entry !== undefined && now >= entry.readAt && now - entry.readAt < SETTINGS_CACHE_MS
  if (fresh && entry.generation === generation) return entry.settings
  // Frozen: one object serves many requests, so none of them may change it.
  const settings = getSiteSettings(db).then((read) => Object.freeze(read))
  cached.set(db, { settings, readAt: now, generation })
  // A failed read is not kept: the next request tries again.
  settings.catch(() => cached.delete(db))
  return settings
}

/** The next page reads the settings row again. Call after a transaction that changed it commits. */
export function forgetCachedSiteSettings(): void {
  generation++
}

/** Writes the settings row; pages of this instance see it once forgetCachedSiteSettings is called after the commit. */
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
