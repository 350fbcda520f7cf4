import fp from 'fastify-plugin'
import { DEFAULT_LOCALE, type Locale, negotiateLocale } from '../i18n/locale.js'
import { type Translate, translatorFor } from '../i18n/translate.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The language this request is answered in, resolved once as it arrives. */
    locale: Locale
    /** Looks up a message in the request's locale. */
    t: Translate
  }
}

/**
 * Resolves each request's locale from its Accept-Language header (English
 * alone for now, so every request resolves to it) and gives it the t() that
 * pages, view models and forms use for their words.
 */
export default fp(
  async (app) => {
    app.decorateRequest('locale', DEFAULT_LOCALE)
    app.decorateRequest('t', translatorFor(DEFAULT_LOCALE))
    app.addHook('onRequest', async (request) => {
      request.locale = negotiateLocale(request.headers['accept-language'])
      request.t = translatorFor(request.locale)
    })
  },
  { name: 'i18n' },
)
