import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TicketTypeRow } from '../../db/schema.js'
import { formatDateTime } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { randomSecret } from '../../lib/random.js'
import { siteUrl } from '../../lib/site-url.js'
import { eventOf } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import { latestAuditOf } from '../audit/audit.repository.js'
import type { Event } from '../events/event.model.js'
import { ticketTypesByEvent } from '../events/event.repository.js'
import { settle } from '../upkeep/settle.js'
import { type MessageFormValues, blankMessageForm, formKeyOf, MAX_SUBJECT, parseMessageForm } from './holder-message.form.js'
import { type Recipient, audienceOf, messagesOfEvent } from './holder-message.repository.js'
import { type HolderMessageInput, MESSAGES_PER_EVENT_PER_HOUR, sendHolderMessage } from './holder-message.service.js'
import {
  type EventMove,
  audienceChoices,
  audienceWords,
  moveOfAudit,
  paragraphsOf,
  prefillForMove,
  toMessageListItems,
} from './holder-message.view.js'

/** Edits of an event read back for the latest one that moved it. */
const EDITS_READ_FOR_MOVE = 20

/**
 * Writing to an event's ticket holders: the form, its preview (the message as
 * a holder gets it and how many get it, with the Send button), sending, and
 * the list of what was sent with how far each message has gone. All of it is
 * the event owner's (and admins'). Without JavaScript: the preview is a
 * POST that changes nothing and carries the fields on to Send or back to the
 * form.
 */
export default async function holderMessageRoutes(app: FastifyInstance) {
  const owner = { config: { access: 'event-owner' as const } }

  async function typesOf(event: Event): Promise<TicketTypeRow[]> {
    return (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
  }

  interface ComposeForm {
    values: MessageFormValues
    errors: FieldErrors
    /** Why sending was refused, said above the form. */
    refusal?: string
    /** The automatic message of a change went out: this form follows it. */
    followUp?: EventMove
  }

  async function renderCompose(reply: FastifyReply, event: Event, form: ComposeForm, status?: number) {
    const { t } = reply.request
    return reply.render(
      'holder-messages/compose.eta',
      {
        title: t('holderMessages.compose.title', { title: event.title }),
        event: { id: event.id, title: event.title },
        values: form.values,
        errors: form.errors,
        refusal: form.refusal ?? null,
        followUp: form.followUp ? t('holderMessages.compose.followUp', { count: form.followUp.told }) : null,
        limitNote: t('holderMessages.compose.limit', { limit: MESSAGES_PER_EVENT_PER_HOUR }),
        maxSubject: MAX_SUBJECT,
        ...audienceChoices(form.values, await typesOf(event), t),
      },
      status,
    )
  }

  async function renderPreview(
    reply: FastifyReply,
    event: Event,
    types: TicketTypeRow[],
    form: { values: MessageFormValues; input: HolderMessageInput; recipients: Recipient[] },
  ) {
    const { t } = reply.request
    const { values, input, recipients } = form
    const settings = await reply.request.siteSettings()
    const sample = recipients[0]!
    return reply.render('holder-messages/preview.eta', {
      title: t('holderMessages.preview.title', { title: event.title }),
      event: { id: event.id, title: event.title },
      count: recipients.length,
      audience: audienceWords(input.audience, types, t),
      mail: {
        from: settings.siteName,
        to: { name: sample.buyerName, email: sample.email },
        others: recipients.length - 1,
        subject: input.subject,
        eventTitle: event.title,
        code: sample.code,
        paragraphs: paragraphsOf(input.body),
      },
      // Carried on to Send (with the key that makes it one message) or back to the form.
      fields: { subject: values.subject, body: values.body, audience: values.audience, checkIn: values.checkIn },
      typeIds: input.audience.ticketTypeIds ?? [],
      key: randomSecret(18),
      limitNote: t('holderMessages.compose.limit', { limit: MESSAGES_PER_EVENT_PER_HOUR }),
    })
  }

  /** The latest edit of the event that moved it, from its audit entries; null when none did. */
  async function latestMove(event: Event): Promise<EventMove | null> {
    const edits = await latestAuditOf(app.db, 'event.updated', { type: 'event', id: event.id }, EDITS_READ_FOR_MOVE)
    for (const edit of edits) {
      const move = moveOfAudit(edit.details, event)
      if (move) return move
    }
    return null
  }

  app.get('/events/:id/messages', owner, async (request, reply) => {
    const event = eventOf(request)
    const types = await typesOf(event)
    const messages = await messagesOfEvent(app.db, event.id)
    return reply.render('holder-messages/list.eta', {
      title: request.t('holderMessages.list.title', { title: event.title }),
      event: { id: event.id, title: event.title, timeZone: event.timeZone },
      messages: toMessageListItems(messages, types, event, request.locale, request.t),
    })
  })

  app.get('/events/:id/messages/new', owner, async (request, reply) => {
    const event = eventOf(request)
    const values = blankMessageForm()
    // Offered on the event's page after its date, time or venue changed.
    const move = new FormReader(request.query).text('about') === 'change' ? await latestMove(event) : null
    if (move) Object.assign(values, prefillForMove(event, move, request.locale, request.t))
    return renderCompose(reply, event, { values, errors: {}, followUp: move && move.told > 0 ? move : undefined })
  })

  // The preview's "Change the message": the form again, as it was sent to the preview.
  app.post('/events/:id/messages/new', owner, async (request, reply) => {
    const event = eventOf(request)
    const types = await typesOf(event)
    const { values } = parseMessageForm(request.body, ids(types), request.t)
    return renderCompose(reply, event, { values, errors: {} })
  })

  app.post('/events/:id/messages/preview', owner, async (request, reply) => {
    const event = eventOf(request)
    const types = await typesOf(event)
    const { values, errors, input } = parseMessageForm(request.body, ids(types), request.t)
    if (!input) return renderCompose(reply, event, { values, errors }, 422)
    // Orders whose time to pay ran out are lapsed, not holders.
    await settle(app.db, event)
    const recipients = await audienceOf(app.db, event.id, input.audience)
    if (recipients.length === 0) {
      return renderCompose(reply, event, { values, errors: { audience: request.t('holderMessages.form.noRecipients') } }, 422)
    }
    return renderPreview(reply, event, types, { values, input, recipients })
  })

  app.post('/events/:id/messages', owner, async (request, reply) => {
    const event = eventOf(request)
    const { t } = request
    const types = await typesOf(event)
    const { values, errors, input } = parseMessageForm(request.body, ids(types), t)
    if (!input) return renderCompose(reply, event, { values, errors }, 422)
    const formKey = formKeyOf(request.body)
    // Sent from anything but the preview's Send button: the organiser has not seen what would go.
    if (!formKey) return renderCompose(reply, event, { values, errors: {}, refusal: t('holderMessages.refusal.previewFirst') }, 422)
    await settle(app.db, event)
    const outcome = await sendHolderMessage(app.db, actorOf(request), event.id, { ...input, formKey, siteUrl: siteUrl(request) })
    switch (outcome.kind) {
      case 'sent':
        app.afterCommit({ mailQueued: true })
        reply.flash('success', 'flash.holderMessages.sent', { count: outcome.recipients })
        return reply.redirect(`/events/${event.id}/messages`, 303)
      case 'already-sent':
        reply.flash('info', 'flash.holderMessages.alreadySent', {
          count: outcome.recipients,
          when: formatDateTime(outcome.sentAt, event.timeZone, request.locale),
        })
        return reply.redirect(`/events/${event.id}/messages`, 303)
      case 'no-recipients':
        return renderCompose(reply, event, { values, errors: { audience: t('holderMessages.form.noRecipients') } }, 422)
      case 'limit-reached':
        reply.header('retry-after', Math.max(1, Math.ceil((outcome.nextAt - Date.now()) / 1000)))
        return renderCompose(
          reply,
          event,
          {
            values,
            errors: {},
            refusal: t('holderMessages.refusal.limit', {
              limit: outcome.limit,
              next: formatDateTime(outcome.nextAt, event.timeZone, request.locale),
            }),
          },
          429,
        )
    }
  })
}

function ids(types: TicketTypeRow[]): number[] {
  return types.map((type) => type.id)
}
