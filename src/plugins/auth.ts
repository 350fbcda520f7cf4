import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Role } from '../db/schema.js'
import { AwaitingApproval, Forbidden } from '../lib/errors.js'

/**
 * Who may use a route. Every route registered by a feature must say it in
 * `config.access`; the app refuses to start otherwise (see the onRoute hook).
 * - anyone: no login needed
 * - guest: only when logged out (login, register)
 * - user: any logged-in account
 * - organiser: organisers and admins (ownership is checked by the feature)
 * - admin: site admins
 * - door: anyone, logged in or not; the check-in feature admits the event's
 *   organiser, its door staff and staff links, and answers 404 to the rest
 */
export type Access = 'anyone' | 'guest' | 'user' | 'organiser' | 'admin' | 'door'

export interface CurrentUser {
  id: number
  name: string
  email: string
  role: Role
  /** Door staff of some event (an organiser added the account): the menu links to /door. */
  isDoorStaff: boolean
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    /** The logged-in, active account, or null. Loaded fresh on every request. */
    user: CurrentUser | null
  }
}

const ROLE_RANK: Record<Role, number> = { attendee: 0, organiser: 1, admin: 2 }

export function hasRole(user: CurrentUser | null, role: Role): boolean {
  return user !== null && ROLE_RANK[user.role] >= ROLE_RANK[role]
}

/**
 * A same-site path to come back to after login; anything else falls back to `/`.
 * Browsers drop tabs and newlines inside URLs and read `\` as `/`, so "/\t/evil.example"
 * would leave the site: such characters are refused outright, and what remains must
 * resolve to this origin.
 */
export function safeReturnPath(value: unknown): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (typeof value !== 'string' || !value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return '/'
  const base = 'http://admit-one.invalid'
  try {
    const resolved = new URL(value, base)
    return resolved.origin === base ? resolved.pathname + resolved.search + resolved.hash : '/'
  } catch {
    return '/'
  }
}

export default fp(
  async (app) => {
    app.decorateRequest('user', null)

    // Loading the user on every request (rather than trusting the session) is what
    // makes a disabled account or a changed role take effect at once.
    app.addHook('preHandler', async (request) => {
      const userId = request.session.userId
      if (userId === undefined) return
      // Whether the account is door staff comes in the same statement, for the menu of every page.
      const user = await app.db
        .selectFrom('users')
        .select(['id', 'name', 'email', 'role', 'status'])
        .select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('doorStaff')
                .select('doorStaff.id')
                .whereRef('doorStaff.userId', '=', 'users.id')
                .where('doorStaff.revokedAt', 'is', null),
            )
            .as('isDoorStaff'),
        )
        .where('id', '=', userId)
        .executeTakeFirst()
      if (!user || user.status !== 'active') {
        // A fresh, empty session rather than none: the page still renders (its
        // flash messages, its forms' CSRF tokens) for the visitor now logged out.
        await request.session.regenerate()
        return
      }
      request.user = { id: user.id, name: user.name, email: user.email, role: user.role, isDoorStaff: Boolean(user.isDoorStaff) }
    })

    // Whatever a logged-in account is shown (its orders, an organiser's sales,
    // the settings, a form filled in with its name) stays out of shared caches
    // and off the disk. A route that set its own policy (static files) keeps it.
    app.addHook('onSend', async (request, reply) => {
      if (request.user && !reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store')
    })

    app.addHook('preHandler', async (request, reply) => {
      const access = request.routeOptions.config.access
      if (access === undefined || access === 'anyone' || access === 'door') return
      if (access === 'guest') {
        if (request.user) return reply.redirect('/', 303)
        return
      }
      if (!request.user) return sendToLogin(request, reply)
      if (access !== 'user' && !hasRole(request.user, access)) throw await refusal(request.user, access)
    })

    /** Someone whose request to organise events waits for an admin is told so, not only refused. */
    async function refusal(user: CurrentUser, access: Role): Promise<Error> {
      if (access !== 'organiser') return new Forbidden()
      const row = await app.db.selectFrom('users').select('organiserRequestedAt').where('id', '=', user.id).executeTakeFirst()
      return row !== undefined && row.organiserRequestedAt !== null ? new AwaitingApproval() : new Forbidden()
    }
  },
  { name: 'auth', dependencies: ['session'] },
)

function sendToLogin(request: FastifyRequest, reply: FastifyReply) {
  const next = request.method === 'GET' ? request.url : '/'
  return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303)
}
