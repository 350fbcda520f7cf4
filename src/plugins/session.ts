import fastifyCookie from '@fastify/cookie'
import fastifySession, { type SessionStore } from '@fastify/session'
import type { FastifyInstance, Session } from 'fastify'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../db/database.js'
import type { MessageKey } from '../i18n/catalogue.js'
import type { Message, MessageParams } from '../i18n/translate.js'

/** A message for the next page: its key and parameters, said in that page's language. */
export interface Flash {
  kind: 'success' | 'error' | 'info'
  message: Message
}

declare module 'fastify' {
  interface Session {
    userId?: number
    flash?: Flash[]
  }
  interface FastifyReply {
    /** Queues a message for the next page this session sees (after a redirect), by key: that page chooses the words. */
    flash(kind: Flash['kind'], key: MessageKey, params?: MessageParams): void
  }
}

const DAY_MS = 24 * 60 * 60 * 1000
/** How long a login lasts without a visit; the CSRF cookie (src/plugins/security.ts) lives as long, so a form stays sendable. */
export const SESSION_MAX_AGE_MS = 14 * DAY_MS
/**
 * A session that never logged in holds only a flash message or the last
 * refused purchase: it needs to outlive a redirect, not a fortnight.
 */
const ANONYMOUS_SESSION_MS = DAY_MS
/** Anonymous sessions kept at most; past that the oldest go first, so a flood of posts cannot grow the table without end. */
export const MAX_ANONYMOUS_SESSIONS = 100_000
const PRUNE_EVERY_MS = 10 * 60 * 1000

/**
 * Sessions are rows in the database, so they survive restarts and are shared
 * by every app instance; the cookie only carries the signed session id. A
 * visitor who only reads pages gets no row: the forms' CSRF secret lives in a
 * cookie of its own (src/plugins/security.ts), and a row is written only once
 * there is something to keep (a login, a flash message, a refused purchase).
 */
export default fp(
  async (app: FastifyInstance, options: { secret: string }) => {
    await app.register(fastifyCookie)
    await app.register(fastifySession, {
      secret: options.secret,
      cookieName: 'admit_one_session',
      store: new DatabaseSessionStore(app.db),
      // Only sessions that hold something (a login, a flash, a refused purchase) are stored.
      saveUninitialized: false,
      // Save only when the data changed: not one write per page view.
      rolling: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        // Secure whenever the page came over https, directly or through a proxy in TRUST_PROXY.
        secure: 'auto',
        path: '/',
        maxAge: SESSION_MAX_AGE_MS,
      },
    })

    app.decorateReply('flash', function (kind: Flash['kind'], key: MessageKey, params?: MessageParams) {
      const queued = this.request.session.flash ?? []
      this.request.session.flash = [...queued, { kind, message: params === undefined ? { key } : { key, params } }]
    })

    const prune = () => pruneSessions(app.db).catch((error: unknown) => app.log.warn({ err: error }, 'pruning sessions failed'))
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
 * Drops expired sessions, and the oldest anonymous ones beyond `maxAnonymous`.
 * Sessions of logged-in accounts are never dropped early: that would log people out.
 */
export async function pruneSessions(db: Db, { now = Date.now(), maxAnonymous = MAX_ANONYMOUS_SESSIONS } = {}): Promise<void> {
  await db.deleteFrom('sessions').where('expiresAt', '<', now).execute()
  const newestDropped = await db
    .selectFrom('sessions')
    .select('expiresAt')
    .where('userId', 'is', null)
    .orderBy('expiresAt', 'desc')
    .limit(1)
    .offset(maxAnonymous)
    .executeTakeFirst()
  if (newestDropped) {
    await db.deleteFrom('sessions').where('userId', 'is', null).where('expiresAt', '<=', newestDropped.expiresAt).execute()
  }
}

const BROWSER_COOKIE = 'admit_one_browser'
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/

/**
 * Names this browser in other tables (the orders it bought, so that it may
 * reopen them without the key) without a session row: a random id in a
 * cookie, set by the page that shows the form, so that a double click sends
 * the same id twice. Only a hash of it is stored, never the id itself.
 */
export function browserTag(request: FastifyRequest, reply: FastifyReply): string {
  let id = request.cookies[BROWSER_COOKIE]
  if (id === undefined || !BROWSER_ID.test(id)) {
    id = randomBytes(32).toString('base64url')
    reply.setCookie(BROWSER_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: (30 * DAY_MS) / 1000 })
    request.cookies[BROWSER_COOKIE] = id
  }
  return hashOf(id)
}

/** The tag of this browser if it has one already (see browserTag), or null. */
export function knownBrowserTag(request: FastifyRequest): string | null {
  const id = request.cookies[BROWSER_COOKIE]
  return id !== undefined && BROWSER_ID.test(id) ? hashOf(id) : null
}

function hashOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url')
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
    const cookieExpires = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : Date.now() + SESSION_MAX_AGE_MS
    const expires = session.userId === undefined ? Math.min(cookieExpires, Date.now() + ANONYMOUS_SESSION_MS) : cookieExpires
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
