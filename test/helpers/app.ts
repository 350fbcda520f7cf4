import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import { type BuildOptions, buildApp } from '../../src/app.js'
import { type Config, MAIL_TIMING } from '../../src/config.js'
import type { Db } from '../../src/db/database.js'
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database.js'

export type TestApp = Awaited<ReturnType<typeof buildApp>>

/** The production Config, with test values: quiet logs and limits no test meets by accident. */
export function testConfig(database: TestDatabase, overrides: Partial<Config> = {}): Config {
  return {
    nodeEnv: 'test',
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    dataDir: database.dir,
    sessionSecret: 'test-session-secret-that-is-long-enough-0123456789',
    trustProxy: false,
    publicUrl: null,
    logLevel: 'silent',
    sqliteSynchronous: 'full',
    rateLimits: { globalPerMinute: 100_000, authPer15Minutes: 1_000, purchasePerMinute: 100_000 },
    maxTicketsPerOrder: 50,
    timeouts: { requestMs: 30_000, idleMs: 75_000 },
    // No SMTP server: messages become .eml files in the test's own data directory.
    mail: { ...MAIL_TIMING, smtpUrl: null, from: 'tickets@admit-one.test' },
    stripe: null,
    ...overrides,
  }
}

export interface AppHandle {
  readonly app: TestApp
  readonly db: Db
  readonly database: TestDatabase
}

/**
 * Builds the app (exactly as src/server.ts does) on a fresh database for this
 * test file, and tears both down after it. `options` are buildApp's, as a test gives them.
 */
export function useTestApp(kind: DatabaseKind, overrides: Partial<Config> = {}, options: BuildOptions = {}): AppHandle {
  let app: FastifyInstance | undefined
  let database: TestDatabase | undefined
  beforeAll(async () => {
    database = await createTestDatabase(kind)
    app = await buildApp(testConfig(database, overrides), options)
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })
  return {
    get app() {
      if (!app) throw new Error('the test app is built in beforeAll')
      return app as TestApp
    },
    get db() {
      if (!app) throw new Error('the test app is built in beforeAll')
      return app.db
    },
    get database() {
      if (!database) throw new Error('the test database is created in beforeAll')
      return database
    },
  }
}
