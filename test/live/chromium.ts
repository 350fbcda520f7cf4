import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** Whether the browser tests run: skipped without Debian's chromium, unless CI requires them (REQUIRE_BROWSER=1). */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM}`)
  return false
}

/**
 * Headless Chromium (Playwright gives it a fresh profile). The background
 * networking flags stop it calling out, which this machine's network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
