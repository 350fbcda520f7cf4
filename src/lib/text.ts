/**
 * Plain text as paragraphs of lines: blank lines separate paragraphs, single
 * newlines become line breaks. Templates escape each line, so organisers'
 * text never becomes HTML.
 */
export function paragraphs(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    )
    .filter((lines) => lines.length > 0)
}
