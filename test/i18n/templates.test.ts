import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isMessageKey } from '../../src/i18n/catalogue.js'

/**
 * Every word a page or a mail shows comes from the message catalogue
 * (src/i18n/), looked up with it.t(): that is what lets the languages issue
 * add a catalogue and nothing else. This reads each template as a reader
 * would see it, with its code taken out, and finds any word left outside t().
 */

const VIEWS = path.resolve(import.meta.dirname, '../../views')

/**
 * Templates whose words are not yet moved into the catalogue, one area at a
 * time. Each move takes its files off this list; the list ends empty.
 */
const NOT_YET_THROUGH_T = new Set<string>([
  'browse/event.eta',
  'browse/home.eta',
  'browse/list.eta',
  'check-in/check-in.eta',
  'check-in/door-list.eta',
  'check-in/door-staff.eta',
  'check-in/door.eta',
  'organiser/cancel.eta',
  'organiser/create.eta',
  'organiser/dashboard.eta',
  'organiser/delete-ticket-type.eta',
  'organiser/delete.eta',
  'organiser/event-fields.eta',
  'organiser/manage.eta',
  'organiser/orders.eta',
  'organiser/preview.eta',
  'organiser/ticket-type.eta',
  'partials/event-card.eta',
  'purchase/buy.eta',
  'purchase/cancel.eta',
  'purchase/fail.eta',
  'purchase/my-tickets.eta',
  'purchase/order.eta',
  'seating/map.eta',
  'seating/seat-map.eta',
  'waiting-list/entries.eta',
  'waiting-list/join.eta',
  'waiting-list/leave.eta',
])

/** Strings a template's code may hold that are not words for people: names compared against, not shown. */
const NOT_WORDS = new Set(['Admit One'])

function templates(dir = VIEWS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return templates(file)
    return entry.name.endsWith('.eta') ? [path.relative(VIEWS, file)] : []
  })
}

const CODE = /<%([\s\S]*?)%>/g
const STRING_LITERAL = /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"/g
/** Attributes that people read or hear: their values are words. */
const WORDED_ATTRIBUTES =
  /\s(?:alt|title|placeholder|aria-label|aria-description|aria-roledescription|label)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi

/**
 * A string in a template's code that reads as words: a capitalised word, or
 * several words that are not class names or attributes. A capital inside a
 * word is a field's name ("siteName", "f-signupPolicy-error"), not a word.
 */
function readsAsWords(literal: string): boolean {
  if (isMessageKey(literal) || NOT_WORDS.has(literal)) return false
  const tokens = literal.trim().split(/\s+/).filter(Boolean)
  if (tokens.some((token) => /(?:^|\P{L})\p{Lu}\p{Ll}/u.test(token))) return true
  return tokens.length > 1 && tokens.some((token) => !/^[a-z0-9_="':/-]*$/i.test(token))
}

function hasLetters(text: string): boolean {
  return /\p{L}/u.test(text.replace(/&(?:[a-z]+|#[0-9]+|#x[0-9a-f]+);/gi, ''))
}

/** The words of one template that do not come through t(). */
function wordsOutsideT(file: string): string[] {
  return wordsInSource(readFileSync(path.join(VIEWS, file), 'utf8'), file)
}

function wordsInSource(source: string, file: string): string[] {
  const found: string[] = []
  for (const [, code] of source.matchAll(CODE)) {
    for (const match of code!.matchAll(STRING_LITERAL)) {
      const literal = match[1] ?? match[2] ?? ''
      if (readsAsWords(literal)) found.push(`code string "${literal}"`)
    }
  }
  // What a reader sees: the template without its code, its comments, styles and scripts.
  const shown = source
    .replace(CODE, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ')
  const plainText = file.startsWith(`mail${path.sep}text${path.sep}`)
  if (plainText) {
    for (const line of shown.split('\n')) if (hasLetters(line)) found.push(`text "${line.trim()}"`)
    return found
  }
  for (const [tag] of shown.matchAll(/<[^>]*>/g)) {
    for (const match of tag.matchAll(WORDED_ATTRIBUTES)) {
      const value = match[1] ?? match[2] ?? ''
      if (hasLetters(value)) found.push(`attribute ${match[0].trim()}`)
    }
  }
  for (const text of shown.split(/<[^>]*>/)) if (hasLetters(text)) found.push(`text "${text.trim()}"`)
  return found
}

describe('the templates', () => {
  const all = templates()

  it('hold no words outside t()', () => {
    const offenders = all
      .filter((file) => !NOT_YET_THROUGH_T.has(file))
      .flatMap((file) => wordsOutsideT(file).map((words) => `${file}: ${words}`))
    expect(offenders).toEqual([])
  })

  it('look up only keys the catalogue has', () => {
    const unknown = all.flatMap((file) =>
      [...readFileSync(path.join(VIEWS, file), 'utf8').matchAll(/\bt\(\s*'([^']+)'/g)]
        .map((match) => match[1]!)
        .filter((key) => !isMessageKey(key))
        .map((key) => `${file}: ${key}`),
    )
    expect(unknown).toEqual([])
  })

  it('list only templates that exist as not yet through t()', () => {
    expect([...NOT_YET_THROUGH_T].filter((file) => !all.includes(file))).toEqual([])
  })
})

describe('the check itself', () => {
  const probe = (source: string, file = 'probe.eta') => wordsInSource(source, file)

  it('finds words in text, in attributes people read and in strings a template shows', () => {
    expect(probe('<p>Sold out</p>')).not.toEqual([])
    expect(probe('<img src="/q.png" alt="QR code">')).not.toEqual([])
    expect(probe("<p><%= it.soldOut ? 'Sold out' : '' %></p>")).not.toEqual([])
    expect(probe('Your tickets\n', path.join('mail', 'text', 'probe.eta'))).not.toEqual([])
  })

  it('lets through words looked up with t(), class names and punctuation', () => {
    expect(probe(`<p class="a b"><%= it.t('layout.nav.events') %> · <%= it.void ? ' ticket--void' : '' %></p>`)).toEqual([])
    expect(probe("<%= it.t('layout.nav.events') %>\n", path.join('mail', 'text', 'probe.eta'))).toEqual([])

    expect(
      probe(`<%~ include('/partials/field', { name: 'siteName' }) %><p<%~ it.e ? ' aria-describedby="f-signupPolicy-error"' : '' %>></p>`),
    ).toEqual([])
  })
})
