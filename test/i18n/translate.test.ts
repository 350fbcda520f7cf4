import { describe, expect, it } from 'vitest'
import { negotiateLocale } from '../../src/i18n/locale.js'
import { translator } from '../../src/i18n/translate.js'
import { isMessageKey, SOURCE_CATALOGUE } from '../../src/i18n/catalogue.js'
import { IntlMessageFormat } from 'intl-messageformat'
import { formatDateTime, formatMoney } from '../../src/lib/format.js'
import { money } from '../../src/lib/money.js'

describe('the locale of a request', () => {
  it('is the first language the site speaks that the browser asks for, by quality, regions falling back to their language', () => {
    expect(negotiateLocale(undefined)).toBe('en')
    expect(negotiateLocale('en-GB,en;q=0.9')).toBe('en')
    expect(negotiateLocale('de-DE;q=0.9, en;q=0.5')).toBe('en')
    expect(negotiateLocale('xx, yy;q=0.2')).toBe('en')
    expect(negotiateLocale('en;q=0, fr')).toBe('en')
    expect(negotiateLocale(';;;,,q=abc')).toBe('en')
  })
})

describe('t()', () => {
  const t = translator('en')

  it('answers the English words of a key', () => {
    expect(t('layout.nav.events')).toBe('Events')
  })

  it('knows its keys and nothing else', () => {
    expect(isMessageKey('layout.nav.events')).toBe(true)
    expect(isMessageKey('layout.nav.nope')).toBe(false)
    expect(isMessageKey('toString')).toBe(false)
  })

  it('has a catalogue whose every message parses as ICU MessageFormat', () => {
    const broken = Object.entries(SOURCE_CATALOGUE).filter(([, source]) => {
      try {
        new IntlMessageFormat(source, 'en')
        return false
      } catch {
        return true
      }
    })
    expect(broken).toEqual([])
  })
})

describe('formatting in a locale', () => {
  it('follows the locale’s conventions, English by default as the site has always shown', () => {
    const at = Date.UTC(2026, 11, 5, 18, 30)
    expect(formatDateTime(at, 'Europe/Berlin', 'en')).toBe('Sat, 5 Dec 2026, 19:30 CET')
    expect(formatDateTime(at, 'Europe/Berlin')).toBe(formatDateTime(at, 'Europe/Berlin', 'en'))
    expect(formatMoney(money(1250, 'EUR'), 'en')).toBe('€12.50')
    expect(formatMoney(money(0, 'EUR'), 'en')).toBe(translator('en')('common.free'))
  })
})
