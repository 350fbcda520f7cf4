import type { Message } from '../../i18n/translate.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { eventOf, hasRole, mayManage } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import type { Event } from '../events/event.model.js'
import { findEvent, ticketTypesByEvent } from '../events/event.repository.js'
import {
  type BlockFormValues,
  type SeatMarksFormValues,
  blankBlockForm,
  parseBlockForm,
  parseSeatCsv,
  parseSeatMarks,
} from './seat-map.build.js'
import { toSeatMapView } from './seat-map.view.js'
import { seatMapOf, seatsOnMap } from './seating.repository.js'
import { type MapChange, type MapRefusal, addSeats, clearSeats, copySeats, markSeats } from './seating.service.js'
import { seatMapRefusalText } from './seat-map.refusals.js'

type SeatMapForm = BlockFormValues & SeatMarksFormValues & { csv: string }

/**
 * The organiser's seat map: blocks of rows from a grid form, seats pasted as
 * CSV, a copy of another event's map, and starting again. 404 unless the
 * event is the user's own (admins manage every event): the access hook's rule.
 */
export default async function seatingRoutes(app: FastifyInstance) {
  const owner = { config: { access: 'event-owner' as const } }

  function changeOf(request: FastifyRequest, event: Event): MapChange {
    return { event, actor: actorOf(request) }
  }

  async function render(
    reply: FastifyReply,
    event: Event,
    form: { values?: Partial<SeatMapForm>; errors?: FieldErrors; refusal?: MapRefusal } = {},
    status = 200,
  ) {
    const { currency } = await reply.request.siteSettings()
    const types = (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
    const { t } = reply.request
    const map = toSeatMapView(seatsOnMap(await seatMapOf(app.db, event.id)), types, currency, t)
    const user = reply.request.user!
    const others = await app.db
      .selectFrom('events')
      .select(['id', 'title'])
      .where('id', '!=', event.id)
      .$if(!hasRole(user, 'admin'), (qb) => qb.where('ownerId', '=', event.ownerId))
      .where((eb) => eb.exists(eb.selectFrom('seats').select('seats.id').whereRef('seats.eventId', '=', 'events.id')))
      .orderBy('startsAt', 'desc')
      .limit(50)
      .execute()
    reply.code(status)
    return reply.render('seating/seat-map.eta', {
      title: t('seating.editor.title', { event: event.title }),
      event: { id: event.id, title: event.title },
      map,
      types,
      typeOptions: [
        { value: '', label: t('seating.editor.choose') },
        ...types.map((type) => ({ value: String(type.id), label: type.name })),
      ],
      copyFrom:
        others.length === 0
          ? []
          : [{ value: '', label: t('seating.editor.choose') }, ...others.map((other) => ({ value: String(other.id), label: other.title }))],
      values: { ...blankBlockForm(), csv: '', markSection: '', marks: '', ...form.values },
      errors: form.errors ?? {},
      refusal: form.refusal ? seatMapRefusalText(reply.request.t, form.refusal) : null,
    })
  }

  /** After a change: back to the page, or the page again with why it was refused (the form as typed). */
  async function answer(reply: FastifyReply, event: Event, refusal: MapRefusal, values: Partial<SeatMapForm>, success: Message) {
    if (refusal !== null) return render(reply, event, { values, refusal }, 409)
    app.afterCommit({ eventChanged: event.id })
    reply.flash('success', success.key, success.params)
    return reply.redirect(`/events/${event.id}/seat-map`, 303)
  }

  app.get('/events/:id/seat-map', owner, async (request, reply) => render(reply, eventOf(request)))

  app.post('/events/:id/seat-map/blocks', owner, async (request, reply) => {
    const event = eventOf(request)
    const types = (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
    const { values, errors, seats } = parseBlockForm(request.body, types, request.t)
    if (Object.keys(errors).length > 0) return render(reply, event, { values, errors }, 422)
    const refusal = await addSeats(app.db, changeOf(request, event), seats)
    return answer(reply, event, refusal, values, { key: 'flash.seating.seatsAdded', params: { count: seats.length } })
  })

  app.post('/events/:id/seat-map/import', owner, async (request, reply) => {
    const event = eventOf(request)
    const types = (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
    const csv = new FormReader(request.body, request.t).text('csv', { raw: true })
    const { seats, problems } = parseSeatCsv(csv, types, request.t)
    if (problems.length > 0) return render(reply, event, { values: { csv }, errors: { csv: problems.join(' ') } }, 422)
    const refusal = await addSeats(app.db, changeOf(request, event), seats)
    return answer(reply, event, refusal, { csv }, { key: 'flash.seating.seatsAdded', params: { count: seats.length } })
  })

  app.post('/events/:id/seat-map/copy', owner, async (request, reply) => {
    const event = eventOf(request)
    const fromId = Number(new FormReader(request.body, request.t).text('from'))
    const found = Number.isSafeInteger(fromId) && fromId > 0 ? await findEvent(app.db, fromId) : undefined
    // Only from another event this user manages: any other is as if it did not exist.
    const from = found && mayManage(request.user, found) ? found : undefined
    if (!from) return render(reply, event, { errors: { from: request.t('seating.editor.copyNone') } }, 422)
    const refusal = await copySeats(app.db, changeOf(request, event), from)
    return answer(reply, event, refusal, {}, { key: 'flash.seating.copied', params: { event: from.title } })
  })

  app.post('/events/:id/seat-map/marks', owner, async (request, reply) => {
    const event = eventOf(request)
    const { values, errors, seats, blocked } = parseSeatMarks(request.body, request.t)
    if (Object.keys(errors).length > 0) return render(reply, event, { values, errors }, 422)
    const refusal = await markSeats(app.db, changeOf(request, event), { section: values.markSection, seats, blocked })
    return answer(reply, event, refusal, values, { key: 'flash.seating.marked', params: { count: seats.size, blocked } })
  })

  app.post('/events/:id/seat-map/clear', owner, async (request, reply) => {
    const event = eventOf(request)
    const refusal = await clearSeats(app.db, changeOf(request, event))
    return answer(reply, event, refusal, {}, { key: 'flash.seating.cleared' })
  })
}
