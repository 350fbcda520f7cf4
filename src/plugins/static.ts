import fastifyStatic from '@fastify/static'
import fp from 'fastify-plugin'
import { PUBLIC_DIR } from '../lib/paths.js'

/** Files under public/ at /public/, cached for a day and revalidated by ETag. */
export default fp(
  async (app) => {
    await app.register(fastifyStatic, {
      root: PUBLIC_DIR,
      prefix: '/public/',
      maxAge: '1d',
      etag: true,
      index: false,
    })
  },
  { name: 'static' },
)
