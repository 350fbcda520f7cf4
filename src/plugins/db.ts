import fp from 'fastify-plugin'
import { createDatabase, type Db, type DialectName, type SqliteSynchronous } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    dialect: DialectName
  }
}

/** One Kysely instance for the app, migrated before anything uses it and destroyed on close. */
export default fp(
  async (app, options: { databaseUrl: string; sqliteSynchronous: SqliteSynchronous }) => {
    const { db, dialect } = createDatabase(options.databaseUrl, {
      sqliteSynchronous: options.sqliteSynchronous,
      onIdleConnectionError: (error) => app.log.warn({ err: error }, 'an idle database connection failed'),
    })
    try {
      const applied = await migrateToLatest(db)
      if (applied.length > 0) app.log.info({ applied }, 'database migrated')
    } catch (error) {
      await db.destroy()
      throw error
    }
    app.decorate('db', db)
    app.decorate('dialect', dialect)
    app.addHook('onClose', async () => {
      await db.destroy()
    })
  },
  { name: 'db' },
)
