import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'

/** For load balancers and container orchestrators: JSON, never HTML. */
export default async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', { config: { access: 'anyone', rateLimit: false } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { config: { access: 'anyone', rateLimit: false } }, async (request, reply) => {
    try {
      await sql`select 1`.execute(app.db)
      return { status: 'ok', database: 'ok' }
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check: database unreachable')
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' })
    }
  })
}
