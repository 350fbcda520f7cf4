import fastifyView from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { VIEWS_DIR } from '../lib/paths.js'
import { hasRole } from './auth.js'
import { csrfUserInfo } from './security.js'
import type { Flash } from './session.js'
import type { Locale } from '../i18n/locale.js'
import { type Translate, say } from '../i18n/translate.js'
import { isMessageKey } from '../i18n/catalogue.js'

/** What every page's template receives besides its own view model. */
export interface PageContext {
  site: { name: string; description: string; currency: string; timeZone: string }
  user: { name: string; isOrganiser: boolean; isAdmin: boolean } | null
  /** Door staff, by account or by a staff link opened in this browser: the menu links to /door. */
  door: boolean
  /** The messages queued for this page (Flash), in its words. */
  flash: { kind: Flash['kind']; text: string }[]
  path: string
  /** The page's language: its <html lang>, and what formatting follows. */
  locale: Locale
  /** Every word a template shows comes through here (src/i18n/). */
  t: Translate
  /** A CSRF token for this session. A function, so that only pages with a form create one. */
  csrf(): string
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders `template` inside the layout with the page context and `model`. */
    render(template: string, model?: object, statusCode?: number): Promise<FastifyReply>
  }
}

export default fp(
  async (app, options: { production: boolean }) => {
    const eta = new Eta({ views: VIEWS_DIR, cache: options.production, autoEscape: true })
    await app.register(fastifyView, {
      engine: { eta },
      templates: VIEWS_DIR,
      layout: 'layout.eta',
      production: options.production,
    })

    app.decorateReply('render', async function (this: FastifyReply, template: string, model: object = {}, statusCode?: number) {
      const context = await pageContext(this)
      if (statusCode !== undefined) this.code(statusCode)
      const html = await this.viewAsync(template, { ...context, ...model })
      return this.type('text/html; charset=utf-8').send(html)
    })
  },
  { name: 'views', dependencies: ['auth', 'security', 'site-settings', 'i18n'] },
)

async function pageContext(reply: FastifyReply): Promise<PageContext> {
  const request = reply.request
  const settings = await request.siteSettings()
  const flash = request.session.flash ?? []
  if (flash.length > 0) request.session.flash = undefined
  const user = request.user
  let token: string | undefined
  return {
    site: {
      name: settings.siteName,
      description: settings.siteDescription,
      currency: settings.currency,
      timeZone: settings.timeZone,
    },
    user: user && { name: user.name, isOrganiser: hasRole(user, 'organiser'), isAdmin: hasRole(user, 'admin') },
    door: (user?.isDoorStaff ?? false) || (request.session.doorLinks?.length ?? 0) > 0,
    // A message whose key the catalogue no longer has (kept in a session across an upgrade) is dropped, not shown as a key.
    flash: flash
      .filter((queued) => isMessageKey(queued.message?.key))
      .map((queued) => ({ kind: queued.kind, text: say(request.t, queued.message) })),
    path: request.url,
    locale: request.locale,
    t: request.t,
    csrf: () => (token ??= reply.generateCsrf({ userInfo: csrfUserInfo(request) })),
  }
}
