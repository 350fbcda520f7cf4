import { vi } from 'vitest'
import type { Db } from '../../src/db/database.js'

export interface RecordedQuery {
  sql: string
  parameters: readonly unknown[]
  rows: unknown[]
}

/**
 * Every query sent through `db` while `work` runs, with its parameters and the
 * rows it returned: for tests of how much a page reads, not only what it shows.
 */
export async function queriesDuring(db: Db, work: () => Promise<unknown>): Promise<RecordedQuery[]> {
  const spy = vi.spyOn(db.getExecutor(), 'executeQuery')
  try {
    await work()
    const results = await Promise.all(spy.mock.results.map((result) => result.value as Promise<{ rows: unknown[] }>))
    return spy.mock.calls.map(([query], index) => ({ sql: query.sql, parameters: query.parameters, rows: results[index]!.rows }))
  } finally {
    spy.mockRestore()
  }
}
