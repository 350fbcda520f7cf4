/**
 * The languages the site speaks. English alone for now: the languages issue
 * adds catalogues (src/i18n/<locale>/) and their codes here, and nothing
 * else has to change, since every word on a page or in a mail is looked up
 * through the request's (or the recipient's) locale.
 */
export const SUPPORTED_LOCALES = ['en'] as const
export type Locale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'en'

/**
 * The conventions each language formats dates and amounts in: English as
 * written in Britain and Europe ("Sat 5 Dec 2026, 19:30", "€12.50"), which
 * is what the site has always shown.
 */
const INTL_LOCALES: Record<Locale, string> = { en: 'en-GB' }

export function intlLocaleOf(locale: Locale): string {
  return INTL_LOCALES[locale]
}

export function isSupportedLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value)
}

/**
 * The locale to answer a request in, from its Accept-Language header: the
 * first language it names that the site speaks (a region falls back to its
 * language, "en-GB" to "en"), else the default. Quality values are honoured.
 */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE
  const wanted = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...options] = part.trim().split(';')
      const q = options.map((option) => /^\s*q=([0-9.]+)\s*$/.exec(option)).find(Boolean)
      return { tag: tag.trim().toLowerCase(), quality: q ? Number(q[1]) : 1, index }
    })
    .filter((entry) => entry.tag !== '' && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
  for (const { tag } of wanted) {
    const language = tag.split('-')[0]
    if (isSupportedLocale(tag)) return tag
    if (isSupportedLocale(language)) return language
  }
  return DEFAULT_LOCALE
}
