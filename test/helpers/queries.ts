import { vi } from 'vitest'
import type { Db } from '../../src/db/database.js'

export interface RecordedQuery {
  sql: string
  parameters: readonly unknown[]
  rows: unknown[]
}

/**
 * What `work` returns, and every query sent through `db` while it ran, with its
 * parameters and the rows it returned: for tests of how much a page reads,
 * not only of what it shows.
 */
export async function queriesDuring<T>(db: Db, work: () => Promise<T>): Promise<{ result: T; queries: RecordedQuery[] }> {
  const spy = vi.spyOn(db.getExecutor(), 'executeQuery')
  try {
    const result = await work()
    const settled = await Promise.all(spy.mock.results.map((outcome) => outcome.value as Promise<{ rows: unknown[] }>))
    const queries = spy.mock.calls.map(([query], index) => ({ sql: query.sql, parameters: query.parameters, rows: settled[index]!.rows }))
    return { result, queries }
  } finally {
    spy.mockRestore()
  }
}
