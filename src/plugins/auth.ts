import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../db/database.js'
import type { Role } from '../db/schema.js'
import { AwaitingApproval, Forbidden, NotFound, idParam } from '../lib/errors.js'

/**
 * Who may use a route. Every route registered by a feature must say it in
 * `config.access`; the app refuses to start otherwise (see the onRoute hook).
 * - anyone: no login needed
 * - guest: only when logged out (login, register)
 * - user: any logged-in account
 * - organiser: organisers and admins (their own pages: the dashboard, a new event)
 * - event-owner: one event's organiser, and admins. The hook loads the event
 *   (`:id`, or the route's `config.eventOf` when its id names something of the
 *   event) once and hands it to the handler (eventOf(request)); logged out, the
 *   visitor is sent to log in, an attendee is refused, and any other organiser
 *   gets a 404: they learn nothing, not even that the event exists
 * - admin: site admins
 * - door: the event's door (`:id`): its organiser and admins, its door staff,
 *   and a browser holding one of its staff links; the hook hands over the event
 *   and the visitor's pass (doorPassOf(request)), and answers 404 to anyone else,
 *   logged in or not
 */
export type Access = 'anyone' | 'guest' | 'user' | 'organiser' | 'event-owner' | 'admin' | 'door'

/** What per-event access needs to know of an event: whose it is. */
export interface OwnedEvent {
  id: number
  ownerId: number
}

/**
 * The app's event type, declared by the events feature (event.model.ts), so
 * that the event handed to a handler has it while this module imports no feature.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging
export interface PerEventTypes {}
type LoadedEvent = PerEventTypes extends { event: infer E extends OwnedEvent } ? E : OwnedEvent

/** Who is at an event's door, and as whom their check-ins are recorded. */
export interface DoorPass {
  actorId: number | null
  actorLabel: string
  /** The organiser (or an admin): may also undo check-ins and manage the staff. */
  manages: boolean
}

/** How the hook loads what it decides on: given by the app (src/app.ts) from the events and check-in features. */
export interface PerEventParts {
  findEvent(db: Db, id: number): Promise<LoadedEvent | undefined>
  /** The pass of the event's door staff: this account's grant, or a staff link this browser holds; null for anyone else. */
  staffPass(db: Db, eventId: number, user: CurrentUser | null, doorLinks: number[]): Promise<DoorPass | null>
}

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
    /**
     * On an event-owner route whose `:id` names something of an event (a
     * ticket type, a waiting-list entry): the id of its event, or undefined
     * when that something is gone.
     */
    eventOf?: (request: FastifyRequest) => Promise<number | undefined>
    /** On such a route, the 404's words: the same whether it is gone or this visitor may not manage it. */
    notFound?: string
  }
  interface FastifyRequest {
    /** The logged-in, active account, or null. Loaded fresh on every request. */
    user: CurrentUser | null
    /** On event-owner and door routes: the event, loaded once by the access hook. */
    event: LoadedEvent | null
    /** On door routes: this visitor's pass for the event's door. */
    doorPass: DoorPass | null
  }
  interface Session {
    /** door_staff ids of the staff links opened in this browser. */
    doorLinks?: number[]
  }
}

const ROLE_RANK: Record<Role, number> = { attendee: 0, organiser: 1, admin: 2 }

export function hasRole(user: CurrentUser | null, role: Role): boolean {
  return user !== null && ROLE_RANK[user.role] >= ROLE_RANK[role]
}

/** The one rule of who manages an event: its organiser, and admins. */
export function mayManage(user: CurrentUser | null, event: Pick<OwnedEvent, 'ownerId'>): boolean {
  return user !== null && (user.id === event.ownerId || hasRole(user, 'admin'))
}

/** The event of an event-owner or door route, as the access hook loaded it. */
export function eventOf(request: FastifyRequest): LoadedEvent {
  if (!request.event) throw new Error(`${request.routeOptions.url} does not declare per-event access`)
  return request.event
}

/** The visitor's pass on a door route, as the access hook found it. */
export function doorPassOf(request: FastifyRequest): DoorPass {
  if (!request.doorPass) throw new Error(`${request.routeOptions.url} does not declare door access`)
  return request.doorPass
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
  async (app, options: { perEvent: PerEventParts }) => {
    const { perEvent } = options
    app.decorateRequest('user', null)
    app.decorateRequest('event', null)
    app.decorateRequest('doorPass', null)

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
      if (access === undefined || access === 'anyone') return
      if (access === 'door') return admitAtDoor(request)
      if (access === 'guest') {
        if (request.user) return reply.redirect('/', 303)
        return
      }
      if (!request.user) return sendToLogin(request, reply)
      if (access === 'user') return
      const role = access === 'event-owner' ? 'organiser' : access
      if (!hasRole(request.user, role)) throw await refusal(request.user, role)
      if (access === 'event-owner') request.event = await managedEvent(request)
    })

    /** The route's event, if this user may manage it; a 404 otherwise, the same as for no event. */
    async function managedEvent(request: FastifyRequest): Promise<LoadedEvent> {
      const { eventOf: locate, notFound } = request.routeOptions.config
      const id = locate ? await locate(request) : idParam(request.params)
      const event = id === undefined ? undefined : await perEvent.findEvent(app.db, id)
      if (!event || !mayManage(request.user, event)) throw new NotFound(notFound)
      return event
    }

    /** The door's rule: those who manage the event, then its door staff and staff links; a 404 to anyone else. */
    async function admitAtDoor(request: FastifyRequest): Promise<void> {
      const event = await perEvent.findEvent(app.db, idParam(request.params))
      if (!event) throw new NotFound()
      const user = request.user
      const pass =
        user && mayManage(user, event)
          ? { actorId: user.id, actorLabel: user.name, manages: true }
          : await perEvent.staffPass(app.db, event.id, user, request.session.doorLinks ?? [])
      if (!pass) throw new NotFound()
      request.event = event
      request.doorPass = pass
    }

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
