import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/database.js'
import { type SiteSettings, getSiteSettings } from './settings.repository.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The site settings, as this instance last read them (see cachedSiteSettings). */
    siteSettings(): Promise<SiteSettings>
  }
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
export default fp(
  async (app) => {
    app.decorateRequest('siteSettings', function (this: FastifyRequest) {
      return cachedSiteSettings(app.db)
    })
  },
  { name: 'site-settings', dependencies: ['db'] },
)

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
