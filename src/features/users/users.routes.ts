import type { MessageKey } from '../../i18n/catalogue.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '../../db/schema.js'
import { Conflict, idParam } from '../../lib/errors.js'
import { FormReader } from '../../lib/forms.js'
import { pageNumber, pager } from '../../lib/paging.js'
import { hasRole, safeReturnPath } from '../../plugins/auth.js'
import { countPendingOrganisers, searchUsers } from '../accounts/user.repository.js'
import { actorOf } from '../audit/actor.js'
import { type AccountAction, applyAccountAction } from './users.service.js'
import { ROLES, ROLE_LABELS, STATUSES, STATUS_LABELS, choices, toUserListItem } from './users.view.js'
import { siteUrl } from '../../lib/site-url.js'

const LIST = '/users/list-users'
const PER_PAGE = 25

const DONE: Record<AccountAction['kind'], MessageKey> = {
  role: 'flash.users.done.role',
  'approve-organiser': 'flash.users.done.approveOrganiser',
  'decline-organiser': 'flash.users.done.declineOrganiser',
  disable: 'flash.users.done.disable',
  enable: 'flash.users.done.enable',
}

/** The site admin's user list, and the actions on an account it offers. */
export default async function usersRoutes(app: FastifyInstance) {
  app.get(LIST, { config: { access: 'admin' } }, async (request, reply) => {
    const query = new FormReader(request.query, request.t)
    // An unknown role or status (a hand-edited URL) filters nothing, like an empty one.
    const role = ROLES.find((known) => known === query.text('role')) ?? null
    const status = STATUSES.find((known) => known === query.text('status')) ?? null
    const filters = {
      q: query.text('q').slice(0, 200),
      role: role ?? '',
      status: status ?? '',
      pending: query.checkbox('pending') ? '1' : '',
    }
    const page = pageNumber(query.text('page'))
    const [settings, found, pendingCount] = await Promise.all([
      request.siteSettings(),
      searchUsers(app.db, { text: filters.q, role, status, pendingOnly: filters.pending === '1', page, perPage: PER_PAGE }),
      countPendingOrganisers(app.db),
    ])
    const pages = Math.max(1, Math.ceil(found.total / PER_PAGE))
    return reply.render('users/users.eta', {
      title: request.t('admin.users.title'),
      filters,
      users: found.users.map((user) => toUserListItem(user, request.user!.id, settings.timeZone, request.t)),
      total: found.total,
      pendingCount,
      pages,
      pager: pager(LIST, filters, page, page < pages),
      roles: choices(ROLE_LABELS, request.t),
      statuses: choices(STATUS_LABELS, request.t),
      back: request.url,
    })
  })

  app.post('/users/:id/role', { config: { access: 'admin' } }, async (request, reply) => {
    const form = new FormReader(request.body, request.t)
    const role = form.text('role') as Role
    if (!ROLES.includes(role)) {
      reply.flash('error', 'flash.users.chooseRole')
      return reply.redirect(backTo(form), 303)
    }
    return act(request, reply, { kind: 'role', role })
  })
  app.post('/users/:id/approve-organiser', { config: { access: 'admin' } }, (request, reply) =>
    act(request, reply, { kind: 'approve-organiser' }),
  )
  app.post('/users/:id/decline-organiser', { config: { access: 'admin' } }, (request, reply) =>
    act(request, reply, { kind: 'decline-organiser' }),
  )
  app.post('/users/:id/disable', { config: { access: 'admin' } }, (request, reply) => act(request, reply, { kind: 'disable' }))
  app.post('/users/:id/enable', { config: { access: 'admin' } }, (request, reply) => act(request, reply, { kind: 'enable' }))

  async function act(request: FastifyRequest, reply: FastifyReply, action: AccountAction) {
    const userId = idParam(request.params)
    const admin = request.user!
    const back = backTo(new FormReader(request.body))
    let changed: boolean
    try {
      changed = await applyAccountAction(app.db, actorOf(request), userId, action, siteUrl(request))
      app.afterCommit({ mailQueued: true })
    } catch (error) {
      // The service's refusals name their words by key (the last admin, one's own account).
      if (!(error instanceof Conflict) || error.detail === null) throw error
      reply.flash('error', error.detail.key, error.detail.params)
      return reply.redirect(back, 303)
    }
    reply.flash(changed ? 'success' : 'info', changed ? DONE[action.kind] : 'flash.users.nothingToChange')
    // An admin who just gave up their own admin role can no longer see the list.
    const demotedSelf = changed && action.kind === 'role' && userId === admin.id && !hasRole({ ...admin, role: action.role }, 'admin')
    return reply.redirect(demotedSelf ? '/' : back, 303)
  }
}

/** Back to the list page the form was on (its search and page), and nowhere else. */
function backTo(form: FormReader): string {
  const back = safeReturnPath(form.text('back'))
  return back === LIST || back.startsWith(`${LIST}?`) ? back : LIST
}
