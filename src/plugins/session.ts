import fastifyCookie from '@fastify/cookie'
import fastifySession, { type SessionStore } from '@fastify/session'
import type { FastifyInstance, Session } from 'fastify'
import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import type { Db } from '../db/database.js'

export interface Flash {
  kind: 'success' | 'error' | 'info'
  message: string
}

declare module 'fastify' {
  interface Session {
    userId?: number
    flash?: Flash[]
  }
  interface FastifyReply {
    /** Queues a message for the next page this session sees (after a redirect). */
    flash(kind: Flash['kind'], message: string): void
  }
}

const TWO_WEEKS_MS = 14 * 24 * 60 * 60 * 1000
const PRUNE_EVERY_MS = 60 * 60 * 1000

/**
 * Sessions are rows in the database, so they survive restarts and are shared
 * by every app instance; the cookie only carries the signed session id.
 */
export default fp(
  async (app: FastifyInstance, options: { secret: string }) => {
    await app.register(fastifyCookie)
    await app.register(fastifySession, {
      secret: options.secret,
      cookieName: 'admit_one_session',
      store: new DatabaseSessionStore(app.db),
      // Only sessions that hold something (a login, a CSRF secret, a flash) are stored.
      saveUninitialized: false,
      // Save only when the data changed: not one write per page view.
      rolling: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        // Secure whenever the page came over https, directly or through a proxy in TRUST_PROXY.
        secure: 'auto',
        path: '/',
        maxAge: TWO_WEEKS_MS,
      },
    })

    app.decorateReply('flash', function (kind: Flash['kind'], message: string) {
      const queued = this.request.session.flash ?? []
      this.request.session.flash = [...queued, { kind, message }]
    })

    const prune = () =>
      app.db
        .deleteFrom('sessions')
        .where('expiresAt', '<', Date.now())
        .execute()
        .catch((error: unknown) => app.log.warn({ err: error }, 'pruning expired sessions failed'))
    const timer = setInterval(prune, PRUNE_EVERY_MS)
    timer.unref()
    app.addHook('onReady', async () => {
      await prune()
    })
    app.addHook('onClose', async () => clearInterval(timer))
  },
  { name: 'session', dependencies: ['db'] },
)

/**
 * Names a browser's session in other tables (an order it bought) without
 * storing the session id, which is a live credential, anywhere but sessions.
 */
export function sessionTag(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url')
}

/** The store interface @fastify/session expects (express-session compatible), on our sessions table. */
export class DatabaseSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  get(sid: string, callback: (error: unknown, session?: Session | null) => void): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expiresAt'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => callback(undefined, row && row.expiresAt > Date.now() ? (JSON.parse(row.data) as Session) : null))
      .catch(callback)
  }

  set(sid: string, session: Session, callback: (error?: unknown) => void): void {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : Date.now() + TWO_WEEKS_MS
    const row = { sid, data: JSON.stringify(session), userId: session.userId ?? null, expiresAt: expires }
    this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: row.data, userId: row.userId, expiresAt: row.expiresAt }))
      .execute()
      .then(() => callback())
      .catch(callback)
  }

  destroy(sid: string, callback: (error?: unknown) => void): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => callback())
      .catch(callback)
  }
}
