/**
 * The project's own work behind bare Fastify routes: what the full stack is
 * compared with in bench/flash-sale.ts, as its own process on the same
 * database. No sessions, CSRF, rate limits, helmet, auth, logging or error
 * pages: only the route's own reads, its transaction and its template.
 *
 * - POST /purchase/:id: the project's purchase (src/features/purchase), its
 *   read and its transaction, as the app runs them.
 * - GET /event/:id and GET /attendee: the same reads and the same Eta
 *   templates in the same layout, rendered from the same data, with a page
 *   context of constants (the site settings read once, nobody logged in).
 *
 * It runs from the sources under tsx.
 */
import Fastify from 'fastify'
import formbody from '@fastify/formbody'
import fastifyView from '@fastify/view'
import { Eta } from 'eta'
import { createDatabase } from '../src/db/database.js'
import { findEventWithTicketTypes, searchPublicEvents, ticketTypesByEvent } from '../src/features/events/event.repository.js'
import { toEventView } from '../src/features/events/event.view.js'
import { placeOrder } from '../src/features/purchase/purchase.service.js'
import { PurchaseRefused } from '../src/features/purchase/purchase.errors.js'
import { getSiteSettings } from '../src/features/settings/settings.repository.js'
import { LIVE_PAGE_SCRIPTS, VIEWS_DIR } from '../src/lib/paths.js'
import { liveWords } from '../src/features/events/event.live-words.js'
import { DEFAULT_LOCALE } from '../src/i18n/locale.js'
import { translatorFor } from '../src/i18n/translate.js'

const { db } = createDatabase(process.env.DATABASE_URL!)
const app = Fastify()
await app.register(formbody)
await app.register(fastifyView, {
  engine: { eta: new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true }) },
  templates: VIEWS_DIR,
  layout: 'layout.eta',
  production: true,
})

const settings = await getSiteSettings(db)
const t = translatorFor(DEFAULT_LOCALE)
const pageContext = (path: string) => ({
  site: { name: settings.siteName, description: settings.siteDescription, currency: settings.currency, timeZone: settings.timeZone },
  user: null,
  flash: [],
  path,
  locale: DEFAULT_LOCALE,
  t,
  csrf: () => '',
})

app.get('/healthz', async () => 'ok')

app.get('/event/:id', async (request, reply) => {
  const found = await findEventWithTicketTypes(db, Number((request.params as { id: string }).id))
  if (!found) return reply.code(404).send()
  const html = await reply.viewAsync('browse/event.eta', {
    ...pageContext(request.url),
    title: found.event.title,
    event: toEventView(found.event, found.types, settings.currency, t),
    notPublic: false,
    scripts: LIVE_PAGE_SCRIPTS,
    liveWords: liveWords(t, DEFAULT_LOCALE),
  })
  return reply.type('text/html; charset=utf-8').send(html)
})

app.get('/attendee', async (request, reply) => {
  const now = Date.now()
  const { events, hasNext } = await searchPublicEvents(db, { text: '', from: null, to: null, tab: 'upcoming', page: 1, perPage: 12, now })
  const types = await ticketTypesByEvent(
    db,
    events.map((event) => event.id),
  )
  const html = await reply.viewAsync('browse/list.eta', {
    ...pageContext(request.url),
    title: t('browse.list.title'),
    values: { q: '', from: '', to: '', tab: 'upcoming' },
    errors: {},
    events: events.map((event) => toEventView(event, types.get(event.id) ?? [], settings.currency, t, now)),
    page: 1,
    previousLink: null,
    nextLink: hasNext ? '/attendee?page=2' : null,
    upcomingLink: '/attendee',
    pastLink: '/attendee?tab=past',
    scripts: LIVE_PAGE_SCRIPTS,
    liveWords: liveWords(t, DEFAULT_LOCALE),
  })
  return reply.type('text/html; charset=utf-8').send(html)
})

app.post('/purchase/:id', async (request, reply) => {
  const body = request.body as Record<string, string>
  const quantities = new Map<number, number>()
  const seenPrices = new Map<number, number>()
  for (const [field, value] of Object.entries(body)) {
    if (field.startsWith('qty_')) quantities.set(Number(field.slice(4)), Number(value))
    if (field.startsWith('price_')) seenPrices.set(Number(field.slice(6)), Number(value))
  }
  try {
    const order = await placeOrder(db, {
      cart: {
        eventId: Number((request.params as { id: string }).id),
        quantities,
        seen: { currency: body.currency ?? '', prices: seenPrices },
        formKey: body.key ?? '',
      },
      buyer: { name: body.name ?? '', email: body.email ?? '', browser: null },
      actor: { userId: null, label: body.email ?? '', isAdmin: false, ip: request.ip },
      settings: { currency: settings.currency, maxTicketsPerOrder: 50, siteUrl: `${request.protocol}://${request.host}` },
      channel: { kind: 'online' },
    })
    return reply.redirect(`/purchase/success?order=${order.code}`, 303)
  } catch (error) {
    if (error instanceof PurchaseRefused) return reply.redirect('/purchase/fail', 303)
    throw error
  }
})

process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => db.destroy())
      .then(() => process.exit(0)),
)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
