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
 * several words that are not class names. A field's name or an element's id
 * ("startsAt", "f-timeZone-error") is capitalised only inside: not words.
 */
function readsAsWords(literal: string): boolean {
  if (isMessageKey(literal) || NOT_WORDS.has(literal)) return false
  const tokens = literal.trim().split(/\s+/).filter(Boolean)
  if (tokens.some((token) => /^\P{L}*\p{Lu}\p{Ll}/u.test(token))) return true
  return tokens.length > 1 && tokens.some((token) => !/^[a-z0-9_="':/-]*$/.test(token))
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
    const offenders = all.flatMap((file) => wordsOutsideT(file).map((words) => `${file}: ${words}`))
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
  })

  it("lets through a field's name and an element's id, and still finds a capitalised word after punctuation", () => {
    expect(probe("<%~ include('/partials/field', { name: 'startsAt' }) %><p<%= it.error ? ' f-timeZone-error' : '' %>></p>")).toEqual([])
    expect(probe("<p><%= it.optional ? '(Optional)' : '' %></p>")).not.toEqual([])
  })
})
