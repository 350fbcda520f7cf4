import { afterEach } from 'vitest'
import { type BuildOptions, buildApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import type { Db } from '../../src/db/database.js'
import { type TestApp, testConfig } from './app.js'
import { type DatabaseKind, type TestDatabase, createTestDatabase } from './database.js'

/** The test config's overrides, and the seams a concurrency test's control swaps (test/helpers/check-then-act.ts). */
export type ServerOptions = Partial<Config> & Pick<BuildOptions, 'seams'>

/**
 * Real listening servers, `instances` of the app on one fresh database, for
 * tests that fire truly concurrent requests; torn down after each test.
 */
export function useListeningServers(kind: DatabaseKind) {
  const opened: TestApp[] = []
  let database: TestDatabase | undefined
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((app) => app.close()))
    await database?.drop()
  })
  return async (instances: number, overrides: ServerOptions = {}): Promise<{ urls: string[]; apps: TestApp[]; db: Db }> => {
    const { seams, ...config } = overrides
    database = await createTestDatabase(kind)
    const urls: string[] = []
    for (let i = 0; i < instances; i++) {
      const app = await buildApp(testConfig(database, config), { seams })
      opened.push(app)
      urls.push(await app.listen({ host: '127.0.0.1', port: 0 }))
    }
    return { urls, apps: [...opened], db: opened[0]!.db }
  }
}
