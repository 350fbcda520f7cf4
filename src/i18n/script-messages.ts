import type { MessageKey } from './catalogue.js'
import type { Locale } from './locale.js'
import type { MessageParams, Translate } from './translate.js'

/**
 * A message for a script in the page to finish (public/live.js, buy-total.js):
 * the words come from the catalogue, through the page, and the script only
 * puts in what it learns later. Each named placeholder stays in the words as
 * "{name}" for the script to replace.
 */
export function scriptMessage(t: Translate, key: MessageKey, placeholders: string[], params: MessageParams = {}): string {
  return t(key, { ...params, ...Object.fromEntries(placeholders.map((name) => [name, `{${name}}`])) })
}

/** A message with a count, once per plural category of the locale ("one", "other"…), the count left as "{count}". */
export type PluralPatterns = Partial<Record<Intl.LDMLPluralRule, string>>

// Around a count, so that the count can be found again in the words: Number() skips the marks, so the plural still chooses by it.
const MARK = '\uFEFF'
const MARKED_COUNT = new RegExp(`${MARK}\\d+${MARK}`, 'g')

/**
 * The words of `key` for each plural category the locale has, the count as
 * "{count}", for a script to choose with Intl.PluralRules and fill in. Each
 * category is rendered with the smallest whole number of it; a category of
 * fractions alone (none in a count of tickets) is left out, and the script
 * falls back to "other". Messages given to scripts choose by category, not by
 * exact value (`=0`).
 */
export function pluralPatterns(
  t: Translate,
  locale: Locale,
  key: MessageKey,
  placeholders: string[] = [],
  params: MessageParams = {},
): PluralPatterns {
  const patterns: PluralPatterns = {}
  for (const [category, sample] of samplesOf(locale)) {
    const words = scriptMessage(t, key, placeholders, { ...params, count: `${MARK}${sample}${MARK}` })
    patterns[category] = words.replace(MARKED_COUNT, '{count}')
  }
  return patterns
}

const samples = new Map<string, [Intl.LDMLPluralRule, number][]>()

/** Each plural category of the locale with the smallest whole number in it (up to 1000), found once per locale. */
function samplesOf(locale: string): [Intl.LDMLPluralRule, number][] {
  let found = samples.get(locale)
  if (!found) {
    const rules = new Intl.PluralRules(locale)
    found = rules.resolvedOptions().pluralCategories.flatMap((category): [Intl.LDMLPluralRule, number][] => {
      for (let n = 0; n <= 1000; n++) if (rules.select(n) === category) return [[category, n]]
      return []
    })
    samples.set(locale, found)
  }
  return found
}
