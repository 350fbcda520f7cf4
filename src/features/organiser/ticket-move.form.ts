/**
 * The organiser's pages to move a ticket to another ticket type of the same
 * price (src/features/orders/ticket-move.ts), with JavaScript off: the
 * order's tickets (each one that may move a link to choose it), then the
 * types the chosen ticket may go to (the others shown, disabled, with why),
 * then a page that says what will happen and asks to confirm.
 */
import type { TicketTypeRow } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { formatMoney } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { money } from '../../lib/money.js'
import { MAX_INT32 } from '../../lib/numbers.js'
import { ORDER_STATUS_MESSAGES, holdsCapacity } from '../orders/order.states.js'
import { type MoveTarget, type MovingTicket, type TicketMoveRefusal, targetRefusal, ticketMoveRefusal } from '../orders/ticket-move.js'
import type { OrderTicket, OrderWithTickets } from '../purchase/order.repository.js'

export interface MoveTicketValues {
  /** The ticket's id, as sent. */
  ticket: string
  /** The target type's id, as sent. */
  type: string
}

export interface MoveTicketForm {
  values: MoveTicketValues
  errors: FieldErrors
  input?: { ticketId: number; typeId: number }
  /** Sent from the page that asked to confirm. */
  confirmed: boolean
}

const ID = /^[1-9]\d{0,9}$/

function idOf(text: string): number | null {
  return ID.test(text) && Number(text) <= MAX_INT32 ? Number(text) : null
}

/** Reads the form as sent: the ticket and the type chosen, each an id, or the mistakes that need no look at the order. */
export function parseMoveTicketForm(body: unknown, t: Translate): MoveTicketForm {
  const form = new FormReader(body, t)
  const values = { ticket: form.text('ticket'), type: form.text('type') }
  const ticketId = idOf(values.ticket)
  const typeId = idOf(values.type)
  if (ticketId === null) form.fail('ticket', t(values.ticket === '' ? 'orderChanges.move.chooseTicket' : 'orderChanges.move.notOfOrder'))
  else if (typeId === null) form.fail('type', t(values.type === '' ? 'orderChanges.move.chooseType' : 'orderChanges.move.noSuchType'))
  const confirmed = form.checkbox('confirm')
  if (!form.ok || ticketId === null || typeId === null) return { values, errors: form.errors, confirmed }
  return { values, errors: {}, input: { ticketId, typeId }, confirmed }
}

/** What the move's pages read besides the order: the event's ticket types, which of them are seated, the site's currency now. */
export interface MoveFacts {
  types: TicketTypeRow[]
  seatedTypes: Set<number>
  currency: string
}

function movingTicketOf(ticket: OrderTicket, facts: MoveFacts): MovingTicket {
  return { ...ticket, seated: ticket.seat !== null || facts.seatedTypes.has(ticket.ticketTypeId) }
}

function moveTargetOf(type: TicketTypeRow, facts: MoveFacts): MoveTarget {
  return { ...type, seated: facts.seatedTypes.has(type.id) }
}

/** The field a refusal is said at, and its words. */
export function moveRefusalErrors(
  refusal: TicketMoveRefusal,
  found: OrderWithTickets,
  input: { ticketId: number; typeId: number },
  facts: MoveFacts,
  t: Translate,
): FieldErrors {
  const type = facts.types.find((candidate) => candidate.id === input.typeId)
  const ticket = found.tickets.find((candidate) => candidate.id === input.ticketId)
  const typeName = type?.name ?? ''
  switch (refusal.code) {
    case 'not-of-order':
      return { ticket: t('orderChanges.move.notOfOrder') }
    case 'ticket-cancelled':
      return { ticket: t('orderChanges.move.ticketCancelled') }
    case 'checked-in':
      return { ticket: t('orderChanges.move.checkedIn') }
    case 'order-closed':
      return { ticket: t('orderChanges.move.orderClosed') }
    case 'seated':
      return { type: t('orderChanges.move.seated') }
    case 'same-type':
      return { type: t('orderChanges.move.sameType', { type: typeName }) }
    case 'no-such-type':
      return { type: t('orderChanges.move.noSuchType') }
    case 'different-price':
      return {
        type: t('orderChanges.move.differentPrice', {
          type: typeName,
          price: formatMoney(money(type?.priceMinor ?? 0, facts.currency)),
          ticketPrice: formatMoney(money(ticket?.priceMinor ?? 0, found.order.currency)),
        }),
      }
    case 'full':
      return { type: t('orderChanges.move.full', { type: typeName }) }
  }
}

/**
 * The mistakes that need the order, as the form's words: a ticket not of it,
 * or one that may not move; a type not of its event, or one it may not go
 * to, or with no place left as read now. The service asks again under the
 * order's lock, and its guarded UPDATE has the last word on the place.
 */
export function checkMove(
  found: OrderWithTickets,
  input: { ticketId: number; typeId: number },
  facts: MoveFacts,
  t: Translate,
): FieldErrors {
  const refusal = moveRefusalOf(found, input, facts)
  return refusal ? moveRefusalErrors(refusal, found, input, facts, t) : {}
}

function moveRefusalOf(found: OrderWithTickets, input: { ticketId: number; typeId: number }, facts: MoveFacts): TicketMoveRefusal | null {
  if (!holdsCapacity(found.order.status)) return { code: 'order-closed' }
  const ticket = found.tickets.find((candidate) => candidate.id === input.ticketId)
  if (!ticket) return { code: 'not-of-order' }
  const moving = movingTicketOf(ticket, facts)
  const own = ticketMoveRefusal(moving)
  if (own) return own
  const type = facts.types.find((candidate) => candidate.id === input.typeId)
  if (!type) return { code: 'no-such-type' }
  return targetRefusal(moving, moveTargetOf(type, facts), found.order.currency === facts.currency) ?? roomOf(type)
}

/** What is left of the type as read now, beside what is sold and held for the waiting list. */
function leftOf(type: TicketTypeRow): number {
  return Math.max(0, type.capacity - type.sold - type.held)
}

/** 'full' when nothing is left of the type as read now. */
function roomOf(type: TicketTypeRow): TicketMoveRefusal | null {
  return leftOf(type) > 0 ? null : { code: 'full' }
}

const TICKET_WHY: Partial<Record<TicketMoveRefusal['code'], MessageKey>> = {
  'ticket-cancelled': 'orderChanges.move.why.cancelled',
  'checked-in': 'orderChanges.move.why.checkedIn',
  seated: 'orderChanges.move.why.hasSeat',
}

const TYPE_WHY: Partial<Record<TicketMoveRefusal['code'], MessageKey>> = {
  'same-type': 'orderChanges.move.why.sameType',
  seated: 'orderChanges.move.why.seated',
  'different-price': 'orderChanges.move.why.differentPrice',
  full: 'orderChanges.move.why.full',
}

export interface MoveTicketPage {
  event: { id: number; title: string }
  order: { code: string; buyerName: string; statusLabel: string; closed: boolean }
  /** The page's own address, without a ticket chosen. */
  url: string
  /** Every ticket of the order: one that may move has the link that chooses it, one that may not says why. */
  tickets: { id: number; code: string; typeName: string; price: string; seat: string | null; why: string | null; link: string }[]
  /** Several tickets may move: the page with a ticket chosen offers to choose another. */
  severalMovable: boolean
  /** The ticket chosen, and every other type of the event: those it may not go to disabled, with why. */
  chosen: {
    id: number
    code: string
    typeName: string
    price: string
    types: { id: number; name: string; price: string; left: string; why: string | null; checked: boolean }[]
  } | null
  values: MoveTicketValues
  errors: FieldErrors
  /** Set on the page that asks to confirm. */
  review: { code: string; price: string; from: string; to: string } | null
}

/**
 * The move's page from the order as it stands: with a ticket chosen (the
 * values', or the only one that may move) the types it may go to; with
 * `review`, the page that asks to confirm.
 */
export function moveTicketPage(
  found: OrderWithTickets,
  facts: MoveFacts,
  form: { values: MoveTicketValues; errors: FieldErrors; review?: boolean },
  t: Translate,
): MoveTicketPage {
  const { order, event } = found
  const format = (minor: number, currency: string) => formatMoney(money(minor, currency))
  const url = `/events/${event.id}/orders/${order.code}/move-ticket`
  const tickets = found.tickets.map((ticket) => {
    const refusal = ticketMoveRefusal(movingTicketOf(ticket, facts))
    return {
      id: ticket.id,
      code: ticket.doorCode,
      typeName: ticket.ticketTypeName,
      price: format(ticket.priceMinor, order.currency),
      seat: ticket.seat,
      why: refusal && TICKET_WHY[refusal.code] ? t(TICKET_WHY[refusal.code]!) : null,
      link: `${url}?ticket=${ticket.id}`,
    }
  })
  const movable = tickets.filter((ticket) => ticket.why === null)
  const closed = !holdsCapacity(order.status)
  const named = movable.find((ticket) => String(ticket.id) === form.values.ticket)
  const chosenTicket = closed ? undefined : (named ?? (movable.length === 1 && form.values.ticket === '' ? movable[0] : undefined))
  const ticket = chosenTicket && found.tickets.find((candidate) => candidate.id === chosenTicket.id)!
  const chosen = ticket
    ? {
        id: ticket.id,
        code: ticket.doorCode,
        typeName: ticket.ticketTypeName,
        price: format(ticket.priceMinor, order.currency),
        types: facts.types
          .filter((type) => type.id !== ticket.ticketTypeId)
          .map((type) => {
            const moving = movingTicketOf(ticket, facts)
            const refusal = targetRefusal(moving, moveTargetOf(type, facts), order.currency === facts.currency) ?? roomOf(type)
            return {
              id: type.id,
              name: type.name,
              price: format(type.priceMinor, facts.currency),
              left: t('orderChanges.move.left', { left: leftOf(type) }),
              why: refusal && TYPE_WHY[refusal.code] ? t(TYPE_WHY[refusal.code]!) : null,
              checked: form.values.type === String(type.id),
            }
          }),
      }
    : null
  const target = facts.types.find((type) => String(type.id) === form.values.type)
  return {
    event: { id: event.id, title: event.title },
    order: { code: order.code, buyerName: order.buyerName, statusLabel: t(ORDER_STATUS_MESSAGES[order.status]), closed },
    url,
    tickets,
    severalMovable: movable.length > 1,
    chosen,
    values: form.values,
    // With a ticket chosen the page shows the types alone: a mistake about the ticket is said there.
    errors: chosen && form.errors.ticket ? { type: form.errors.ticket } : form.errors,
    review:
      form.review && ticket && target
        ? { code: ticket.doorCode, price: format(ticket.priceMinor, order.currency), from: ticket.ticketTypeName, to: target.name }
        : null,
  }
}
