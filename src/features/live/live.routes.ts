import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import type { Config } from '../../config.js'
import { hasRole } from '../../plugins/auth.js'
import { Forbidden, NotFound } from '../../lib/errors.js'
import { PgChangeFeed } from './live.feed.js'
import { LiveHub } from './live.hub.js'
import { createLiveMetrics } from './live.metrics.js'
import { isRefusal, LIMITS, parseClientMessage } from './live.protocol.js'
import { standingSessions } from './live.sessions.js'
import { LiveSocket } from './live.socket.js'
import { loadLiveState } from './live.state.js'
import { doorEventsOf } from '../check-in/door-staff.js'
import { paidAtDoorMethods } from '../check-in/check-in.service.js'

export default fp(
  async (app) => {
    await app.register(liveRoutes)
  },
  { name: 'live', dependencies: ['db', 'auth', 'event-changes', 'websocket', 'payments'] },
)

/**
 * Live availability: pages that opt in (public/live.js) follow events over a
 * WebSocket at /live and get each event's state after every committed change.
 * The upgrade request passes through the same hooks as a page, so the session
 * cookie has already become `request.user` when the socket opens; the socket
 * keeps that session's id, for the hub to check it still stands later.
 */
async function liveRoutes(app: FastifyInstance) {
  const metrics = createLiveMetrics({ sockets: () => hub.sockets.size, subscriptions: () => hub.subscriptionCount })
  const paidAtDoor = paidAtDoorMethods(app.payments.methods.values())
  const reads = {
    state: (eventId: number) => loadLiveState(app.db, eventId, paidAtDoor),
    sessions: (sessionIds: string[]) => standingSessions(app.db, sessionIds),
  }
  const hub = new LiveHub(reads, metrics.counters, app.log)

  let feed: PgChangeFeed | undefined
  if (app.dialect === 'postgres') {
    feed = new PgChangeFeed(
      app.config.databaseUrl,
      {
        remoteChange: (eventId) => {
          metrics.remoteChange()
          hub.changed(eventId)
        },
        reconnected: () => hub.resync(),
      },
      app.log,
      async (channel, payload) => {
        await sql`select pg_notify(${channel}, ${payload})`.execute(app.db)
      },
    )
    await feed.start()
  }

  // Local sockets hear of a local change at once; other instances through the feed.
  const onChange = (eventId: number) => {
    hub.changed(eventId)
    feed?.publish(eventId)
  }
  app.eventChanges.on('changed', onChange)

  const sweeper = setInterval(() => void hub.sweep(), LIMITS.pingIntervalMs)
  sweeper.unref()

  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    app.eventChanges.off('changed', onChange)
    hub.close()
    await feed?.stop()
  })

  const otherOrigins = refuseOtherOrigins(app.config.publicUrl)
  // The events this visitor is door staff of, read before the upgrade: their pages show the door's counts.
  const doorEventsOfUpgrade = new WeakMap<FastifyRequest, Set<number>>()
  const readDoorEvents = async (request: FastifyRequest) => {
    const doorLinks = request.session.doorLinks ?? []
    const events = request.user || doorLinks.length > 0 ? await doorEventsOf(app.db, request.user?.id ?? null, doorLinks) : []
    doorEventsOfUpgrade.set(request, new Set(events.map((event) => event.id)))
  }
  const upgrade = { websocket: true as const, onRequest: otherOrigins, preHandler: readDoorEvents, config: { access: 'anyone' as const } }
  app.get('/live', upgrade, (ws, request) => {
    const login = request.user && { user: request.user, sessionId: request.session.sessionId }
    const socket = new LiveSocket(ws, login, request.ip, Date.now(), doorEventsOfUpgrade.get(request))
    if (!hub.add(socket)) {
      ws.close(1008, 'too many connections from your address')
      metrics.counters.closed('too_many_connections')
      return
    }
    ws.on('close', () => hub.remove(socket))
    ws.on('pong', () => {
      socket.alive = true
    })
    ws.on('message', (data, isBinary) => {
      if (!socket.open) return
      if (!socket.takeToken()) {
        socket.close(1008, 'too many messages')
        metrics.counters.closed('flood')
        return
      }
      const message = parseClientMessage(data, isBinary)
      if (isRefusal(message)) {
        socket.close(message.code, message.reason)
        metrics.counters.closed('protocol')
        return
      }
      if (message.type === 'subscribe') hub.subscribe(socket, message.events)
      else hub.unsubscribe(socket, message.events)
    })
  })

  app.get('/metrics', { config: { access: 'anyone' } }, async (request, reply) => {
    if (!mayReadMetrics(request, app.config.trustProxy)) throw new NotFound()
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}

/**
 * Upgrades are not subject to CORS, and SameSite=Lax still sends the session
 * cookie from another origin of the same site (a sibling subdomain): without
 * this check such a page could open /live under an organiser's cookie and read
 * their sales. A page may connect from the host it asked for (request.host
 * follows X-Forwarded-Host only from a trusted proxy) or from PUBLIC_URL, which
 * a proxy that rewrites Host, as nginx does by default, leaves as the only
 * trace of the site's address. Browsers send Origin with every upgrade, so one
 * without it is not a page acting for its visitor; it is served as before,
 * under whatever cookie it carries, which it had to hold already.
 */
function refuseOtherOrigins(publicUrl: string | null) {
  const site = publicUrl === null ? undefined : authority(publicUrl)
  return async (request: FastifyRequest) => {
    const origin = request.headers.origin
    if (origin === undefined) return
    const page = authority(origin)
    if (page === undefined || (page !== site && page !== authority(`http://${request.host}`))) {
      throw new Forbidden({ key: 'errors.live.otherSite' })
    }
  }
}

/**
 * A URL's host[:port], or undefined for anything but an http(s) URL ("null"
 * from a sandboxed frame). Schemes are not compared, so 80 and 443 both count
 * as no port: behind a TLS-terminating proxy the app hears http for an https page.
 */
function authority(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined
  const { protocol, hostname, port } = new URL(url)
  if (protocol !== 'http:' && protocol !== 'https:') return undefined
  return port === '' || port === '80' || port === '443' ? hostname : `${hostname}:${port}`
}

/**
 * Metrics are for the operator: an admin's session, or a scraper on this
 * machine. The TCP peer tells "this machine" only while nothing relays
 * requests: a reverse proxy on the same host makes every visitor's connection
 * come from loopback, and a plain one (a bare nginx proxy_pass) adds no header
 * to give it away. So an anonymous scrape is served only from loopback, with
 * no forwarding header, by an app that trusts no proxy: an install behind one
 * sets TRUST_PROXY (it needs it for client addresses and Secure cookies), and
 * from then on only admins read metrics. Everyone else gets the 404 page.
 */
function mayReadMetrics(request: FastifyRequest, trustProxy: Config['trustProxy']): boolean {
  if (hasRole(request.user, 'admin')) return true
  const relayed = FORWARDING_HEADERS.some((header) => request.headers[header] !== undefined)
  return trustProxy === false && !relayed && isLoopback(request.socket.remoteAddress)
}

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via']

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address))
}
