import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import type { TicketTypeRow } from '../../db/schema.js'
import { csvChunks } from '../../lib/csv.js'
import { NotFound, idParam } from '../../lib/errors.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { siteUrl } from '../../lib/site-url.js'
import { eventOf } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import { normaliseEmail } from '../accounts/user.repository.js'
import type { Event } from '../events/event.model.js'
import { findEventWithTicketTypes } from '../events/event.repository.js'
import { isListed, isPublic, isWaitingListOpen } from '../events/event.rules.js'
import { settle } from '../upkeep/settle.js'
import { type JoinFormValues, parseJoinForm } from './waiting-list.form.js'
import { entriesOfEvent, findEntry } from './waiting-list.repository.js'
import { declineOffer, findEntryByLeaveToken, joinWaitingList, leaveWaitingList, removeEntry } from './waiting-list.service.js'
import { entryCsvHeader, joinRefusalText, toEntryCsvRows, toEntryViews } from './waiting-list.view.js'

/**
 * The waiting list: a sold-out type's join form, the links of its messages
 * (leave the list, decline an offer), and the organiser's page of it with
 * its export. Claiming an offer is a purchase (the buy form with ?offer=).
 */
export default async function waitingListRoutes(app: FastifyInstance) {
  const anyone = { config: { access: 'anyone' as const } }
  const owner = { config: { access: 'event-owner' as const } }
  // An entry's route names the entry: its event is the one whose owner may use it.
  const entryOwner = {
    config: {
      access: 'event-owner' as const,
      eventOf: async (request: FastifyRequest) => (await findEntry(app.db, idParam(request.params)))?.eventId,
    },
  }
  const joinLimit = { max: app.config.rateLimits.purchasePerMinute, timeWindow: 60_000 }

  /** A public event and the type the query or form names, or the same 404 whether it is a draft or does not exist. */
  async function publicType(request: FastifyRequest, typeId: string): Promise<{ event: Event; type: TicketTypeRow }> {
    const found = await findEventWithTicketTypes(app.db, idParam(request.params))
    // A hidden type is for its code's holders alone: it has no public waiting list.
    const type = found?.types.find((candidate) => String(candidate.id) === typeId && isListed(candidate))
    if (!found || !type || !isPublic(found.event)) throw new NotFound()
    return { event: found.event, type }
  }

  function renderJoin(
    request: FastifyRequest,
    reply: FastifyReply,
    event: Event,
    type: TicketTypeRow,
    form: { values: JoinFormValues; errors: FieldErrors; refusal?: string },
    status = 200,
  ) {
    if (status !== 200) reply.header('cache-control', 'private, no-store')
    return reply.render(
      'waiting-list/join.eta',
      {
        title: request.t('waitingList.join.title', { event: event.title }),
        event: { id: event.id, title: event.title },
        type: { id: type.id, name: type.name, most: Math.min(type.maxPerOrder, app.config.maxTicketsPerOrder) },
        open: isWaitingListOpen(type, event),
        refusal: form.refusal ?? null,
        values: form.values,
        errors: form.errors,
      },
      status,
    )
  }

  app.get('/event/:id/waiting-list', anyone, async (request, reply) => {
    let { event, type } = await publicType(request, new FormReader(request.query).text('type'))
    // An offer that ran out may have freed the type: the form says what is true now.
    if (await settle(app.db, event)) ({ event, type } = await publicType(request, String(type.id)))
    const values = { name: request.user?.name ?? '', email: request.user?.email ?? '', quantity: '1' }
    return renderJoin(request, reply, event, type, { values, errors: {} })
  })

  app.post('/event/:id/waiting-list', { config: { access: 'anyone', rateLimit: joinLimit } }, async (request, reply) => {
    const { event, type } = await publicType(request, new FormReader(request.body).text('type'))
    const { values, errors, input } = parseJoinForm(request.body, type, app.config.maxTicketsPerOrder, request.t)
    if (!input) return renderJoin(request, reply, event, type, { values, errors }, 422)
    const outcome = await joinWaitingList(app.db, {
      ...input,
      email: normaliseEmail(input.email),
      eventId: event.id,
      ticketTypeId: type.id,
      siteUrl: siteUrl(request),
      locale: request.locale,
    })
    if (!outcome.joined) {
      const message = joinRefusalText(request.t, outcome.reason)
      return outcome.reason.kind === 'duplicate'
        ? renderJoin(request, reply, event, type, { values, errors: { email: message } }, 422)
        : renderJoin(request, reply, event, type, { values, errors: {}, refusal: message }, 409)
    }
    app.afterCommit({ mailQueued: true })
    reply.flash('success', 'flash.waitingList.joined', { ticketType: type.name, email: input.email })
    return reply.redirect(`/event/${event.id}`, 303)
  })

  // The message's link only shows what leaving means; the button on the page leaves.
  app.get('/waiting-list/leave', anyone, async (request, reply) => {
    const token = new FormReader(request.query).text('token')
    const entry = await findEntryByLeaveToken(app.db, token)
    if (!entry) throw new NotFound({ key: 'errors.waitingList.leaveLinkInvalid' })
    const found = await findEventWithTicketTypes(app.db, entry.eventId)
    reply.header('cache-control', 'private, no-store')
    return reply.render('waiting-list/leave.eta', {
      title: request.t('waitingList.leave.title'),
      token,
      onList: entry.state === 'waiting' || entry.state === 'offered',
      offered: entry.state === 'offered',
      event: { id: entry.eventId, title: found?.event.title ?? '' },
      typeName: found?.types.find((type) => type.id === entry.ticketTypeId)?.name ?? '',
    })
  })

  app.post('/waiting-list/leave', anyone, async (request, reply) => {
    const entry = await findEntryByLeaveToken(app.db, new FormReader(request.body).text('token'))
    if (!entry) throw new NotFound({ key: 'errors.waitingList.leaveLinkInvalid' })
    if (await leaveWaitingList(app.db, entry)) {
      app.afterCommit({ eventChanged: entry.eventId, mailQueued: true })
      reply.flash('success', 'flash.waitingList.left')
    } else {
      reply.flash('info', 'flash.waitingList.notOnList')
    }
    return reply.redirect(`/event/${entry.eventId}`, 303)
  })

  app.post('/waiting-list/decline', anyone, async (request, reply) => {
    const outcome = await declineOffer(app.db, new FormReader(request.body).text('offer'))
    if (!outcome) throw new NotFound({ key: 'errors.waitingList.offerLinkInvalid' })
    if (outcome.declined) {
      app.afterCommit({ eventChanged: outcome.eventId, mailQueued: true })
      reply.flash('success', 'flash.waitingList.declined')
    } else {
      reply.flash('info', 'flash.waitingList.offerNotOpen')
    }
    return reply.redirect(`/event/${outcome.eventId}`, 303)
  })

  app.get('/events/:id/waiting-list', owner, async (request, reply) => {
    const event = eventOf(request)
    await settle(app.db, event)
    const found = await findEventWithTicketTypes(app.db, event.id)
    const entries = toEntryViews(await entriesOfEvent(app.db, event.id), event.timeZone, request.t)
    return reply.render('waiting-list/entries.eta', {
      title: request.t('organiser.waitingList.title', { title: event.title }),
      event: { id: event.id, title: event.title, timeZone: event.timeZone, waitingList: event.waitingList, offerHours: event.offerHours },
      types: (found?.types ?? []).map((type) => ({
        name: type.name,
        sold: type.sold,
        held: type.held,
        capacity: type.capacity,
        waiting: entries.filter((entry) => entry.ticketTypeId === type.id && entry.state === 'waiting').length,
      })),
      entries,
    })
  })

  app.get('/events/:id/waiting-list.csv', owner, async (request, reply) => {
    const event = eventOf(request)
    const rows = toEntryCsvRows(await entriesOfEvent(app.db, event.id), event.timeZone, request.t)
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="waiting-list-event-${event.id}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csvChunks([[entryCsvHeader(event.timeZone, request.t), ...rows]])))
  })

  // Anyone but the event's owner (or an admin) learns nothing, not even that the entry exists.
  app.post('/waiting-list/:id/remove', entryOwner, async (request, reply) => {
    const entry = await findEntry(app.db, idParam(request.params))
    if (!entry) throw new NotFound()
    if (await removeEntry(app.db, actorOf(request), entry)) {
      app.afterCommit({ eventChanged: entry.eventId, mailQueued: true })
      reply.flash('success', 'flash.waitingList.removed', { name: entry.name })
    } else {
      reply.flash('info', 'flash.waitingList.wasNotOnList', { name: entry.name })
    }
    return reply.redirect(`/events/${entry.eventId}/waiting-list`, 303)
  })
}
