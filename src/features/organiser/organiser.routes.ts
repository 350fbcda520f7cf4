import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import type { Db } from '../../db/database.js'
import type { Event } from '../events/event.model.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { LIVE_PAGE_SCRIPTS } from '../../lib/paths.js'
import { type CsvCell, csvChunks } from '../../lib/csv.js'
import { NotFound, idParam } from '../../lib/errors.js'
import { eventOf } from '../../plugins/auth.js'
import { formatDateTime, formatMoney } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { pageNumber, pager } from '../../lib/paging.js'
import { siteUrl } from '../../lib/site-url.js'
import { type Actor, actorOf } from '../audit/actor.js'
import { toEventView } from '../events/event.view.js'
import { liveWords } from '../events/event.live-words.js'
import { getSiteSettings } from '../settings/settings.repository.js'
import { settle } from '../upkeep/settle.js'
import { isPublic } from '../events/event.rules.js'
import {
  type EventFormValues,
  type PublishFormValues,
  type SitePayments,
  type TicketTypeFormValues,
  blankEventForm,
  blankTicketTypeForm,
  eventFormOf,
  parseEventForm,
  parsePublishForm,
  parseTicketTypeForm,
  publishFormOf,
  ticketTypeFormOf,
} from './event.form.js'
import {
  type TicketTypeWithEvent,
  checkInSecretOf,
  dashboardEvents,
  dashboardPhaseCounts,
  eventIdOfTicketType,
  findEvent,
  findTicketType,
  ticketTypesByEvent,
} from '../events/event.repository.js'
import { isSignedBy, parseDoorCode } from '../../lib/door-code.js'
import {
  type OrderWithTickets,
  attendeeLineBatches,
  attendeeLines,
  countOrders,
  findOrderByCode,
  moneyOfOrders,
  orderTotalsByEvent,
  takenOffByCode,
} from '../purchase/order.repository.js'
import { TicketCancellationRefused, cancelTickets } from '../orders/ticket-cancellation.js'
import { RefundRefused, refundOrder, refundableOf } from '../payments/refunds.js'
import { money } from '../../lib/money.js'
import {
  type CancelTicketsValues,
  type Refundable,
  cancelTicketsPage,
  checkAgainstOrder,
  parseCancelTicketsForm,
  refundOf,
  refusalErrors,
} from './ticket-cancellation.form.js'
import {
  type Refusal,
  cancelEvent,
  createEvent,
  createTicketType,
  deleteEvent,
  deleteTicketType,
  movesTheEvent,
  NO_SUCH_TICKET_TYPE,
  publishEvent,
  refuseIfCancelled,
  ticketTypeDeletionRefusal,
  unpublishEvent,
  updateEvent,
  updateTicketType,
} from './event.service.js'
import { eventRefusalMessage, eventRefusalText } from './event.refusals.js'
import { answersOfEventOrders, answersOfOrders, questionsOf } from '../questions/questions.repository.js'
import { deskTakings } from '../box-office/takings.js'
import { toTakingsView } from '../box-office/box-office.view.js'
import { isDeskMethod } from '../payments/payment-method.js'
import { hasCodes, keptByType, usedCodesByEvent } from '../codes/codes.repository.js'
import { toCodeUses } from '../codes/codes.view.js'
import {
  attendeeHeader,
  paymentFieldsView,
  timeZoneChoices,
  toAttendeeRows,
  toDashboard,
  toEventSummary,
  toOrderViews,
} from './organiser.view.js'

const ORDERS_PER_PAGE = 50
const EVENTS_PER_PAGE = 25
/** Orders per read of the attendee export: a few hundred rows in memory at a time. */
const ATTENDEE_BATCH_ORDERS = 500

/**
 * The organiser's side: the dashboard, the event and ticket type forms, the
 * lifecycle (publish, schedule, unpublish, cancel, delete), a preview, the
 * orders and the attendee export. Every route with an id is the event
 * owner's: the access hook answers 404 unless the event is the user's own
 * (admins manage every event), and hands the handler the event it loaded.
 */
export default async function eventRoutes(app: FastifyInstance) {
  const organiser = { config: { access: 'organiser' as const } }
  const owner = { config: { access: 'event-owner' as const } }
  // A ticket type's routes name the type: its event is the one whose owner may use them.
  const typeOwner = {
    config: {
      access: 'event-owner' as const,
      eventOf: (request: FastifyRequest) => eventIdOfTicketType(app.db, idParam(request.params)),
      notFound: NO_SUCH_TICKET_TYPE,
    },
  }
  const ctx = { db: app.db, afterCommit: app.afterCommit }
  // Whether the site has Stripe's keys: read from its config at boot, so it holds for the life of the process.
  const sitePayments: SitePayments = { cardOnSite: app.payments.methods.get('card')?.onSite ?? false }

  /** The ticket type a typeOwner route names, with its event; a 404 saying so when it was deleted since the hook found it. */
  async function ticketTypeOf(request: FastifyRequest): Promise<TicketTypeWithEvent> {
    const found = await findTicketType(app.db, eventOf(request), idParam(request.params))
    if (!found) throw new NotFound(NO_SUCH_TICKET_TYPE)
    return found
  }

  interface ManageForms {
    form?: { values: EventFormValues; errors: FieldErrors }
    /** The publish form, with what was wrong with it or why publishing was refused. */
    publish?: { values: PublishFormValues; errors: FieldErrors; refusal?: string }
    /** The date, time or venue was just changed: whether the automatic message of it went to ticket holders. */
    moved?: 'told' | 'untold'
  }

  /** The event's page: its details form, ticket types and lifecycle, with one of its forms re-shown when it failed. */
  async function renderManage(reply: FastifyReply, shown: Event, forms: ManageForms = {}, status?: number) {
    const { currency } = await reply.request.siteSettings()
    // The held counts shown leave out offers that ran out (they go onward first).
    const settled = await settle(app.db, shown)
    const event = (settled && (await findEvent(app.db, shown.id))) || shown
    const now = Date.now()
    const types = (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
    const totals = await orderTotalsByEvent(app.db, [event.id])
    const values = forms.form?.values ?? eventFormOf(event)
    const { t } = reply.request
    const summary = toEventSummary(event, types, totals.get(event.id), currency, now, t)
    const kept = await keptByType(app.db, event.id)
    return reply.render(
      'organiser/manage.eta',
      {
        title: t('organiser.manage.title', { title: event.title }),
        event: {
          ...summary,
          // A type's held tickets: those offered to the waiting list, and those its reserved codes keep aside, said apart.
          ticketTypes: summary.ticketTypes.map((type) => ({
            ...type,
            held: type.held - (kept.get(type.id) ?? 0),
            kept: kept.get(type.id) ?? 0,
          })),
          isPublic: isPublic(event, now),
          isPublished: event.status === 'published',
          cancelled: event.status === 'cancelled',
          timeZone: event.timeZone,
        },
        values,
        errors: forms.form?.errors ?? {},
        publish: forms.publish?.values ?? publishFormOf(event, now),
        publishErrors: forms.publish?.errors ?? {},
        publishRefusal: forms.publish?.refusal ?? null,
        moved: event.sold > 0 ? (forms.moved ?? null) : null,
        timeZones: timeZoneChoices(values.timeZone),
        ...paymentFieldsView(sitePayments, t),
        // What each person took at the box office's desk, by the way it was paid.
        takings: toTakingsView(await deskTakings(app.db, event.id), currency),
      },
      status,
    )
  }

  /** The new event's form, blank or as typed with what was wrong with it. */
  function renderCreate(reply: FastifyReply, values: EventFormValues, errors: FieldErrors, status?: number) {
    const { t } = reply.request
    return reply.render(
      'organiser/create.eta',
      {
        title: t('organiser.create.title'),
        values,
        errors,
        timeZones: timeZoneChoices(values.timeZone),
        ...paymentFieldsView(sitePayments, t),
      },
      status,
    )
  }

  app.get('/organiser', organiser, async (request, reply) => {
    const actor = actorOf(request)
    const ownerId = actor.isAdmin ? null : actor.userId
    const { currency } = await request.siteSettings()
    const page = pageNumber(new FormReader(request.query).text('page'))
    const offset = (page - 1) * EVENTS_PER_PAGE
    // One instant for the page's order, the counts and the groups, so that an event cannot change phase in between.
    const now = Date.now()
    const { events, hasNext } = await dashboardEvents(app.db, ownerId, { now, limit: EVENTS_PER_PAGE, offset })
    const ids = events.map((event) => event.id)
    const listing = { offset, phaseCounts: await dashboardPhaseCounts(app.db, ownerId, now) }
    const groups = toDashboard(
      events,
      await ticketTypesByEvent(app.db, ids),
      await orderTotalsByEvent(app.db, ids),
      listing,
      currency,
      now,
      request.t,
    )
    // Each event's codes with uses: how many, and the money each took off.
    const used = await usedCodesByEvent(app.db, ids)
    const takenOff = await takenOffByCode(
      app.db,
      [...used.values()].flat().map((code) => code.id),
    )
    return reply.render('organiser/dashboard.eta', {
      title: request.t(actor.isAdmin ? 'organiser.dashboard.allEvents' : 'organiser.breadcrumb.yourEvents'),
      groups: groups.map((group) => ({
        ...group,
        events: group.events.map((event) => ({ ...event, codes: toCodeUses(used.get(event.id) ?? [], takenOff, currency) })),
      })),
      isAdmin: actor.isAdmin,
      pager: pager('/organiser', {}, page, hasNext),
      scripts: LIVE_PAGE_SCRIPTS,
      liveWords: liveWords(request.t, request.locale),
    })
  })

  app.get('/create-event', organiser, async (request, reply) => {
    const { timeZone } = await request.siteSettings()
    return renderCreate(reply, blankEventForm(timeZone), {})
  })

  app.post('/create-event', organiser, async (request, reply) => {
    const { values, errors, input } = parseEventForm(request.body, Date.now(), request.t, sitePayments)
    if (!input) return renderCreate(reply, values, errors, 422)
    const id = await createEvent(ctx, actorOf(request), input)
    reply.flash('success', 'flash.organiser.draftSaved')
    return reply.redirect(`/edit-event/${id}`, 303)
  })

  app.get('/edit-event/:id', owner, async (request, reply) => {
    const moved = new FormReader(request.query).text('moved')
    return renderManage(reply, eventOf(request), { moved: moved === 'told' || moved === 'untold' ? moved : undefined })
  })

  app.post('/edit-event/:id', owner, async (request, reply) => {
    const event = eventOf(request)
    const { values, errors, input } = parseEventForm(request.body, Date.now(), request.t, sitePayments, event)
    if (!input) return renderManage(reply, event, { form: { values, errors } }, 422)
    const refusal = await updateEvent(ctx, actorOf(request), event, input, siteUrl(request))
    if (refusal)
      return renderManage(reply, event, { form: { values, errors: { [refusal.field]: eventRefusalText(request.t, refusal.reason) } } }, 422)
    reply.flash('success', 'flash.organiser.eventSaved')
    // The page then offers to write to ticket holders: a note after the automatic message of the change, or the change itself.
    const moved = event.sold > 0 && movesTheEvent(input, event) ? `?moved=${input.notifyTicketHolders ? 'told' : 'untold'}` : ''
    return reply.redirect(`/edit-event/${event.id}${moved}`, 303)
  })

  app.post('/publish-event/:id', owner, async (request, reply) => {
    const event = eventOf(request)
    const now = Date.now()
    const { values, errors, input } = parsePublishForm(request.body, event, now, request.t)
    if (!input) return renderManage(reply, event, { publish: { values, errors } }, 422)
    const refusal = await publishEvent(ctx, actorOf(request), event.id, input.publishedAt)
    if (refusal) return renderManage(reply, event, { publish: { values, errors: {}, refusal: eventRefusalText(request.t, refusal) } }, 409)
    if (input.publishedAt > now) {
      reply.flash('success', 'flash.organiser.scheduled', { when: formatDateTime(input.publishedAt, event.timeZone, request.locale) })
    } else {
      reply.flash('success', 'flash.organiser.published')
    }
    return reply.redirect(`/edit-event/${event.id}`, 303)
  })

  /** A lifecycle button: the change, then back to the event's page saying what happened or why it did not. */
  function lifecycleAction(
    url: string,
    change: (actor: Actor, eventId: number, request: FastifyRequest) => Promise<Refusal>,
    done: MessageKey,
  ) {
    app.post(url, owner, async (request, reply) => {
      const event = eventOf(request)
      const refusal = await change(actorOf(request), event.id, request)
      const said = refusal ? eventRefusalMessage(refusal) : { key: done }
      reply.flash(refusal ? 'error' : 'success', said.key, said.params)
      return reply.redirect(`/edit-event/${event.id}`, 303)
    })
  }

  /** The page that asks before something that cannot be undone, knowing how many orders it touches. */
  function confirmationPage(url: string, template: string, titleKey: MessageKey) {
    app.get(url, owner, async (request, reply) => {
      const event = eventOf(request)
      const orders = await countOrders(app.db, event.id)
      return reply.render(template, {
        title: request.t(titleKey, { title: event.title }),
        event: { id: event.id, title: event.title, orders, cancelled: event.status === 'cancelled' },
      })
    })
  }

  lifecycleAction('/unpublish-event/:id', (actor, id) => unpublishEvent(ctx, actor, id), 'flash.organiser.unpublished')
  confirmationPage('/events/:id/cancel', 'organiser/cancel.eta', 'organiser.cancel.title')
  lifecycleAction(
    '/cancel-event/:id',
    async (actor, id, request) => {
      const refusal = await cancelEvent(ctx, actor, id, siteUrl(request))
      // Once it is cancelled: payment pages still open are closed, and what was paid on one meanwhile goes back.
      if (refusal === null && (await app.payments.cancelStartedOfEvent(id))) app.afterCommit({ mailQueued: true })
      return refusal
    },
    'flash.organiser.cancelled',
  )
  confirmationPage('/events/:id/delete', 'organiser/delete.eta', 'organiser.delete.title')

  app.post('/delete-event/:id', owner, async (request, reply) => {
    const event = eventOf(request)
    const refusal = await deleteEvent(ctx, actorOf(request), event.id)
    if (refusal) {
      const said = eventRefusalMessage(refusal)
      reply.flash('error', said.key, said.params)
      return reply.redirect(`/events/${event.id}/delete`, 303)
    }
    reply.flash('success', 'flash.organiser.deleted', { title: event.title })
    return reply.redirect('/organiser', 303)
  })

  app.get('/events/:id/ticket-types/new', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    return renderTicketTypeForm(reply, event, { values: blankTicketTypeForm(), errors: {} })
  })

  app.post('/events/:id/ticket-types/new', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    // Read fresh, not from the settings cache: the typed price is stored in this currency's smallest unit.
    const { currency } = await getSiteSettings(app.db)
    const { values, errors, input } = parseTicketTypeForm(request.body, currency, event, request.t)
    if (!input) return renderTicketTypeForm(reply, event, { values, errors }, 422)
    const refusal = await createTicketType(ctx, actorOf(request), event.id, input)
    if (refusal)
      return renderTicketTypeForm(reply, event, { values, errors: { [refusal.field]: eventRefusalText(request.t, refusal.reason) } }, 422)
    reply.flash('success', 'flash.organiser.typeAdded', { name: input.name })
    return reply.redirect(`/edit-event/${event.id}#ticket-types`, 303)
  })

  app.get('/ticket-types/:id/edit', typeOwner, async (request, reply) => {
    const { type, event } = await ticketTypeOf(request)
    refuseIfCancelled(event)
    const { currency } = await request.siteSettings()
    return renderTicketTypeForm(reply, event, {
      values: ticketTypeFormOf(type, currency, event.timeZone),
      errors: {},
      typeId: type.id,
      sold: type.sold,
    })
  })

  app.post('/ticket-types/:id/edit', typeOwner, async (request, reply) => {
    const found = await ticketTypeOf(request)
    const { type, event } = found
    refuseIfCancelled(event)
    // Fresh, as when adding a type: the price is stored in the currency's smallest unit.
    const { currency } = await getSiteSettings(app.db)
    const { values, errors, input } = parseTicketTypeForm(request.body, currency, event, request.t, type)
    const form = { values, errors, typeId: type.id, sold: type.sold }
    if (!input) return renderTicketTypeForm(reply, event, form, 422)
    const refusal = await updateTicketType(ctx, actorOf(request), found, input)
    if (refusal)
      return renderTicketTypeForm(reply, event, { ...form, errors: { [refusal.field]: eventRefusalText(request.t, refusal.reason) } }, 422)
    reply.flash('success', 'flash.organiser.typeSaved', { name: input.name })
    return reply.redirect(`/edit-event/${event.id}#ticket-types`, 303)
  })

  app.get('/ticket-types/:id/delete', typeOwner, async (request, reply) => {
    const { type, event } = await ticketTypeOf(request)
    refuseIfCancelled(event)
    const refusal = await ticketTypeDeletionRefusal(app.db, type, event)
    return reply.render('organiser/delete-ticket-type.eta', {
      title: request.t('organiser.deleteTicketType.title', { name: type.name, title: event.title }),
      event: { id: event.id, title: event.title },
      type: { id: type.id, name: type.name },
      refusal: refusal && eventRefusalText(request.t, refusal),
    })
  })

  app.post('/ticket-types/:id/delete', typeOwner, async (request, reply) => {
    const found = await ticketTypeOf(request)
    const refusal = await deleteTicketType(ctx, actorOf(request), found)
    const said = refusal ? eventRefusalMessage(refusal) : { key: 'flash.organiser.typeDeleted' as const, params: { name: found.type.name } }
    reply.flash(refusal ? 'error' : 'success', said.key, said.params)
    return reply.redirect(`/edit-event/${found.event.id}#ticket-types`, 303)
  })

  interface TicketTypeForm {
    values: TicketTypeFormValues
    errors: FieldErrors
    /** Set when editing an existing type. */
    typeId?: number
    sold?: number
  }

  async function renderTicketTypeForm(reply: FastifyReply, event: Event, form: TicketTypeForm, status?: number) {
    const { currency } = await reply.request.siteSettings()
    return reply.render(
      'organiser/ticket-type.eta',
      {
        title: reply.request.t(form.typeId ? 'organiser.ticketType.editTitle' : 'organiser.ticketType.newTitle', { title: event.title }),
        event: { id: event.id, title: event.title, timeZone: event.timeZone },
        action: form.typeId ? `/ticket-types/${form.typeId}/edit` : `/events/${event.id}/ticket-types/new`,
        editing: form.typeId !== undefined,
        sold: form.sold ?? 0,
        currency,
        values: form.values,
        errors: form.errors,
      },
      status,
    )
  }

  app.get('/events/:id/preview', owner, async (request, reply) => {
    const event = eventOf(request)
    const { currency } = await request.siteSettings()
    const types = (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
    return reply.render('organiser/preview.eta', {
      title: request.t('organiser.preview.title', { title: event.title }),
      event: toEventView(event, types, currency, request.t),
      isPublic: isPublic(event),
    })
  })

  /** A transfer or cash (at the door, or the box office's desk): paid outside the app, so a person marks it paid and gives refunds back. */
  const paidByHand = (method: string) => app.payments.method(method)?.online === false || isDeskMethod(method)

  app.get('/events/:id/orders', owner, async (request, reply) => {
    const event = eventOf(request)
    // Orders whose time ran out show as expired, not as waiting.
    await settle(app.db, event)
    const query = new FormReader(request.query)
    const q = query.text('q').slice(0, 200)
    const page = pageNumber(query.text('page'))
    const secret = await checkInSecretOf(app.db, event)
    // A door code typed or scanned into the search finds its ticket's order.
    const doorCode = parseDoorCode(q)
    const ticketId = doorCode && doorCode.eventId === event.id && isSignedBy(doorCode, secret) ? doorCode.ticketId : undefined
    // One order more than a page holds says whether there is a next page.
    const lines = await attendeeLines(app.db, event.id, {
      text: q,
      ticketId,
      limit: ORDERS_PER_PAGE + 1,
      offset: (page - 1) * ORDERS_PER_PAGE,
    })
    const orderIds = [...new Set(lines.map((line) => line.orderId))]
    const money = await moneyOfOrders(app.db, orderIds)
    const answered = await answersOfEventOrders(app.db, event, orderIds)
    const orders = toOrderViews(lines, event, secret, { money, paidByHand }, answered, request.t)
    return reply.render('organiser/orders.eta', {
      title: request.t('organiser.orders.title', { title: event.title }),
      event: { id: event.id, title: event.title, timeZone: event.timeZone },
      q,
      orders: orders.slice(0, ORDERS_PER_PAGE),
      back: request.url,
      pager: pager(`/events/${event.id}/orders`, { q }, page, orders.length > ORDERS_PER_PAGE),
    })
  })

  /** The order named in an organiser's URL with its tickets, of the event the access hook loaded. */
  async function orderWithTickets(request: FastifyRequest): Promise<OrderWithTickets> {
    const event = eventOf(request)
    const found = await findOrderByCode(app.db, (request.params as { code?: string }).code ?? '')
    if (!found || found.order.eventId !== event.id) throw new NotFound()
    return found
  }

  /** What is left to refund of the order now, and whether a person gives it back. */
  async function refundableNow(found: OrderWithTickets): Promise<Refundable> {
    const left = (await refundableOf(app.db, found.order.id)).reduce((sum, entry) => sum + entry.leftMinor, 0)
    return { leftMinor: left, byHand: paidByHand(found.order.paymentMethod) }
  }

  /** The page to cancel some tickets of an order: the form (as typed, with its mistakes), or with `refundMinor` the page that asks to confirm. */
  async function renderCancelTickets(
    reply: FastifyReply,
    found: OrderWithTickets,
    form: { values: CancelTicketsValues; errors: FieldErrors; refundMinor?: number },
    status?: number,
  ) {
    const { t } = reply.request
    return reply.render(
      'organiser/cancel-tickets.eta',
      {
        title: t('payments.cancelTickets.title', { code: found.order.code }),
        ...cancelTicketsPage(found, await refundableNow(found), form, t),
      },
      status,
    )
  }

  app.get('/events/:id/orders/:code/cancel-tickets', owner, async (request, reply) =>
    renderCancelTickets(reply, await orderWithTickets(request), { values: { tickets: [], amount: '' }, errors: {} }),
  )

  /**
   * Some tickets of an order cancelled, the rest kept (pretix's "cancel
   * positions"): first a page that says what will happen, then, confirmed,
   * one transaction (src/features/orders/ticket-cancellation.ts) with the
   * refund. An unpaid order's open payment page is closed first, so that
   * nobody pays its old amount; one paid meanwhile makes the order paid, and
   * the organiser is asked again, now with money to refund.
   */
  app.post('/events/:id/orders/:code/cancel-tickets', owner, async (request, reply) => {
    const event = eventOf(request)
    const found = await orderWithTickets(request)
    const { order } = found
    const { t } = request
    const form = parseCancelTicketsForm(request.body, order.currency, t)
    if (!form.input) return renderCancelTickets(reply, found, form, 422)
    const input = form.input
    const refundable = await refundableNow(found)
    const errors = checkAgainstOrder(found, { input, confirmed: form.confirmed }, refundable, t)
    if (Object.keys(errors).length > 0) return renderCancelTickets(reply, found, { values: form.values, errors }, 422)
    if (!form.confirmed)
      return renderCancelTickets(reply, found, {
        values: form.values,
        errors: {},
        refundMinor: refundOf(found, input, refundable.leftMinor),
      })

    if (order.status === 'pending') {
      await app.payments.method(order.paymentMethod)?.cancelStarted(app.db, order.id)
      if ((await app.payments.confirmWaiting(order.id)).changed) {
        const paid = await orderWithTickets(request)
        const left = formatMoney(money((await refundableNow(paid)).leftMinor, order.currency))
        return renderCancelTickets(
          reply,
          paid,
          { values: form.values, errors: { amount: t('payments.cancelTickets.paidMeanwhile', { left }) } },
          409,
        )
      }
    }
    const actor = actorOf(request)
    const names = new Map(found.tickets.map((ticket) => [ticket.id, ticket.doorCode]))
    try {
      const done = await cancelTickets(app.db, order, input.ticketIds, {
        actor,
        siteUrl: siteUrl(request),
        nameOf: (id) => names.get(id) ?? String(id),
        // Under the order's lock: the amount typed, or the tickets' price within what is left to refund then.
        moneyBack: async (trx, tickets) => {
          const price = tickets.reduce((sum, ticket) => sum + ticket.priceMinor, 0)
          const left = (await refundableOf(trx, order.id)).reduce((sum, entry) => sum + entry.leftMinor, 0)
          const amount = input.amountMinor ?? Math.min(price, left)
          if (amount === 0) return 0
          await refundOrder(trx, order.id, amount, { reason: 'organiser', actor })
          return amount
        },
      })
      // A payment page the buyer opened for the old total while this ran (the order page read before it committed): closed too.
      if (done.kind === 'tickets' && order.status === 'pending') {
        await app.payments
          .method(order.paymentMethod)
          ?.cancelStarted(app.db, order.id, { unlessAmount: done.totalMinor })
          // Done all the same: such a page closes by itself before the order's hold ends.
          .catch((error: unknown) =>
            request.log.warn({ err: error, orderId: order.id }, 'payments: a payment page could not be closed now'),
          )
      }
      if (done.kind === 'already') reply.flash('info', 'flash.payments.ticketsAlreadyCancelled', { code: order.code })
      else {
        app.afterCommit({ eventChanged: event.id, mailQueued: true })
        if (done.kind === 'order') reply.flash('success', 'flash.payments.cancelled', { code: order.code })
        else reply.flash('success', 'flash.payments.ticketsCancelled', { code: order.code, count: done.tickets.length })
      }
      return reply.redirect(`/events/${event.id}/orders?q=${order.code}`, 303)
    } catch (error) {
      if (!(error instanceof TicketCancellationRefused || error instanceof RefundRefused)) throw error
      // Something changed since the form was read (a check-in, another cancellation or refund): the form again, as the order stands now.
      const now = await orderWithTickets(request)
      const leftNow = (await refundableNow(now)).leftMinor
      const left = leftNow > 0 ? formatMoney(money(leftNow, order.currency)) : ''
      return renderCancelTickets(reply, now, { values: form.values, errors: refusalErrors(error.reason, left, t) }, 409)
    }
  })

  app.get('/events/:id/attendees.csv', owner, async (request, reply) => {
    const event = eventOf(request)
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="attendees-event-${event.id}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csvChunks(attendeeRows(app.db, event, await checkInSecretOf(app.db, event), request.t))))
  })
}

/**
 * The export's rows, the header first. Read as the reply is written (the
 * stream asks for the next batch when the client has taken the last), so a
 * large event's export is never whole in memory and holds no connection
 * while a slow client downloads.
 */
async function* attendeeRows(db: Db, event: Event, checkInSecret: string, t: Translate): AsyncGenerator<CsvCell[][]> {
  // The questions asked now: read once, and each batch's answers with it (nothing for an event that asks none).
  const columns = {
    holderNames: event.holderNames !== 'off',
    questions: event.questionCount > 0 ? await questionsOf(db, event.id) : [],
    codes: await hasCodes(db, event.id),
  }
  yield [attendeeHeader(event, columns, t)]
  for await (const lines of attendeeLineBatches(db, event.id, ATTENDEE_BATCH_ORDERS)) {
    const answers = columns.questions.length > 0 ? await answersOfOrders(db, [...new Set(lines.map((line) => line.orderId))]) : []
    yield toAttendeeRows(lines, event, checkInSecret, columns, answers)
  }
}
