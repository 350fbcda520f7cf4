import type { FastifyInstance } from 'fastify'
import type { OutboxState } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { formatDateTime } from '../../lib/format.js'
import { siteUrl } from '../../lib/site-url.js'
import { recordAudit } from '../audit/audit.repository.js'
import { actorOf, auditBy } from '../audit/actor.js'
import { countByState, enqueueMail, recentMessages } from '../outbox/outbox.repository.js'

const SHOWN = 100

const STATE_LABELS: Record<OutboxState, MessageKey> = {
  pending: 'admin.outbox.state.pending',
  sent: 'admin.outbox.state.sent',
  failed: 'admin.outbox.state.failed',
}

/** A message's state in words; a state this version does not know (a newer instance wrote it) as it is stored. */
function stateLabel(t: Translate, state: string): string {
  return Object.hasOwn(STATE_LABELS, state) ? t(STATE_LABELS[state as OutboxState]) : state
}

/** The admin's view of the outbox, and the settings page's test message. */
export default async function mailRoutes(app: FastifyInstance) {
  app.get('/admin/outbox', { config: { access: 'admin' } }, async (request, reply) => {
    const { timeZone } = await request.siteSettings()
    const [rows, counts] = await Promise.all([recentMessages(app.db, SHOWN), countByState(app.db)])
    const now = Date.now()
    return reply.render('mail/outbox.eta', {
      title: request.t('admin.outbox.title'),
      destination: request.t('admin.mail.destination', app.mail.destination),
      timeZone,
      counts: ['pending', 'sent', 'failed'].map((state) => ({ state, label: stateLabel(request.t, state), count: counts[state] ?? 0 })),
      total: Object.values(counts).reduce((sum, count) => sum + count, 0),
      messages: rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        recipient: row.recipient,
        state: row.state,
        stateLabel: stateLabel(request.t, row.state),
        created: formatDateTime(row.createdAt, timeZone),
        sent: row.sentAt === null ? null : formatDateTime(row.sentAt, timeZone),
        attempts: row.attempts,
        nextTry: row.state === 'pending' && row.nextAttemptAt > now ? formatDateTime(row.nextAttemptAt, timeZone) : null,
        lastError: row.lastError,
      })),
    })
  })

  app.post('/admin/outbox/test-message', { config: { access: 'admin' } }, async (request, reply) => {
    const admin = request.user!
    await app.db.transaction().execute(async (trx) => {
      await enqueueMail(trx, { kind: 'test', to: admin.email, data: { requestedBy: admin.email, siteUrl: siteUrl(request) } })
      await recordAudit(trx, {
        ...auditBy(actorOf(request)),
        action: 'mail.test_requested',
        subjectType: 'user',
        subjectId: admin.id,
        details: { email: admin.email },
      })
    })
    app.afterCommit({ mailQueued: true })
    reply.flash('success', 'flash.mail.testQueued', { email: admin.email })
    return reply.redirect('/admin/outbox', 303)
  })
}
