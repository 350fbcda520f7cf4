import type { FastifyInstance } from 'fastify'
import { FormReader } from '../../lib/forms.js'
import { pageNumber, pager } from '../../lib/paging.js'
import { dateInputToEndOfDay, dateInputToInstant } from '../../lib/time.js'
import { auditActions, searchAudit } from './audit.repository.js'
import { toAuditItem } from './audit.view.js'

const PER_PAGE = 50

/** The audit log for site admins: newest first, filtered by action, actor and dates (in the site's time zone). */
export default async function auditRoutes(app: FastifyInstance) {
  app.get('/admin/audit', { config: { access: 'admin' } }, async (request, reply) => {
    const { timeZone } = await request.siteSettings()
    const query = new FormReader(request.query, request.t)
    const filters = {
      action: query.text('action').slice(0, 100),
      actor: query.text('actor').slice(0, 200),
      from: query.text('from'),
      to: query.text('to'),
    }
    const page = pageNumber(query.text('page'))
    const errors: Record<string, string> = {}
    const from = filters.from ? dateInputToInstant(filters.from, timeZone) : null
    const to = filters.to ? dateInputToEndOfDay(filters.to, timeZone) : null
    if (filters.from && from === null) errors.from = request.t('admin.audit.dateInvalid')
    if (filters.to && to === null) errors.to = request.t('admin.audit.dateInvalid')
    if (from !== null && to !== null && to <= from) errors.to = request.t('admin.audit.endBeforeStart')

    const [actions, found] = await Promise.all([
      auditActions(app.db),
      searchAudit(app.db, {
        action: filters.action,
        actor: filters.actor,
        from: errors.from ? null : from,
        to: errors.to ? null : to,
        page,
        perPage: PER_PAGE,
      }),
    ])
    return reply.render(
      'audit/audit.eta',
      {
        title: request.t('admin.audit.title'),
        filters,
        errors,
        actions,
        timeZone,
        entries: found.entries.map((entry) => toAuditItem(entry, timeZone, request.t)),
        pager: pager('/admin/audit', filters, page, found.hasNext),
      },
      Object.keys(errors).length > 0 ? 422 : 200,
    )
  })
}
