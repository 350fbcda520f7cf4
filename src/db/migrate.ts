import { type Migration, Migrator } from 'kysely'
import { migrations } from '../../migrations/index.js'
import type { Db } from './database.js'

export class MigrationError extends Error {
  override name = 'MigrationError'
}

/** Brings the schema to the latest migration, or throws with the failing migration's name and reason. */
export async function migrateToLatest(db: Db, all: Record<string, Migration> = migrations): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => inTransactions(db, all) } })
  const { error, results = [] } = await migrator.migrateToLatest()
  const failed = results.find((result) => result.status === 'Error')
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new MigrationError(`migration ${failed?.migrationName ?? '(none)'} failed: ${reason}`, { cause: error })
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName)
}

/**
 * Kysely runs migrations in a transaction only where it believes DDL is
 * transactional, which leaves SQLite out; SQLite's DDL is transactional, so a
 * migration that fails halfway would otherwise leave half its tables behind.
 */
function inTransactions(db: Db, all: Record<string, Migration>): Record<string, Migration> {
  if (db.getExecutor().adapter.supportsTransactionalDdl) return all
  return Object.fromEntries(
    Object.entries(all).map(([name, migration]) => [
      name,
      {
        up: (outer) => outer.transaction().execute((trx) => migration.up(trx)),
        down: migration.down && ((outer) => outer.transaction().execute((trx) => migration.down!(trx))),
      } satisfies Migration,
    ]),
  )
}
