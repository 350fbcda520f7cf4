import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/app.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('mail without SMTP_URL', (kind) => {
  it('writes each message as a .eml file under DATA_DIR/outbox, and the start log says so', async () => {
    const database = await createTestDatabase(kind)
    let log = ''
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString()
        done()
      },
    })
    const app = await buildApp(testConfig(database, { logLevel: 'info' }), { logStream })
    await app.ready()
    try {
      const outbox = path.join(database.dir, 'outbox')
      expect(log).toContain(`mail: no SMTP_URL set, so messages are written as .eml files to ${outbox}`)
      const organiser = await createUser(app.db, 'organiser')
      const { event, ticketTypes } = await createEvent(app.db, organiser.id, { title: 'Offline Gig' })
      const order = await placeOrder(app.db, event.id, ticketTypes[0]!.id, { buyerEmail: 'filed@example.test' })
      await app.mail.runRound()
      const files = readdirSync(outbox)
      expect(files).toEqual(['00000001-order-confirmation.eml'])
      const message = readFileSync(path.join(outbox, files[0]!), 'utf8')
      expect(message).toContain('To: filed@example.test')
      expect(message).toContain(`Subject: Your tickets for Offline Gig (order ${order.code})`)
      expect(message).toContain('Content-Type: text/calendar')
      expect(await app.db.selectFrom('outbox').select('state').execute()).toEqual([{ state: 'sent' }])
    } finally {
      await app.close()
      await database.drop()
    }
  })
})
