import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NotFound } from '../../lib/errors.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { eventOf } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import { accessibleOrder } from '../purchase/order-access.js'
import { type OrderWithTickets, findOrderByCode } from '../purchase/order.repository.js'
import { type DetailValues, detailValuesOf, parseDetails } from '../questions/answers.js'
import { type Editor, type OrderEdit, buyerEditing, buyerRefusalText, orderEditOf } from '../questions/order-edits.js'
import { type DetailsRefusal, saveOrderDetails } from './order-details.service.js'
import { type DetailsPlaces, toDetailsPage } from './order-details.view.js'

/**
 * Names and answers changed after the purchase: by the organiser, from the
 * orders page, every name and answer of any order of their event; by the
 * buyer, from the order page (reached as it is: the kept link, the browser
 * that bought it, or their account), what the organiser lets buyers change,
 * until the event's cut-off. One form for both, the buy form's "Who is
 * coming" fields filled with what is stored, each answer checked as the buy
 * form checks it.
 */
export default async function orderDetailsRoutes(app: FastifyInstance) {
  const owner = { config: { access: 'event-owner' as const } }
  const anyone = { config: { access: 'anyone' as const } }

  /** The order named in an organiser's URL, of the event the access hook loaded (404 for an order of another event). */
  async function orderOfEvent(request: FastifyRequest): Promise<OrderWithTickets> {
    const found = await findOrderByCode(app.db, (request.params as { code?: string }).code ?? '')
    if (!found || found.order.eventId !== eventOf(request).id) throw new NotFound()
    return found
  }

  const editOf = (found: OrderWithTickets, editor: Editor) =>
    orderEditOf(found.event, found.questions, found.tickets, found.answers, editor)

  function organiserPlaces({ order }: OrderWithTickets): DetailsPlaces {
    const orders = `/events/${order.eventId}/orders`
    return { action: `${orders}/${order.code}/details`, back: `${orders}?q=${order.code}`, key: null }
  }

  function buyerPlaces({ order }: OrderWithTickets): DetailsPlaces {
    return { action: `/orders/${order.code}/details`, back: `/orders/${order.code}?key=${order.accessKey}`, key: order.accessKey }
  }

  const placesOf = (found: OrderWithTickets, editor: Editor) => (editor === 'organiser' ? organiserPlaces(found) : buyerPlaces(found))

  interface EditForm {
    values: DetailValues
    errors: FieldErrors
    notice?: string
  }

  function renderEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    found: OrderWithTickets,
    edit: OrderEdit,
    editor: Editor,
    form: EditForm,
    status?: number,
  ) {
    const { t } = request
    // Names and answers people typed: theirs alone.
    reply.header('cache-control', 'private, no-store')
    const rule = editor === 'buyer' ? buyerEditing(found.event, found.order.status) : null
    const places = placesOf(found, editor)
    return reply.render(
      'order-details/edit.eta',
      {
        title: t('orderDetails.form.title', { code: found.order.code }),
        ...toDetailsPage(found, edit, form, { editor, places, until: rule?.allowed ? rule.until : null, locale: request.locale }, t),
      },
      status,
    )
  }

  /** The buyer's page when there is nothing they may change (now), saying why. */
  function renderClosed(request: FastifyRequest, reply: FastifyReply, found: OrderWithTickets, message: string, status?: number) {
    reply.header('cache-control', 'private, no-store')
    return reply.render(
      'order-details/closed.eta',
      {
        title: request.t('orderDetails.form.title', { code: found.order.code }),
        order: { code: found.order.code },
        message,
        back: buyerPlaces(found).back,
      },
      status,
    )
  }

  /**
   * Reads the form against what may be changed now and saves it, then back
   * to the orders page or the order page: a mistake brings the form back as
   * typed (422); a form whose order's tickets changed since it was shown
   * comes back as the order now stands (409).
   */
  async function save(request: FastifyRequest, reply: FastifyReply, found: OrderWithTickets, edit: OrderEdit, editor: Editor) {
    const { t } = request
    const typed = { values: detailValuesOf(request.body), errors: {} }
    if (new FormReader(request.body).text('stamp') !== edit.stamp)
      return renderEdit(request, reply, found, edit, editor, { ...typed, notice: t('orderDetails.form.orderChanged') }, 409)
    const parsed = parseDetails(request.body, edit.asked, t)
    if (!parsed.details) return renderEdit(request, reply, found, edit, editor, { ...typed, errors: parsed.errors }, 422)
    const doorCodes = new Map(found.tickets.map((ticket) => [ticket.id, ticket.doorCode]))
    const saved = await saveOrderDetails(app.db, {
      order: found.order,
      editor,
      edit,
      details: parsed.details,
      questions: new Map(found.questions.map((question) => [question.id, question])),
      nameOf: (id) => doorCodes.get(id) ?? String(id),
      actor: actorOf(request, found.order.buyerEmail),
    })
    if (saved.kind === 'refused') return refused(request, reply, found, editor, saved.reason, typed)
    const changed = saved.changes > 0
    reply.flash(changed ? 'success' : 'info', changed ? 'flash.orderDetails.saved' : 'flash.orderDetails.unchanged', {
      code: found.order.code,
    })
    return reply.redirect(placesOf(found, editor).back, 303)
  }

  /** A save refused under the order's lock: the buyer's cut-off or setting, or the order changed since it was read. */
  async function refused(
    request: FastifyRequest,
    reply: FastifyReply,
    found: OrderWithTickets,
    editor: Editor,
    reason: DetailsRefusal,
    typed: EditForm,
  ) {
    if (reason.code !== 'order-changed')
      return renderClosed(request, reply, found, buyerRefusalText(reason, found.event.timeZone, request.t, request.locale), 409)
    const now = (await findOrderByCode(app.db, found.order.code))!
    const edit = editOf(now, editor)
    if (!edit) return reply.redirect(placesOf(now, editor).back, 303)
    return renderEdit(request, reply, now, edit, editor, { ...typed, notice: request.t('orderDetails.form.orderChanged') }, 409)
  }

  app.get('/events/:id/orders/:code/details', owner, async (request, reply) => {
    const found = await orderOfEvent(request)
    const edit = editOf(found, 'organiser')
    if (!edit) throw new NotFound({ key: 'orderDetails.nothingAsked' })
    return renderEdit(request, reply, found, edit, 'organiser', { values: edit.values, errors: {} })
  })

  app.post('/events/:id/orders/:code/details', owner, async (request, reply) => {
    const found = await orderOfEvent(request)
    const edit = editOf(found, 'organiser')
    if (!edit) throw new NotFound({ key: 'orderDetails.nothingAsked' })
    return save(request, reply, found, edit, 'organiser')
  })

  /** The buyer's edit of this order, or why there is none now, in words. */
  function buyerEdit(request: FastifyRequest, found: OrderWithTickets): { edit: OrderEdit } | { closed: string } {
    const rule = buyerEditing(found.event, found.order.status)
    if (!rule.allowed) return { closed: buyerRefusalText(rule.reason, found.event.timeZone, request.t, request.locale) }
    const edit = editOf(found, 'buyer')
    return edit ? { edit } : { closed: request.t('orderDetails.closed.nothing') }
  }

  app.get('/orders/:code/details', anyone, async (request, reply) => {
    const found = await accessibleOrder(app.db, request, (request.query as { key?: unknown }).key)
    const buyer = buyerEdit(request, found)
    if ('closed' in buyer) return renderClosed(request, reply, found, buyer.closed)
    return renderEdit(request, reply, found, buyer.edit, 'buyer', { values: buyer.edit.values, errors: {} })
  })

  app.post('/orders/:code/details', anyone, async (request, reply) => {
    const found = await accessibleOrder(app.db, request, new FormReader(request.body).text('key'))
    const buyer = buyerEdit(request, found)
    if ('closed' in buyer) return renderClosed(request, reply, found, buyer.closed, 409)
    return save(request, reply, found, buyer.edit, 'buyer')
  })
}
