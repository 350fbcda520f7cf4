import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify'
import { randomUUID } from 'node:crypto'
import type { Config } from './config.js'
import { requestLogFields } from './lib/log-safety.js'
import accountRoutes from './features/accounts/account.routes.js'
import settingsRoutes from './features/settings/settings.routes.js'
import usersRoutes from './features/users/users.routes.js'
import auditRoutes from './features/audit/audit.routes.js'
import setupRoutes from './features/setup/setup.routes.js'
import browseRoutes from './features/browse/browse.routes.js'
import purchaseRoutes from './features/purchase/purchase.routes.js'
import eventRoutes from './features/organiser/organiser.routes.js'
import orderChangeRoutes from './features/organiser/order-changes.routes.js'
import healthRoutes from './features/health/health.routes.js'
import liveRoutes from './features/live/live.routes.js'
import waitingListRoutes from './features/waiting-list/waiting-list.routes.js'
import holderMessageRoutes from './features/holder-messages/holder-message.routes.js'
import { LIMITS as LIVE_LIMITS } from './features/live/live.protocol.js'
import authPlugin from './plugins/auth.js'
import i18nPlugin from './plugins/i18n.js'
import { findEvent } from './features/events/event.repository.js'
import { staffPassFor } from './features/check-in/door-staff.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin from './plugins/errors.js'
import eventChangesPlugin from './plugins/event-changes.js'
import afterCommitPlugin from './plugins/after-commit.js'
import upkeepPlugin from './features/upkeep/upkeep.plugin.js'
import securityPlugin, { BODY_LIMIT_BYTES } from './plugins/security.js'
import sessionPlugin from './plugins/session.js'
import staticPlugin from './plugins/static.js'
import viewsPlugin from './plugins/views.js'
import websocketPlugin from './plugins/websocket.js'
import siteSettingsPlugin from './features/settings/settings.plugin.js'
import mailPlugin from './features/mail/mail.plugin.js'
import mailRoutes from './features/mail/mail.routes.js'
import passwordResetRoutes from './features/accounts/password-reset.routes.js'
import checkInRoutes from './features/check-in/check-in.routes.js'
import seatingRoutes from './features/seating/seating.routes.js'
import questionsRoutes from './features/questions/questions.routes.js'
import orderDetailsRoutes from './features/order-details/order-details.routes.js'
import codesRoutes from './features/organiser/codes.routes.js'
import type { CapacityGuard } from './features/purchase/purchase.service.js'
import type { AdmissionGuard } from './features/check-in/check-in.service.js'
import type { ConfirmSeams } from './features/payments/confirm.js'
import type { TicketMoveGuard } from './features/orders/ticket-move.js'
import paymentsPlugin from './features/payments/payments.plugin.js'
import { checkoutOrigins } from './features/payments/methods/card.js'
import paymentRoutes from './features/payments/payments.routes.js'
import ticketRoutes from './features/tickets/tickets.routes.js'
import boxOfficeRoutes from './features/box-office/box-office.routes.js'

export interface BuildOptions {
  /** Where the log goes: standard output unless a caller (a test reading the log) gives another. */
  logStream?: NodeJS.WritableStream
  /**
   * The guards of the races the app must win, as seams: production uses the
   * features' own; a concurrency test's control passes check-then-act ones
   * (test/helpers/check-then-act.ts) to show the test catches the race.
   */
  seams?: {
    capacityGuard?: CapacityGuard
    admissionGuard?: AdmissionGuard
    paymentGuard?: ConfirmSeams
    ticketMoveGuard?: TicketMoveGuard
  }
  /** Told of every route the features register, with who may use it: the authorization test is generated from these. */
  onRoute?: (route: RouteOptions) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

/**
 * The whole app, as one Fastify instance: used by src/server.ts and by every test.
 * Read top to bottom, this is the table of contents.
 */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.passwordHash'],
        censor: '[redacted]',
      },
      serializers: { req: requestLogFields },
      ...(options.logStream && { stream: options.logStream }),
    },
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    // Pages are forms; nothing legitimate sends more.
    bodyLimit: BODY_LIMIT_BYTES,
    // Lets SIGTERM finish in-flight requests while keep-alive sockets are closed.
    forceCloseConnections: 'idle',
    // A client that sends its request slowly, or opens a socket and says
    // nothing, would otherwise hold that socket for ever. Upgraded WebSockets
    // leave this timeout behind (ws clears it) and keep their own pings.
    requestTimeout: config.timeouts.requestMs,
    connectionTimeout: config.timeouts.idleMs,
  })
  app.decorate('config', config)
  closeKeptAliveConnectionsOnShutdown(app)

  // Infrastructure, in dependency order.
  // Each request's language and its t(), before anything that may answer with words.
  await app.register(i18nPlugin)
  await app.register(dbPlugin, { databaseUrl: config.databaseUrl, sqliteSynchronous: config.sqliteSynchronous })
  await app.register(sessionPlugin, { secret: config.sessionSecret })
  // Forms may lead to the card payment page: the buy form and "Pay now" answer with a 303 there.
  await app.register(securityPlugin, {
    rateLimits: config.rateLimits,
    secret: config.sessionSecret,
    formTargets: checkoutOrigins(config.stripe),
  })
  // Who may use each route, per event too: the events feature finds an event, the check-in feature its door staff.
  await app.register(authPlugin, { perEvent: { findEvent, staffPass: staffPassFor } })
  // The settings feature's cache of the site settings, which every page shows.
  await app.register(siteSettingsPlugin)
  // The outbox's sender: e-mail written in the same transaction as its cause, delivered from here.
  await app.register(mailPlugin)
  await app.register(paymentsPlugin, { seams: options.seams?.paymentGuard })
  await app.register(viewsPlugin, { production: config.nodeEnv === 'production' })
  await app.register(errorsPlugin)
  await app.register(staticPlugin)
  await app.register(eventChangesPlugin)
  // What a committed change leaves to do (tell the live pages, wake the mail sender), said one way everywhere.
  await app.register(afterCommitPlugin, { wakeMail: () => app.mail.wake() })
  // The round that settles what ran out (offers, later pending orders) for the events no page read.
  await app.register(upkeepPlugin)
  // WebSockets serve live availability alone, so its protocol sets how large a message may be.
  await app.register(websocketPlugin, { maxPayload: LIVE_LIMITS.maxMessageBytes })

  // From here on every route must say who may use it (src/plugins/auth.ts).
  app.addHook('onRoute', requireAccessDeclaration)
  if (options.onRoute) app.addHook('onRoute', options.onRoute)

  // Features. The public URL map in ../shared/PRODUCT.md stays as it is:
  // people and bookmarks know those URLs. New URLs are resource-first
  // (/events/:id/orders, /users/:id/role).
  await app.register(healthRoutes)
  await app.register(browseRoutes)
  await app.register(purchaseRoutes, { capacityGuard: options.seams?.capacityGuard })
  await app.register(paymentRoutes)
  // An order's tickets to print, and as a PDF: for its buyer, as the order page, and for the event's organiser.
  await app.register(ticketRoutes)
  await app.register(eventRoutes)
  // Changing an order: its mail sent again, a ticket moved to another type of the same price.
  await app.register(orderChangeRoutes, { moveGuard: options.seams?.ticketMoveGuard })
  await app.register(waitingListRoutes)
  await app.register(holderMessageRoutes)
  await app.register(seatingRoutes)
  await app.register(questionsRoutes)
  // Names and answers changed after the purchase: by the organiser, and by the buyer as far and as long as the organiser lets them.
  await app.register(orderDetailsRoutes)
  // An event's discount and access codes: the organiser's pages (the codes themselves: src/features/codes).
  await app.register(codesRoutes)
  await app.register(checkInRoutes, { admissionGuard: options.seams?.admissionGuard })
  // The desk: the organiser (and door staff they let) sell, under the purchase's own guard.
  await app.register(boxOfficeRoutes, { capacityGuard: options.seams?.capacityGuard })
  await app.register(accountRoutes)
  await app.register(passwordResetRoutes)
  await app.register(settingsRoutes)
  await app.register(usersRoutes)
  await app.register(auditRoutes)
  await app.register(mailRoutes)
  await app.register(setupRoutes)
  await app.register(liveRoutes)

  return app
}

function requireAccessDeclaration(route: RouteOptions) {
  if (route.method === 'HEAD') return
  if (!route.config?.access) {
    throw new Error(`${String(route.method)} ${route.url} does not declare config.access: say who may use it`)
  }
}

/**
 * Node's server.close() drops connections idle at that moment, but one that
 * finishes its request afterwards stays open until its keep-alive timeout, and
 * close() waits for it. Answering with `Connection: close` once shutdown has
 * begun lets every connection end with its last in-flight response.
 */
function closeKeptAliveConnectionsOnShutdown(app: FastifyInstance) {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
  })
}
