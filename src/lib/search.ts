/**
 * A LIKE pattern that finds `text` anywhere, lower-cased, with %, _ and \
 * taken literally. Use it with `lower(column) like ? escape '\'`.
 */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
