import { afterEach } from 'vitest'
import { buildApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import type { Db } from '../../src/db/database.js'
import { type TestApp, testConfig } from './app.js'
import { type DatabaseKind, type TestDatabase, createTestDatabase } from './database.js'

/** Real listening servers on one fresh database per test, torn down after each: for tests of truly simultaneous requests. */
export function useServers(kind: DatabaseKind) {
  const opened: TestApp[] = []
  let database: TestDatabase | undefined
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((app) => app.close()))
    await database?.drop()
  })
  return async (instances: number, overrides: Partial<Config> = {}): Promise<{ urls: string[]; apps: TestApp[]; db: Db }> => {
    database = await createTestDatabase(kind)
    const urls: string[] = []
    const apps: TestApp[] = []
    for (let i = 0; i < instances; i++) {
      const app = await buildApp(testConfig(database, overrides))
      opened.push(app)
      apps.push(app)
      urls.push(await app.listen({ host: '127.0.0.1', port: 0 }))
    }
    return { urls, apps, db: apps[0]!.db }
  }
}
