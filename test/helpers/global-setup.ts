import pg from 'pg'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL URL the suite may use, or null when its PostgreSQL half is skipped. */
    postgresUrl: string | null
  }
}

/**
 * Decides once whether the PostgreSQL half of the suite runs. Without
 * TEST_DATABASE_URL it is skipped with a message; with REQUIRE_POSTGRES=1 (CI)
 * a missing or unreachable PostgreSQL fails the run instead.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL || null
  const required = process.env.REQUIRE_POSTGRES === '1'
  if (!url) {
    if (required) throw new Error('REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set')
    console.warn('\n  PostgreSQL tests are skipped: set TEST_DATABASE_URL=postgres://… to run them.\n')
    project.provide('postgresUrl', null)
    return
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    await client.query('select 1')
    project.provide('postgresUrl', url)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (required) throw new Error(`PostgreSQL at TEST_DATABASE_URL is unreachable: ${reason}`, { cause: error })
    console.warn(`\n  PostgreSQL tests are skipped: ${reason}\n`)
    project.provide('postgresUrl', null)
  } finally {
    await client.end().catch(() => {})
  }
}
