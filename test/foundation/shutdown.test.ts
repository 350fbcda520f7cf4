import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/app.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'

describeEachDatabase('graceful shutdown', (kind) => {
  it('finishes a request in flight, database work included, before closing the database', async () => {
    const database = await createTestDatabase(kind)
    const app = await buildApp(testConfig(database))
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let arrived!: () => void
    const inHandler = new Promise<void>((resolve) => (arrived = resolve))
    app.get('/slow', { config: { access: 'anyone' } }, async () => {
      arrived()
      await held
      await sql`select 1`.execute(app.db)
      return { finished: true }
    })
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      const response = fetch(`${url}/slow`)
      await inHandler
      const closed = app.close()
      release()
      expect(await (await response).json()).toEqual({ finished: true })
      await closed
    } finally {
      await database.drop()
    }
  })
})
