/**
 * Search that ignores case and accents alike on SQLite and PostgreSQL: the
 * searchable fields of a row are folded here, in JavaScript, into its
 * search_text column when the row is written (migration 0014), and a search
 * folds what was typed the same way. Neither database folds alike on its own:
 * SQLite's lower() knows A-Z only, and PostgreSQL's unaccent() is an
 * extension that a hosted database or an unprivileged role may lack.
 */

// Letters that Unicode does not decompose into a base letter and a mark, as
// people type them without: "strasse" for "Straße", "oe" for "œ".
const LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ς: 'σ' }
const SPECIAL_LETTERS = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'g')

/**
 * Text as searches compare it: lower case, without accents ("Émile" → "emile",
 * "Straße" → "strasse"). Only the diacritics of Latin, Greek and Cyrillic
 * letters (U+0300–U+036F) go: the vowel signs of Indic scripts or the kana's
 * voicing marks change the letter, and stay.
 */
export function searchFold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(SPECIAL_LETTERS, (letter) => LETTERS[letter]!)
}

/** What a row's search_text column holds: its searchable fields folded, one a line. */
export function searchText(...fields: string[]): string {
  return fields.map(searchFold).join('\n')
}

function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * A LIKE pattern that finds `text` anywhere in a search_text column, folded
 * as that column is, with %, _ and \ taken literally. Use it with
 * `search_text like ? escape '\'`.
 */
export function foldedPattern(text: string): string {
  return containing(searchFold(text))
}

/**
 * A LIKE pattern that finds `text` anywhere, lower-cased only, for a column
 * without a folded twin. Use it with `lower(column) like ? escape '\'`.
 */
export function containsPattern(text: string): string {
  return containing(text.toLowerCase())
}
