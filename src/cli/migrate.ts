import { loadConfig } from '../config.js'
import { createDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'

// `npm run db:migrate`: the same migrations the server runs at start, for deploy scripts.
const config = loadConfig()
const { db } = createDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous })
try {
  const applied = await migrateToLatest(db)
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.')
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}
