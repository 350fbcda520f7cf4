import type { FastifyInstance } from 'fastify'
import { LIVE_PAGE_SCRIPTS } from '../../lib/paths.js'
import { NotFound, idParam } from '../../lib/errors.js'
import { FormReader } from '../../lib/forms.js'
import { dateInputToEndOfDay, dateInputToInstant } from '../../lib/time.js'
import { mayManage } from '../../plugins/auth.js'
import { isPublic } from '../events/event.rules.js'
import {
  countPublicEvents,
  findEventWithTicketTypes,
  searchPublicEvents,
  ticketTypesByEvent,
  upcomingPublicEvents,
} from '../events/event.repository.js'
import { toEventView } from '../events/event.view.js'
import { settle, settleEach } from '../upkeep/settle.js'
import { cancelledEventLiveWords, liveWords } from '../events/event.live-words.js'

const PER_PAGE = 12

/** The public side: home, the event list with search, and an event's page. */
export default async function browseRoutes(app: FastifyInstance) {
  app.get('/', { config: { access: 'anyone' } }, async (request, reply) => {
    const settings = await request.siteSettings()
    const now = Date.now()
    let events = await upcomingPublicEvents(app.db, now, 6)
    if (await settleEach(app.db, events)) events = await upcomingPublicEvents(app.db, now, 6)
    const types = await ticketTypesByEvent(
      app.db,
      events.map((event) => event.id),
    )
    return reply.render('browse/home.eta', {
      title: null,
      events: events.map((event) => toEventView(event, types.get(event.id) ?? [], settings.currency, request.t, now)),
      scripts: LIVE_PAGE_SCRIPTS,
      liveWords: liveWords(request.t, request.locale),
    })
  })

  app.get('/attendee', { config: { access: 'anyone' } }, async (request, reply) => {
    const settings = await request.siteSettings()
    const query = new FormReader(request.query)
    const values = {
      q: query.text('q').slice(0, 200),
      from: query.text('from'),
      to: query.text('to'),
      tab: query.text('tab') === 'past' ? 'past' : 'upcoming',
    }
    const page = /^[1-9]\d{0,5}$/.test(query.text('page')) ? Number(query.text('page')) : 1
    const errors: Record<string, string> = {}
    const from = values.from ? dateInputToInstant(values.from, settings.timeZone) : null
    const toEnd = values.to ? dateInputToEndOfDay(values.to, settings.timeZone) : null
    if (values.from && from === null) errors.from = request.t('browse.list.dateFormat')
    if (values.to && toEnd === null) errors.to = request.t('browse.list.dateFormat')
    if (from !== null && toEnd !== null && toEnd <= from) errors.to = request.t('browse.list.endBeforeStart')

    const now = Date.now()
    const search = {
      text: values.q,
      from: errors.from ? null : from,
      to: errors.to ? null : toEnd,
      tab: values.tab as 'upcoming' | 'past',
      page,
      perPage: PER_PAGE,
      now,
    }
    let { events, hasNext } = await searchPublicEvents(app.db, search)
    // Counts that leave out offers that ran out.
    if (await settleEach(app.db, events)) ({ events, hasNext } = await searchPublicEvents(app.db, search))
    // A page past the last (an old link, a list that shrank) says so, and where the list ends.
    const lastPage = events.length === 0 && page > 1 ? Math.ceil((await countPublicEvents(app.db, search)) / PER_PAGE) : null
    const types = await ticketTypesByEvent(
      app.db,
      events.map((event) => event.id),
    )
    const link = (overrides: Record<string, string | number>) => {
      const params = new URLSearchParams()
      for (const [key, value] of Object.entries({ ...values, page, ...overrides })) {
        if (value !== '' && !(key === 'page' && value === 1) && !(key === 'tab' && value === 'upcoming')) params.set(key, String(value))
      }
      const search = params.toString()
      return search ? `/attendee?${search}` : '/attendee'
    }
    return reply.render(
      'browse/list.eta',
      {
        title: values.tab === 'past' ? request.t('browse.list.titlePast') : request.t('browse.list.title'),
        values,
        errors,
        events: events.map((event) => toEventView(event, types.get(event.id) ?? [], settings.currency, request.t, now)),
        page,
        pastTheEnd: lastPage === null ? null : { lastPage, link: link({ page: Math.max(lastPage, 1) }) },
        previousLink: page > 1 && lastPage === null ? link({ page: page - 1 }) : null,
        nextLink: hasNext ? link({ page: page + 1 }) : null,
        upcomingLink: link({ tab: 'upcoming', page: 1 }),
        pastLink: link({ tab: 'past', page: 1 }),
        scripts: LIVE_PAGE_SCRIPTS,
        liveWords: liveWords(request.t, request.locale),
      },
      Object.keys(errors).length > 0 ? 422 : 200,
    )
  })

  app.get('/event/:id', { config: { access: 'anyone' } }, async (request, reply) => {
    const id = idParam(request.params)
    let found = await findEventWithTicketTypes(app.db, id)
    // Tickets of an offer that ran out are free again (or offered onward) before the page counts them.
    if (found && (await settle(app.db, found.event))) found = await findEventWithTicketTypes(app.db, id)
    const event = found?.event
    const ownerView = event !== undefined && mayManage(request.user, event)
    // Drafts and scheduled events exist only for their owner: anyone else gets the same 404 as for no event.
    if (!event || (!isPublic(event) && !ownerView)) throw new NotFound()
    const settings = await request.siteSettings()
    const view = toEventView(event, found!.types, settings.currency, request.t)
    return reply.render('browse/event.eta', {
      title: event.title,
      event: view,
      notPublic: !isPublic(event),
      scripts: LIVE_PAGE_SCRIPTS,
      // A cancelled event's page counts nothing: its script has no counts to write, and the page holds none of their words.
      liveWords: view.cancelled ? cancelledEventLiveWords(request.t) : liveWords(request.t, request.locale),
    })
  })
}
