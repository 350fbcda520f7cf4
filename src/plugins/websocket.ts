import fastifyWebsocket from '@fastify/websocket'
import fp from 'fastify-plugin'

/** How long sockets have to close after being told to, at shutdown, before they are cut. */
const SHUTDOWN_GRACE_MS = 1_000

/**
 * @fastify/websocket goes at the root (hence fastify-plugin): its hooks must
 * also see upgrade requests to other pages, to close their sockets once the
 * page (a 404, say) is answered. Routes opt in with `websocket: true`.
 */
export default fp(
  async (app, options: { maxPayload: number }) => {
    await app.register(fastifyWebsocket, {
      options: { maxPayload: options.maxPayload },
      // ws has already closed the socket for a protocol error (1009 too big, 1007 bad UTF-8); only log it.
      errorHandler(error, socket, request) {
        request.log.info({ err: error }, 'websocket: socket error')
        if (socket.readyState === socket.OPEN) socket.close(1011, 'server error')
      },
      // Tell clients to come back (1001), and stop taking upgrades, before the server closes.
      preClose(done) {
        const server = app.websocketServer
        for (const client of server.clients) client.close(1001, 'server restarting')
        const force = setTimeout(() => server.clients.forEach((client) => client.terminate()), SHUTDOWN_GRACE_MS)
        server.close(() => {
          clearTimeout(force)
          done()
        })
      },
    })
  },
  { name: 'websocket' },
)
