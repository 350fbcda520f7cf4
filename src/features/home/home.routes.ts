import type { FastifyInstance } from 'fastify'

export default async function homeRoutes(app: FastifyInstance) {
  app.get('/', { config: { access: 'anyone' } }, async (_request, reply) => {
    return reply.render('home/index.eta', { title: null })
  })
}
