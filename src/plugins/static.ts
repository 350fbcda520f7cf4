import fastifyStatic from '@fastify/static'
import fp from 'fastify-plugin'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PUBLIC_DIR } from '../lib/paths.js'

/**
 * Scripts of libraries the pages use, from node_modules, at a URL that names
 * the version (so cached for good): jsQR reads QR codes from the camera on
 * the check-in page where the browser has no BarcodeDetector.
 */
const VENDOR_SCRIPTS: Record<string, string> = { '/vendor/jsqr-1.4.0.js': 'jsqr/dist/jsQR.js' }

/** Files under public/ at /public/, cached for a day and revalidated by ETag; vendor scripts. */
export default fp(
  async (app) => {
    await app.register(fastifyStatic, {
      root: PUBLIC_DIR,
      prefix: '/public/',
      maxAge: '1d',
      etag: true,
      index: false,
    })
    const require = createRequire(import.meta.url)
    for (const [url, file] of Object.entries(VENDOR_SCRIPTS)) {
      const script = readFileSync(require.resolve(file))
      app.get(url, { config: { access: 'anyone' } }, async (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(script),
      )
    }
  },
  { name: 'static' },
)
