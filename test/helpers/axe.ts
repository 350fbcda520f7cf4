import type { AxeResults } from 'axe-core'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/**
 * axe's serious and critical findings on the page as it is, in the light and
 * the dark colour scheme. axe is injected as an inline script, so these pages
 * are opened with bypassCSP; the journeys check the CSP with real contexts.
 */
export async function axeProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE })
  const problems: string[] = []
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    const results = (await page.evaluate(() =>
      (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
        resultTypes: ['violations'],
      }),
    )) as AxeResults
    for (const violation of results.violations) {
      if (violation.impact !== 'serious' && violation.impact !== 'critical') continue
      for (const node of violation.nodes) {
        problems.push(
          `${colorScheme}: ${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${node.failureSummary ?? violation.help}`,
        )
      }
    }
  }
  return problems
}
