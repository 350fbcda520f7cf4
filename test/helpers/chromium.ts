import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { type Browser, type BrowserContextOptions, type Page, chromium } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest'
import { buildApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import type { Db } from '../../src/db/database.js'
import { type TestApp, testConfig } from './app.js'
import { type DatabaseKind, type TestDatabase, createTestDatabase, describeEachDatabase } from './database.js'
import type { Persona } from './personas.js'

/** Debian's chromium: the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * The background networking flags stop chromium calling out, which these
 * machines' network refuses. No --user-data-dir: launch() refuses one and
 * gives every browser a fresh temporary profile of its own.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Long enough for a slow CI machine, short enough to fail inside vitest's 30 s test timeout with Playwright's message. */
export const WAIT_MS = 10_000

/** Whether chromium is here; CI sets REQUIRE_BROWSER=1, and then a missing one fails the run instead of skipping. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(`REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM_PATH} (apt-get install chromium)`)
  }
  return false
}

/**
 * A browser test suite, run once per database like the rest of the suite, or
 * shown as skipped with the reason when chromium is missing. `sqliteOnly` is
 * for checks of the markup alone (axe, screenshots), which a second database
 * would make slower without testing anything more.
 */
export function describeInBrowser(title: string, suite: (kind: DatabaseKind) => void, options: { sqliteOnly?: boolean } = {}) {
  if (!browserAvailable()) {
    const reason = `no chromium at ${CHROMIUM_PATH}; apt-get install chromium to run them`
    console.warn(`\n  Browser tests are skipped: ${reason}.\n`)
    describe.skip(`${title} [browser: skipped, ${reason}]`, () => suite('sqlite'))
  } else if (options.sqliteOnly) {
    describe(`${title} [sqlite]`, () => suite('sqlite'))
  } else {
    describeEachDatabase(title, suite)
  }
}

/** `extraArgs`: more flags, such as a fake camera. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] })
}

export interface BrowserApp {
  readonly app: TestApp
  readonly db: Db
  /** http://127.0.0.1:<port> of the listening server. */
  readonly origin: string
  /** A page in a new browser context (cookies of its own), watched for script errors and failed loads. */
  newPage(options?: BrowserContextOptions): Promise<Page>
}

/**
 * The app as src/server.ts runs it, listening on a real port on a fresh
 * database, and a headless chromium to drive it; both end with the file.
 * `beforeReady` sees the app before its onReady hooks run (the setup link is printed there);
 * `chromiumArgs` are more flags for the browser;
 * `config` overrides the test config when the app is built (a test SMTP server's address, say).
 * After each test, any script error, CSP violation or failed subresource a page met fails the test.
 */
export function useBrowserApp(
  kind: DatabaseKind,
  options: { beforeReady?: (app: TestApp) => void; chromiumArgs?: string[]; config?: () => Partial<Config> } = {},
): BrowserApp {
  let database: TestDatabase | undefined
  let app: TestApp | undefined
  let browser: Browser | undefined
  let origin = ''
  const problems: string[] = []

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    app = await buildApp(testConfig(database, options.config?.()))
    options.beforeReady?.(app)
    await app.listen({ port: 0, host: '127.0.0.1' })
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    browser = await launchChromium(options.chromiumArgs)
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await database?.drop()
  })

  afterEach(() => {
    expect(problems.splice(0), 'problems the browser met in the pages').toEqual([])
  })

  function built<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('the browser app is built in beforeAll')
    return value
  }

  return {
    get app() {
      return built(app)
    },
    get db() {
      return built(app).db
    },
    get origin() {
      return origin
    },
    async newPage(contextOptions = {}) {
      const context = await built(browser).newContext({ baseURL: origin, ...contextOptions })
      context.setDefaultTimeout(WAIT_MS)
      const page = await context.newPage()
      page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`))
      page.on('console', (message) => {
        // A page answered 4xx logs "Failed to load resource"; such pages are expected, failed subresources are caught below.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          problems.push(`${page.url()}: ${message.text()}`)
      })
      page.on('response', (response) => {
        if (response.status() >= 400 && response.request().resourceType() !== 'document') {
          problems.push(`${response.url()} answered ${response.status()}`)
        }
      })
      return page
    },
  }
}

/** Logs in through the login form, as a person would. */
export async function logIn(page: Page, persona: Pick<Persona, 'email' | 'password'>) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(persona.email)
  await page.getByLabel('Password').fill(persona.password)
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Log in' }).click()])
}
