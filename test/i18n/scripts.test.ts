import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The page's scripts write words only from what the page gives them
 * (data-live-words, data-buy-total-words, data-show-map…), so that a page in
 * another language needs no other script. This finds any string in a script
 * that reads as words.
 */

const PUBLIC = path.resolve(import.meta.dirname, '../../public')
const SCRIPTS = ['live.js', 'buy-total.js', 'seat-map.js']

/** Strings that are not for people: a directive, a WebSocket close reason, an API's name. */
const NOT_WORDS = new Set(['use strict', 'nothing to follow', 'WebSocket'])

/**
 * A capitalised word ("Sold out"), a piece of a sentence put together with
 * spaces (" left", " tickets: "), or a phrase: several tokens of letters alone
 * (class names and selectors hold dashes, brackets or digits).
 */
function readsAsWords(literal: string): boolean {
  const tokens = literal.trim().split(/\s+/).filter(Boolean)
  if (tokens.some((token) => /^\P{L}*\p{Lu}\p{Ll}/u.test(token))) return true
  if (/^\s|\s$/.test(literal) && /\p{L}/u.test(literal)) return true
  return tokens.length > 1 && tokens.every((token) => /^\p{L}+[.,:;!?]?$/u.test(token))
}

function wordsIn(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/^\s*\/\/.*$/gm, ' ')
  return [...code.matchAll(/'((?:[^'\\\n]|\\.)*)'/g)]
    .map((match) => match[1]!)
    .filter((literal) => !NOT_WORDS.has(literal))
    .filter(readsAsWords)
}

describe('the scripts of the attendee pages', () => {
  it.each(SCRIPTS)('%s holds no words of its own', (script) => {
    expect(wordsIn(readFileSync(path.join(PUBLIC, script), 'utf8'))).toEqual([])
  })

  it('the check finds words a script would write', () => {
    expect(wordsIn("el.textContent = count + ' left'")).not.toEqual([])
    expect(wordsIn("el.textContent = 'Sold out'")).not.toEqual([])
    expect(wordsIn("announce('tickets are on sale again.')")).not.toEqual([])
    expect(wordsIn("el.className = 'button button--secondary'")).toEqual([])
    expect(wordsIn("document.querySelector('[data-live-event]')")).toEqual([])
  })
})
