import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import { NotFound } from '../../lib/errors.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { randomSecret } from '../../lib/random.js'
import { siteUrl } from '../../lib/site-url.js'
import { doorPassOf, eventOf } from '../../plugins/auth.js'
import { browserTag } from '../../plugins/session.js'
import { normaliseEmail } from '../accounts/user.repository.js'
import { actorOf } from '../audit/actor.js'
import { findEventWithTicketTypes } from '../events/event.repository.js'
import { findOrderByCode } from '../purchase/order.repository.js'
import { ORDER_CODE } from '../purchase/order-access.js'
import { toOrderView } from '../purchase/order.view.js'
import { buyFormTotal } from '../purchase/buy.view.js'
import { PriceChanged, PurchaseRefused } from '../purchase/purchase.errors.js'
import { purchaseRefusalText } from '../purchase/purchase.refusals.js'
import { priceChangeErrors } from '../purchase/purchase.routes.js'
import { type CapacityGuard, GUARDED, placeOrder, readForPurchase } from '../purchase/purchase.service.js'
import { NoSeatsTogether, SeatsTaken, seatMapOf, seatsOnMap, takenOf } from '../seating/seating.repository.js'
import { chosenSeats, planSeats } from '../seating/seat-choice.js'
import { seatMapRefusalText } from '../seating/seat-map.refusals.js'
import { toSeatMapView } from '../seating/seat-map.view.js'
import { settle } from '../upkeep/settle.js'
import { COMPLIMENTARY, DESK_METHOD_IDS } from '../payments/payment-method.js'
import { methodLabelKey } from '../purchase/order.view.js'
import { type DeskFormValues, MAX_REASON_LENGTH, parseDeskForm } from './box-office.form.js'
import { type SoldView, toDeskEventView } from './box-office.view.js'
import { maySellAtDesk } from './desk.js'

/**
 * The box office: the desk's form, where the organiser (or door staff they
 * let sell) sells tickets to the person in front of them, and the page of a
 * sale, with its tickets to show and to print. A sale is an order like any
 * other, placed by placeOrder through its own channel under the same guarded
 * UPDATEs, and paid as it is placed (cash, a card terminal), or given away
 * with a reason. Door routes: the access hook answers 404 to anyone without
 * a pass for the event's door, and this plugin's hook to a pass that may not
 * sell there, as the door list does for a staff link.
 */
export default async function boxOfficeRoutes(app: FastifyInstance, options: { capacityGuard?: CapacityGuard }) {
  const desk = { config: { access: 'door' as const } }
  const saleLimit = { max: app.config.rateLimits.purchasePerMinute, timeWindow: 60_000 }
  // Another guard only in a concurrency test's control (see CapacityGuard).
  const capacityGuard = options.capacityGuard ?? GUARDED
  const { maxTicketsPerOrder } = app.config

  // After the access hook (registered on the root, so it runs first): every route here is the desk's.
  app.addHook('preHandler', async (request) => {
    if (!maySellAtDesk(eventOf(request), doorPassOf(request))) throw new NotFound()
  })

  /** The event and its ticket types as they are now, what ran out settled first. */
  async function deskEvent(request: FastifyRequest) {
    const found = await findEventWithTicketTypes(app.db, eventOf(request).id)
    if (!found) throw new NotFound()
    if (!(await settle(app.db, found.event))) return found
    return (await findEventWithTicketTypes(app.db, found.event.id)) ?? found
  }

  function blankForm(): DeskFormValues {
    return { name: '', email: '', quantities: {}, key: randomSecret(18), seats: [], payment: '', reason: '' }
  }

  async function renderDesk(
    reply: FastifyReply,
    event: Event,
    types: TicketTypeRow[],
    values: DeskFormValues,
    errors: FieldErrors,
    status: number,
    justTaken: number[] = [],
  ) {
    const { t, locale } = reply.request
    const { currency } = await reply.request.siteSettings()
    const view = toDeskEventView(event, types, currency, maxTicketsPerOrder, t)
    const seats = seatsOnMap(await seatMapOf(app.db, event.id))
    const seating =
      seats.length === 0
        ? null
        : {
            map: toSeatMapView(seats, types, currency, t, { chosen: new Set(values.seats ?? []), justTaken: new Set(justTaken) }),
            seatedTypes: [...new Set(seats.map((seat) => seat.ticketTypeId))],
          }
    const anyPriced = types.some((type) => type.priceMinor > 0)
    reply.header('cache-control', 'private, no-store')
    return reply.render(
      'box-office/desk.eta',
      {
        title: t('boxOffice.desk.title', { title: event.title }),
        event: view,
        manages: doorPassOf(reply.request).manages,
        values,
        errors,
        seating,
        total: buyFormTotal(view.ticketTypes, values.quantities, seating?.map ?? null, currency, t, locale),
        maxTicketsPerOrder,
        payments: anyPriced
          ? [...DESK_METHOD_IDS, COMPLIMENTARY].map((id) => ({ id, label: t(methodLabelKey(id)), checked: values.payment === id }))
          : [],
        maxReasonLength: MAX_REASON_LENGTH,
        scripts: ['/public/buy-total.js', ...(seating ? ['/public/seat-map.js'] : [])],
      },
      status,
    )
  }

  app.get('/events/:id/box-office', desk, async (request, reply) => {
    const { event, types } = await deskEvent(request)
    // Before the form is sent: a double click then sends this browser twice, and sees the first sale.
    browserTag(request, reply)
    return renderDesk(reply, event, types, blankForm(), {}, 200)
  })

  app.post('/events/:id/box-office', { config: { access: 'door', rateLimit: saleLimit } }, async (request, reply) => {
    const body = new FormReader(request.body)
    const eventId = eventOf(request).id
    let snapshot = await readForPurchase(app.db, eventId, body.text('key'))
    if (!snapshot) throw new NotFound()
    if (await settle(app.db, snapshot.event)) snapshot = (await readForPurchase(app.db, eventId, body.text('key'))) ?? snapshot
    const { event, types, seatedTypes } = snapshot
    const chosen = seatedTypes.size > 0 ? chosenSeats(request.body) : []
    const seatTypes = chosen.length === 0 ? [] : seatTypesOf(seatsOnMap(await seatMapOf(app.db, event.id)), chosen)
    const form = parseDeskForm(request.body, types, maxTicketsPerOrder, request.t, seatTypes)
    form.values.seats = chosen
    /** The form back as typed, with a new key (nothing was sold with the old one) and a message at each field that needs one. */
    const back = (errors: FieldErrors, status: number, fresh = { event, types }, justTaken: number[] = []) => {
      const values = { ...form.values, seats: chosen.filter((id) => !justTaken.includes(id)), key: randomSecret(18) }
      return renderDesk(reply, fresh.event, fresh.types, values, errors, status, justTaken)
    }
    if (Object.keys(form.errors).length > 0) return renderDesk(reply, event, types, form.values, form.errors, 422)
    const settings = await request.siteSettings()
    const seatRequest = { chosen, best: new Map([...form.quantities].filter(([typeId]) => seatedTypes.has(typeId))) }
    try {
      // Checked on the map as it is now, to name the seats; the sale checks again under the event's lock.
      const plan = seatedTypes.size > 0 ? await planSeats(app.db, event.id, seatRequest, form.quantities) : undefined
      if (plan?.refusal) return back({ seats: seatMapRefusalText(request.t, plan.refusal) }, 409, undefined, await takenOf(app.db, chosen))
      const sold = await placeOrder(
        app.db,
        {
          cart: {
            eventId: event.id,
            quantities: plan?.quantities ?? form.quantities,
            seats: plan ? seatRequest : undefined,
            seen: form.seen,
            formKey: form.values.key,
          },
          buyer: {
            name: form.values.name,
            email: normaliseEmail(form.values.email),
            browser: browserTag(request, reply),
            locale: request.locale,
          },
          // The seller: the order's audit entry and its payment name them, and the takings count it as theirs.
          actor: actorOf(request),
          settings: { currency: settings.currency, maxTicketsPerOrder, siteUrl: siteUrl(request) },
          channel: { kind: 'box-office', desk: { payment: form.payment, ignoresSalesWindows: event.deskIgnoresSalesWindows } },
        },
        capacityGuard,
        snapshot,
      )
      if (!sold.replayed) app.afterCommit({ eventChanged: event.id, mailQueued: true })
      return reply.redirect(`/events/${event.id}/box-office/orders/${sold.code}`, 303)
    } catch (error) {
      if (error instanceof PriceChanged) {
        const fresh = await deskEvent(request)
        return back(priceChangeErrors(error.changes, fresh.types, settings.currency, request.t), 409, fresh)
      }
      if (error instanceof SeatsTaken)
        return back({ seats: seatMapRefusalText(request.t, error.reason) }, 409, undefined, await takenOf(app.db, chosen))
      if (error instanceof NoSeatsTogether) return back({ [`qty_${error.ticketTypeId}`]: seatMapRefusalText(request.t, error.reason) }, 409)
      if (!(error instanceof PurchaseRefused)) throw error
      // Said where the desk looks first, with the counts as they are now.
      return back({ tickets: purchaseRefusalText(request.t, error.reason) }, 409, await deskEvent(request))
    }
  })

  // The sale done: the order, its tickets' QR codes to show, and where they print.
  app.get('/events/:id/box-office/orders/:code', desk, async (request, reply) => {
    const event = eventOf(request)
    const pass = doorPassOf(request)
    const code = (request.params as { code?: string }).code ?? ''
    const found = ORDER_CODE.test(code) ? await findOrderByCode(app.db, code) : undefined
    // Staff see the desk's sales; the organiser any order of the event.
    if (!found || found.order.eventId !== event.id || (!pass.manages && found.order.salesChannel !== 'box-office')) throw new NotFound()
    const order = toOrderView(found, siteUrl(request), request.t)
    const printable = order.ticketsValid && !order.event.cancelled
    // The organiser prints from the orders' pages; staff by the order's own link, as its buyer would.
    const tickets = pass.manages ? `/events/${event.id}/orders/${order.code}/tickets` : `/orders/${order.code}/tickets`
    const key = pass.manages ? '' : `?key=${order.accessKey}`
    const sold: SoldView = {
      order,
      soldBy: found.order.soldBy,
      complimentaryReason: found.order.complimentaryReason,
      print: printable ? { page: `${tickets}${key}`, pdf: `${tickets}.pdf${key}` } : null,
    }
    reply.header('cache-control', 'private, no-store')
    return reply.render('box-office/sold.eta', {
      title: request.t('boxOffice.sold.title', { code: order.code }),
      event: { id: event.id, title: event.title },
      ...sold,
    })
  })
}

/** The ticket type of each ticked seat that is on the map: a hand-made id of no seat counts as none. */
function seatTypesOf(seats: { id: number; ticketTypeId: number }[], chosen: number[]): number[] {
  const typeOf = new Map(seats.map((seat) => [seat.id, seat.ticketTypeId]))
  return chosen.flatMap((id) => typeOf.get(id) ?? [])
}
