import { describe, expect, it } from 'vitest'
import { IntlMessageFormat } from 'intl-messageformat'
import type { Translate } from '../../src/i18n/translate.js'
import { pluralPatterns, scriptMessage } from '../../src/i18n/script-messages.js'

/** A t() of messages given here, as the catalogue's would be. */
function tOf(locale: string, messages: Record<string, string>): Translate {
  return (key, params) => String(new IntlMessageFormat(messages[key]!, locale).format(params as Record<string, never>))
}

describe('messages a script in the page finishes', () => {
  it('keep their placeholders for the script', () => {
    const t = tOf('en', { k: '{type} sold out.' })
    expect(scriptMessage(t, 'k' as never, ['type'])).toBe('{type} sold out.')
  })

  it('come once per plural category of the locale, the count left for the script', () => {
    const t = tOf('en', { k: '{count, plural, one {{count} order} other {{count} orders}}' })
    expect(pluralPatterns(t, 'en', 'k' as never)).toEqual({ one: '{count} order', other: '{count} orders' })
  })

  it('choose as the locale counts, and keep the other placeholders', () => {
    const t = tOf('pl', {
      k: '{name}: {count, plural, one {{count} bilet} few {{count} bilety} many {{count} biletów} other {{count} biletu}}',
    })
    expect(pluralPatterns(t, 'pl' as never, 'k' as never, ['name'])).toEqual({
      one: '{name}: {count} bilet',
      few: '{name}: {count} bilety',
      many: '{name}: {count} biletów',
    })
  })
})
