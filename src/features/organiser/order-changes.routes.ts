import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatDateTime } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { NotFound } from '../../lib/errors.js'
import { siteUrl } from '../../lib/site-url.js'
import { eventOf } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import { ticketTypesByEvent } from '../events/event.repository.js'
import { resendOrderMail } from '../orders/resend.js'
import { type TicketMoveGuard, TicketMoveRefused, moveTicket } from '../orders/ticket-move.js'
import { type OrderWithTickets, findOrderByCode } from '../purchase/order.repository.js'
import { seatedTicketTypes } from '../seating/seating.repository.js'
import { getSiteSettings } from '../settings/settings.repository.js'
import { settle } from '../upkeep/settle.js'
import { type ResendValues, parseResendForm, resendPage } from './resend.form.js'
import {
  type MoveFacts,
  type MoveTicketValues,
  checkMove,
  moveRefusalErrors,
  moveTicketPage,
  parseMoveTicketForm,
} from './ticket-move.form.js'

/**
 * Changing an order, on the organiser's side (issue 31, pretix's "change
 * order"): its mail sent again, to a corrected address if need be, and a
 * ticket moved to another ticket type of the same price. Cancelling some of
 * its tickets is the organiser routes' cancel-tickets. Every route is the
 * event owner's: the access hook answers 404 to anyone else.
 */
export default async function orderChangeRoutes(app: FastifyInstance, options: { moveGuard?: TicketMoveGuard }) {
  const owner = { config: { access: 'event-owner' as const } }

  /** The order named in the URL with its tickets, of the event the access hook loaded, after what ran out of the event is settled. */
  async function orderOf(request: FastifyRequest): Promise<OrderWithTickets> {
    const event = eventOf(request)
    // An unpaid order past its deadline lapses first: it is neither moved nor mailed as if it waited.
    await settle(app.db, event)
    const found = await findOrderByCode(app.db, (request.params as { code?: string }).code ?? '')
    if (!found || found.order.eventId !== event.id) throw new NotFound()
    return found
  }

  async function moveFacts(found: OrderWithTickets): Promise<MoveFacts> {
    const eventId = found.event.id
    // Read fresh, not from the settings cache: the types' prices are in this currency.
    const { currency } = await getSiteSettings(app.db)
    return {
      types: (await ticketTypesByEvent(app.db, [eventId])).get(eventId) ?? [],
      seatedTypes: await seatedTicketTypes(app.db, eventId),
      currency,
    }
  }

  /** The move's page: the tickets, the types of the one chosen (as typed, with its mistakes), or with `review` the page that asks to confirm. */
  async function renderMove(
    reply: FastifyReply,
    found: OrderWithTickets,
    form: { values: MoveTicketValues; errors: FieldErrors; review?: boolean },
    status?: number,
  ) {
    const { t } = reply.request
    return reply.render(
      'organiser/move-ticket.eta',
      { title: t('orderChanges.move.title', { code: found.order.code }), ...moveTicketPage(found, await moveFacts(found), form, t) },
      status,
    )
  }

  app.get('/events/:id/orders/:code/move-ticket', owner, async (request, reply) => {
    const ticket = new FormReader(request.query).text('ticket')
    return renderMove(reply, await orderOf(request), { values: { ticket, type: '' }, errors: {} })
  })

  /**
   * A ticket moved to another type of the same price: first a page that says
   * what will happen, then, confirmed, one transaction
   * (src/features/orders/ticket-move.ts). Refused, the form comes back with
   * why, as the order stands now.
   */
  app.post('/events/:id/orders/:code/move-ticket', owner, async (request, reply) => {
    const event = eventOf(request)
    const found = await orderOf(request)
    const { order } = found
    const { t } = request
    const form = parseMoveTicketForm(request.body, t)
    if (!form.input) return renderMove(reply, found, form, 422)
    const input = form.input
    const facts = await moveFacts(found)
    const ticket = found.tickets.find((candidate) => candidate.id === input.ticketId)
    // A confirmation sent again finds the ticket moved already: the service answers it as done.
    const movedAlready = form.confirmed && ticket !== undefined && !ticket.cancelled && ticket.ticketTypeId === input.typeId
    const errors = movedAlready ? {} : checkMove(found, input, facts, t)
    if (Object.keys(errors).length > 0) return renderMove(reply, found, { values: form.values, errors }, 422)
    if (!form.confirmed) return renderMove(reply, found, { values: form.values, errors: {}, review: true })

    const names = new Map(found.tickets.map((candidate) => [candidate.id, candidate.doorCode]))
    try {
      const done = await moveTicket(
        app.db,
        order,
        input.ticketId,
        input.typeId,
        { actor: actorOf(request), siteUrl: siteUrl(request), currency: facts.currency, nameOf: (id) => names.get(id) ?? String(id) },
        options.moveGuard,
      )
      const type = facts.types.find((candidate) => candidate.id === input.typeId)?.name ?? ''
      const said = { code: order.code, ticket: names.get(input.ticketId) ?? '', type }
      if (done.kind === 'already') reply.flash('info', 'flash.orderChanges.alreadyMoved', said)
      else {
        app.afterCommit({ eventChanged: event.id, mailQueued: true })
        reply.flash('success', 'flash.orderChanges.moved', said)
      }
      return reply.redirect(`/events/${event.id}/orders?q=${order.code}`, 303)
    } catch (error) {
      if (!(error instanceof TicketMoveRefused)) throw error
      // Something changed since the form was read (a check-in, the last place taken): the form again, as the order stands now.
      const now = await orderOf(request)
      const errors = moveRefusalErrors(error.reason, now, input, await moveFacts(now), t)
      return renderMove(reply, now, { values: form.values, errors }, 409)
    }
  })

  /** The page to send the order's mail again: the form (as typed, with its mistakes), or why it was refused. */
  function renderResend(
    reply: FastifyReply,
    found: OrderWithTickets,
    form: { values: ResendValues; errors: FieldErrors; refusal?: string },
    status?: number,
  ) {
    const { t } = reply.request
    return reply.render(
      'organiser/resend.eta',
      { title: t('orderChanges.resend.title', { code: found.order.code }), ...resendPage(found, form, t), refusal: form.refusal ?? null },
      status,
    )
  }

  app.get('/events/:id/orders/:code/resend', owner, async (request, reply) => {
    const found = await orderOf(request)
    return renderResend(reply, found, { values: { email: found.order.buyerEmail }, errors: {} })
  })

  /**
   * The order's mail sent again, from the orders page's form: to the address
   * typed, which becomes the order's when it was corrected. A mistake, the
   * hourly limit or an order with nothing to send brings the form back on a
   * page of its own.
   */
  app.post('/events/:id/orders/:code/resend', owner, async (request, reply) => {
    const event = eventOf(request)
    const found = await orderOf(request)
    const { t } = request
    const form = parseResendForm(request.body, t)
    if (form.to === undefined) return renderResend(reply, found, form, 422)
    const done = await resendOrderMail(app.db, found.order.id, { actor: actorOf(request), siteUrl: siteUrl(request), to: form.to })
    switch (done.kind) {
      case 'nothing-to-send':
        return renderResend(reply, await orderOf(request), form, 409)
      case 'limit-reached': {
        const when = formatDateTime(done.nextAt, event.timeZone, request.locale)
        reply.header('retry-after', String(Math.max(1, Math.ceil((done.nextAt - Date.now()) / 1000))))
        const refusal = t('orderChanges.resend.limitReached', { limit: done.limit, when })
        return renderResend(reply, found, { ...form, refusal }, 429)
      }
      case 'sent':
        app.afterCommit({ mailQueued: true })
        reply.flash('success', 'flash.orderChanges.resent', {
          code: found.order.code,
          email: done.to,
          mail: done.mail === 'order-awaiting-payment' ? 'awaiting' : 'confirmation',
          changed: done.emailChanged ? 'yes' : 'no',
        })
        return reply.redirect(`/events/${event.id}/orders?q=${found.order.code}`, 303)
    }
  })
}
