import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NotFound } from '../../lib/errors.js'
import { qrSvg } from '../../lib/qr.js'
import { eventOf } from '../../plugins/auth.js'
import { accessibleOrder } from '../purchase/order-access.js'
import { type OrderWithTickets, findOrderByCode } from '../purchase/order.repository.js'
import { type PrintableOrder, toPrintableOrder } from './printable.js'
import { ticketsPdf } from './tickets.pdf.js'

/** Where the printable page leads: back to where it came from, and to the PDF of the same tickets. */
interface PrintLinks {
  back: { href: string; label: string }
  pdf: string
}

/**
 * An order's tickets to print (one a page, print CSS, no script) and the same
 * as a PDF made here. The buyer reaches them as they reach the order page (its
 * kept link, the browser that bought it, or their account); the organiser for
 * any order of their event.
 */
export default async function ticketRoutes(app: FastifyInstance) {
  const anyone = { config: { access: 'anyone' as const } }
  const owner = { config: { access: 'event-owner' as const } }

  app.get('/orders/:code/tickets', anyone, async (request, reply) => {
    const found = await accessibleOrder(app.db, request, (request.query as { key?: unknown }).key)
    return renderPage(request, reply, found, buyerLinks(request, found), 200)
  })

  app.get('/orders/:code/tickets.pdf', anyone, async (request, reply) => {
    const found = await accessibleOrder(app.db, request, (request.query as { key?: unknown }).key)
    return sendPdf(request, reply, found, buyerLinks(request, found))
  })

  app.get('/events/:id/orders/:code/tickets', owner, async (request, reply) => {
    const found = await orderOfEvent(request)
    return renderPage(request, reply, found, organiserLinks(request, found), 200)
  })

  app.get('/events/:id/orders/:code/tickets.pdf', owner, async (request, reply) => {
    const found = await orderOfEvent(request)
    return sendPdf(request, reply, found, organiserLinks(request, found))
  })

  /** The order named in an organiser's URL, of the event the access hook loaded (and 404 for an order of another event). */
  async function orderOfEvent(request: FastifyRequest): Promise<OrderWithTickets> {
    const code = (request.params as { code?: string }).code ?? ''
    const found = await findOrderByCode(app.db, code)
    if (!found || found.order.eventId !== eventOf(request).id) throw new NotFound()
    return found
  }

  function buyerLinks(request: FastifyRequest, { order }: OrderWithTickets): PrintLinks {
    const key = `?key=${order.accessKey}`
    return {
      back: { href: `/orders/${order.code}${key}`, label: request.t('tickets.print.backToOrder') },
      pdf: `/orders/${order.code}/tickets.pdf${key}`,
    }
  }

  function organiserLinks(request: FastifyRequest, { order }: OrderWithTickets): PrintLinks {
    const orders = `/events/${order.eventId}/orders`
    return {
      back: { href: `${orders}?q=${order.code}`, label: request.t('tickets.print.backToOrders') },
      pdf: `${orders}/${order.code}/tickets.pdf`,
    }
  }

  async function renderPage(request: FastifyRequest, reply: FastifyReply, found: OrderWithTickets, links: PrintLinks, status: number) {
    const { t } = request
    const order = toPrintableOrder(found, t)
    // Names and ticket codes: kept out of shared caches, as the order page is.
    reply.header('cache-control', 'private, no-store')
    return reply.render(
      'tickets/print.eta',
      {
        title: t('tickets.print.title', { code: order.code }),
        order: { ...order, tickets: await withQrCodes(order) },
        links,
      },
      status,
    )
  }

  /** The PDF, or the page saying why there is nothing to print (409: the order's state stands in the way). */
  async function sendPdf(request: FastifyRequest, reply: FastifyReply, found: OrderWithTickets, links: PrintLinks) {
    const order = toPrintableOrder(found, request.t)
    if (order.withheld !== null) return renderPage(request, reply, found, links, 409)
    const { siteName } = await request.siteSettings()
    const pdf = await ticketsPdf(order, siteName, request.t, request.locale)
    return reply
      .header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="tickets-${order.code}.pdf"`)
      .type('application/pdf')
      .send(pdf)
  }
}

/** Each ticket with its QR code as inline SVG: the printed page loads nothing more. */
async function withQrCodes(order: PrintableOrder) {
  return Promise.all(order.tickets.map(async (ticket) => ({ ...ticket, qrSvg: await qrSvg(ticket.doorCode) })))
}
