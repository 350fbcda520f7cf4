import { IntlMessageFormat } from 'intl-messageformat'
import { CATALOGUES, type MessageKey, SOURCE_CATALOGUE } from './catalogue.js'
import { DEFAULT_LOCALE, isSupportedLocale, type Locale } from './locale.js'

/** A message's arguments: what its `{name}` placeholders, plurals and selects read. */
export type MessageParams = Record<string, string | number | Date | boolean | null | undefined>

/** Looks up a message in one locale and fills in its arguments. */
export type Translate = (key: MessageKey, params?: MessageParams) => string

/** A message to show later (a flash, a refusal kept in a cookie): its key and arguments, never its words. */
export interface Message {
  key: MessageKey
  params?: MessageParams
}

// Parsing a message costs far more than formatting it: each is parsed once per locale.
const compiled = new Map<string, IntlMessageFormat>()

function compiledMessage(locale: Locale, key: MessageKey): IntlMessageFormat {
  const cacheKey = `${locale}\u0000${key}`
  let message = compiled.get(cacheKey)
  if (!message) {
    const own = CATALOGUES[locale][key]
    const [source, sourceLocale] = own === undefined ? [SOURCE_CATALOGUE[key], DEFAULT_LOCALE] : [own, locale]
    message = new IntlMessageFormat(source, sourceLocale)
    compiled.set(cacheKey, message)
  }
  return message
}

// One t() per locale, made once: a request or a mail only picks its own.
const translators = new Map<Locale, Translate>()

/** The t() of one locale: what a page's template, a view model and the mail composer call. */
export function translatorFor(locale: Locale): Translate {
  let t = translators.get(locale)
  if (!t) {
    t = translator(locale)
    translators.set(locale, t)
  }
  return t
}

/** The t() of a locale stored with a row (an order's, an outbox message's): one the site no longer speaks falls back to the default. */
export function translatorForStored(locale: string): Translate {
  return translatorFor(isSupportedLocale(locale) ? locale : DEFAULT_LOCALE)
}

export function translator(locale: Locale): Translate {
  return (key, params) => {
    const formatted = compiledMessage(locale, key).format(params as Record<string, never>)
    // format() answers an array only for rich-text tags, which no message holds.
    return typeof formatted === 'string' ? formatted : String(formatted)
  }
}

/** The words of a message kept for later. */
export function say(t: Translate, message: Message): string {
  return t(message.key, message.params)
}
