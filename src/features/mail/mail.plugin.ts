import fp from 'fastify-plugin'
import { cachedSiteSettings } from '../settings/settings.plugin.js'
import { MailComposer } from './mail.messages.js'
import { OutboxSender } from './mail.sender.js'
import { createTransport } from './mail.transport.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The outbox's sender: wake() it after committing a transaction that enqueued a message (enqueueMail). */
    mail: OutboxSender
  }
}

/**
 * Sends the outbox (see OutboxSender) from the moment the app is ready until
 * it closes; the start log says where messages go.
 */
export default fp(
  async (app) => {
    const transport = createTransport(app.config.mail, app.config.dataDir)
    const sender = new OutboxSender({
      db: app.db,
      config: app.config.mail,
      composer: new MailComposer(app.db, app.config.nodeEnv === 'production', app.config.mail.from),
      transport,
      siteSettings: () => cachedSiteSettings(app.db),
      log: app.log,
    })
    app.decorate('mail', sender)
    app.addHook('onReady', async () => {
      app.log.info(`mail: ${sender.description}`)
      sender.start()
    })
    // Runs before the database closes (onClose hooks run in reverse order of registration).
    app.addHook('onClose', () => sender.stop())
  },
  { name: 'mail', dependencies: ['db'] },
)
