import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { timingSafeEqual } from 'node:crypto'
import type { EventRow, TicketTypeRow } from '../../db/schema.js'
import { NotFound, idParam } from '../../lib/errors.js'
import { FormReader } from '../../lib/forms.js'
import { formatDateTime } from '../../lib/format.js'
import { randomSecret } from '../../lib/random.js'
import { sessionTag } from '../../plugins/session.js'
import { findEvent, ticketTypesByEvent } from '../browse/browse.repository.js'
import { toEventView } from '../browse/event.view.js'
import { isPublic } from '../events/event-state.js'
import { type OrderWithTickets, findOrderByCode, ordersOfUser } from './order.repository.js'
import { toOrderView } from './order.view.js'
import { PurchaseRefused } from './purchase.errors.js'
import { type PurchaseFormValues, parsePurchaseForm } from './purchase.form.js'
import { cancelOrder, purchase } from './purchase.service.js'

declare module 'fastify' {
  interface Session {
    /** The last refused purchase, for /purchase/fail and to refill the form. */
    purchaseFailure?: { eventId: number; message: string; values: Omit<PurchaseFormValues, 'key'> }
  }
}

const LIVE = ['/public/live.js']
const ORDER_CODE = /^[0-9A-Z]{10}$/

export default async function purchaseRoutes(app: FastifyInstance) {
  const purchaseLimit = { max: app.config.rateLimits.purchasePerMinute, timeWindow: 60_000 }

  /** A public event and its ticket types, or the same 404 whether it is a draft or does not exist. */
  async function publicEvent(request: FastifyRequest): Promise<{ event: EventRow; types: TicketTypeRow[] }> {
    const event = await findEvent(app.db, idParam(request.params))
    if (!event || !isPublic(event)) throw new NotFound()
    const types = (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []
    return { event, types }
  }

  app.get('/buy-tickets/:id', { config: { access: 'anyone' } }, async (request, reply) => {
    const { event, types } = await publicEvent(request)
    const failure = request.session.purchaseFailure
    const refilled = failure?.eventId === event.id
    const values: PurchaseFormValues = refilled
      ? { ...failure.values, key: randomSecret(18) }
      : { name: request.user?.name ?? '', email: request.user?.email ?? '', quantities: {}, key: randomSecret(18) }
    // Refilled with the name and address this visitor typed: theirs alone.
    if (refilled) reply.header('cache-control', 'private, no-store')
    const settings = await request.siteSettings()
    return reply.render('purchase/buy.eta', {
      title: `Tickets for ${event.title}`,
      event: toEventView(event, types, settings.currency),
      values,
      errors: {},
      scripts: LIVE,
    })
  })

  app.post('/purchase/:id', { config: { access: 'anyone', rateLimit: purchaseLimit } }, async (request, reply) => {
    const { event, types } = await publicEvent(request)
    const form = parsePurchaseForm(request.body, types)
    const settings = await request.siteSettings()
    if (Object.keys(form.errors).length > 0) {
      return reply.render(
        'purchase/buy.eta',
        { title: `Tickets for ${event.title}`, event: toEventView(event, types, settings.currency), values: form.values, errors: form.errors, scripts: LIVE },
        422,
      )
    }

    try {
      const order = await purchase(
        app.db,
        {
          eventId: event.id,
          quantities: form.quantities,
          buyerName: form.values.name,
          buyerEmail: form.values.email,
          userId: request.user?.id ?? null,
          idempotencyKey: form.values.key,
          currency: settings.currency,
          actorLabel: request.user?.email ?? form.values.email,
          ip: request.ip,
          buyerSession: sessionTag(request.session.sessionId),
        },
        { disableCapacityGuard: app.config.testHooks?.disableCapacityGuard },
      )
      if (!order.replayed) app.eventChanges.notify(event.id)
      // The order knows its browser (buyerSession), so a purchase leaves the
      // session row alone unless there is an old refusal to forget.
      if (request.session.purchaseFailure) request.session.purchaseFailure = undefined
      return reply.redirect(`/purchase/success?order=${order.code}`, 303)
    } catch (error) {
      if (!(error instanceof PurchaseRefused)) throw error
      const { key: _key, ...values } = form.values
      request.session.purchaseFailure = { eventId: event.id, message: error.message, values }
      return reply.redirect('/purchase/fail', 303)
    }
  })

  app.get('/purchase/success', { config: { access: 'anyone' } }, async (request, reply) => {
    const code = (request.query as { order?: unknown }).order
    const found = typeof code === 'string' && ORDER_CODE.test(code) ? await findOrderByCode(app.db, code) : undefined
    if (!found || !boughtInThisBrowser(request, found)) throw new NotFound('This browser has no recent order. If you bought tickets, open the link from your order page.')
    return renderOrder(request, reply, found, true)
  })

  app.get('/purchase/fail', { config: { access: 'anyone' } }, async (request, reply) => {
    const failure = request.session.purchaseFailure
    if (!failure) return reply.redirect('/attendee', 303)
    const event = await findEvent(app.db, failure.eventId)
    return reply.render('purchase/fail.eta', {
      title: 'Your order could not be completed',
      message: failure.message,
      event: event && { id: event.id, title: event.title },
    })
  })

  app.get('/orders/:code', { config: { access: 'anyone' } }, async (request, reply) => {
    const found = await accessibleOrder(request, (request.query as { key?: unknown }).key)
    return renderOrder(request, reply, found, false)
  })

  // Cancelling cannot be undone: the order page links here, and only this page's form cancels.
  app.get('/orders/:code/cancel', { config: { access: 'anyone' } }, async (request, reply) => {
    const found = await accessibleOrder(request, (request.query as { key?: unknown }).key)
    const order = await toOrderView(found, '')
    if (!order.canCancel) return reply.redirect(`/orders/${order.code}?key=${order.accessKey}`, 303)
    reply.header('cache-control', 'private, no-store')
    return reply.render('purchase/cancel.eta', { title: `Cancel order ${order.code}`, order })
  })

  app.post('/orders/:code/cancel', { config: { access: 'anyone' } }, async (request, reply) => {
    const key = new FormReader(request.body).text('key')
    const found = await accessibleOrder(request, key)
    const view = await toOrderView(found, '')
    if (view.cancelled) {
      reply.flash('info', 'This order was already cancelled.')
    } else if (!view.canCancel) {
      reply.flash('error', view.cancelNote ?? 'This order cannot be cancelled.')
    } else if (
      await cancelOrder(app.db, found.order, {
        actorId: request.user?.id ?? null,
        actorLabel: request.user?.email ?? found.order.buyerEmail,
        action: 'order.cancelled_by_buyer',
        subjectType: 'order',
        subjectId: found.order.id,
        details: { code: found.order.code, eventId: found.event.id },
        ip: request.ip,
      })
    ) {
      app.eventChanges.notify(found.event.id)
      reply.flash('success', 'Your order is cancelled. The tickets are no longer valid.')
    } else {
      reply.flash('info', 'This order was already cancelled.')
    }
    return reply.redirect(`/orders/${found.order.code}?key=${found.order.accessKey}`, 303)
  })

  app.get('/my-tickets', { config: { access: 'user' } }, async (request, reply) => {
    const orders = await ordersOfUser(app.db, request.user!.id)
    return reply.render('purchase/my-tickets.eta', {
      title: 'My tickets',
      orders: orders.map((order) => ({
        code: order.code,
        link: `/orders/${order.code}?key=${order.accessKey}`,
        eventTitle: order.eventTitle,
        when: formatDateTime(order.eventStartsAt, order.eventTimeZone),
        tickets: Number(order.ticketCount),
        cancelled: order.status === 'cancelled',
      })),
    })
  })

  /**
   * The order named in the URL, if this request may see it: by its secret key
   * (the kept link), because this browser bought it, or because it is the
   * logged-in buyer's. Anyone else gets 404, as if it did not exist.
   */
  async function accessibleOrder(request: FastifyRequest, key: unknown): Promise<OrderWithTickets> {
    const code = (request.params as { code?: string }).code ?? ''
    const found = ORDER_CODE.test(code) ? await findOrderByCode(app.db, code) : undefined
    if (!found) throw new NotFound()
    const byKey = typeof key === 'string' && key !== '' && sameSecret(key, found.order.accessKey)
    const bySession = boughtInThisBrowser(request, found)
    const byAccount = request.user !== null && request.user.id === found.order.userId
    if (!byKey && !bySession && !byAccount) throw new NotFound()
    return found
  }

  async function renderOrder(request: FastifyRequest, reply: FastifyReply, found: OrderWithTickets, justBought: boolean) {
    // The Host header is whatever the proxy in front sent; PUBLIC_URL says what people use.
    const origin = app.config.publicUrl ?? `${request.protocol}://${request.host}`
    const order = await toOrderView(found, origin)
    // The order page holds personal data and ticket codes: keep it out of shared caches.
    reply.header('cache-control', 'private, no-store')
    return reply.render('purchase/order.eta', { title: `Order ${order.code}`, order, justBought })
  }
}

function boughtInThisBrowser(request: FastifyRequest, found: OrderWithTickets): boolean {
  return found.order.buyerSession !== null && found.order.buyerSession === sessionTag(request.session.sessionId)
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
