import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { describe, inject } from 'vitest'

export type DatabaseKind = 'sqlite' | 'postgres'

export interface TestDatabase {
  kind: DatabaseKind
  url: string
  /** A folder of its own, for files such as the session secret. */
  dir: string
  drop(): Promise<void>
}

/**
 * Runs `suite` once per database: SQLite always, PostgreSQL when the global
 * setup found one (otherwise its tests show as skipped).
 */
export function describeEachDatabase(title: string, suite: (kind: DatabaseKind) => void) {
  describe(`${title} [sqlite]`, () => suite('sqlite'))
  if (inject('postgresUrl')) describe(`${title} [postgres]`, () => suite('postgres'))
  else describe.skip(`${title} [postgres: skipped, no TEST_DATABASE_URL]`, () => suite('postgres'))
}

/** A fresh, empty database of its own: a file in a temp folder, or a new PostgreSQL database. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'admit-one-test-'))
  if (kind === 'sqlite') {
    return {
      kind,
      dir,
      url: `sqlite:${path.join(dir, 'test.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const adminUrl = inject('postgresUrl')
  if (!adminUrl) throw new Error('PostgreSQL is not available to this test run')
  const name = `admit_one_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await withAdminClient(adminUrl, (client) => client.query(`create database ${name}`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    kind,
    dir,
    url: url.toString(),
    drop: async () => {
      await withAdminClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
