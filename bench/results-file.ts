import { readFileSync } from 'node:fs'

/**
 * The runs already in a results file, the latest first, as the "Earlier runs"
 * section to write below a new run. A run starts at its "- Measured:" line;
 * the file's title and explanation above it are rewritten each time.
 */
export function earlierRuns(file: string): string {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return ''
  }
  const [latest = '', earlier = ''] = text.split('\n## Earlier runs\n')
  const run = latest.indexOf('- Measured:')
  const runs = [run === -1 ? '' : latest.slice(run).trim(), earlier.trim()].filter(Boolean)
  return runs.length === 0 ? '' : `\n## Earlier runs\n\n${runs.join('\n\n')}\n`
}
