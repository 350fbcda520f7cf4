import type { AxeResults } from 'axe-core'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

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

/** axe finds nothing serious or critical on the page at each width, and nothing scrolls the page sideways there. */
export async function expectAccessibleAtWidths(page: Page, widths: number[] = [390, 1280]): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 })
    expect(await axeProblems(page), `at ${width} px`).toEqual([])
    const shown = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
    expect(shown.page, `nothing scrolls the page sideways at ${width} px`).toBeLessThanOrEqual(shown.screen)
  }
}
