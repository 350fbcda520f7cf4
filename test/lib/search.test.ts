import { describe, expect, it } from 'vitest'
import { containsPattern, foldedPattern, searchFold, searchText } from '../../src/lib/search.js'

describe('searchFold', () => {
  it.each([
    ['Café', 'cafe'],
    ['Émile', 'emile'],
    ['naïve', 'naive'],
    ['Straße', 'strasse'],
    ['STRASSE', 'strasse'],
    ['Łódź', 'lodz'],
    ['Ærøskøbing', 'aeroskobing'],
    ['Dvořák', 'dvorak'],
    ['Площадь', 'площадь'],
    ['ΣΟΦΟΣ', 'σοφοσ'],
    ['ﬁne', 'fine'],
  ])('folds %s to %s', (text, folded) => {
    expect(searchFold(text)).toBe(folded)
  })

  it('keeps marks that make another letter in other scripts: Devanagari vowel signs, kana voicing', () => {
    expect(searchFold('किताब')).toBe('किताब')
    expect(searchFold('がっこう')).toBe('がっこう')
  })
})

describe('search patterns', () => {
  it('finds the folded text anywhere, with %, _ and \\ taken literally', () => {
    expect(foldedPattern('Café 100%_\\')).toBe('%cafe 100\\%\\_\\\\%')
    expect(containsPattern('Émile')).toBe('%émile%')
  })

  it('writes a row’s fields folded, one a line', () => {
    expect(searchText('Café Concert', 'Chez Émile')).toBe('cafe concert\nchez emile')
  })
})
