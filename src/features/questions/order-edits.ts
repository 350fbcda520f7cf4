import type { OrderStatus } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Locale } from '../../i18n/locale.js'
import type { Translate } from '../../i18n/translate.js'
import { formatDateTime } from '../../lib/format.js'
import type { Event } from '../events/event.model.js'
import { holdsCapacity } from '../orders/order.states.js'
import { type Asked, type DetailValues, type TicketSlot, askedOf, orderField, ticketField } from './answers.js'
import type { Question } from './question.model.js'
import type { StoredAnswer } from './questions.repository.js'

/**
 * Names and answers changed after the purchase: who may change what, and the
 * form of it, built on the buy form's own (Asked), so that every answer is
 * read and checked as the buy form checks it (parseDetails).
 */

/** Who changes them: the organiser (every name and answer, of every ticket), or the buyer (what the event lets them, until its cut-off). */
export type Editor = 'organiser' | 'buyer'

/** Why the buyer may not change names and answers now. */
export type BuyerEditRefusal = { code: 'off' } | { code: 'no-tickets' } | { code: 'past-cutoff'; until: number }

export type BuyerEditing = { allowed: true; until: number } | { allowed: false; reason: BuyerEditRefusal }

/** The most hours before the event a cut-off may be set: a year. */
export const MAX_BUYER_EDIT_HOURS = 8760
const HOUR_MS = 3_600_000

/** Until when buyers may change names and answers: the cut-off, so many hours before the event starts. */
export function buyerEditCutoff(event: Pick<Event, 'startsAt' | 'buyerEditHours'>): number {
  return event.startsAt - event.buyerEditHours * HOUR_MS
}

/**
 * The buyer's rule, in one place for the order page, the edit page and the
 * save: the event lets buyers change names and answers, the order holds
 * tickets (neither lapsed nor cancelled), and the cut-off has not passed.
 */
export function buyerEditing(
  event: Pick<Event, 'startsAt' | 'buyerEdits' | 'buyerEditHours'>,
  status: OrderStatus,
  now = Date.now(),
): BuyerEditing {
  if (!event.buyerEdits) return { allowed: false, reason: { code: 'off' } }
  if (!holdsCapacity(status)) return { allowed: false, reason: { code: 'no-tickets' } }
  const until = buyerEditCutoff(event)
  if (now >= until) return { allowed: false, reason: { code: 'past-cutoff', until } }
  return { allowed: true, until }
}

const REFUSAL_WORDS: Record<BuyerEditRefusal['code'], MessageKey> = {
  off: 'orderDetails.closed.off',
  'no-tickets': 'orderDetails.closed.noTickets',
  'past-cutoff': 'orderDetails.closed.pastCutoff',
}

/** Why the buyer may not change names and answers, in words: past the cut-off, until when they could. */
export function buyerRefusalText(reason: BuyerEditRefusal, timeZone: string, t: Translate, locale?: Locale): string {
  return t(REFUSAL_WORDS[reason.code], reason.code === 'past-cutoff' ? { until: formatDateTime(reason.until, timeZone, locale) } : {})
}

/** A ticket of the order, as the edit form needs it (an OrderTicket of the order's page will do). */
export interface TicketToEdit {
  id: number
  ticketTypeId: number
  ticketTypeName: string
  /** Cancelled on its own: the organiser may still correct it, the buyer may not. */
  cancelled: boolean
  holderName: string | null
}

/** What an edit asks of an order, the form's fields as stored now, and which ticket each part of the form is. */
export interface OrderEdit {
  asked: Asked
  /** asked.tickets[i] is the ticket ticketIds[i]. */
  ticketIds: number[]
  /** The fields filled with the names and answers as they are. */
  values: DetailValues
  /** The order's tickets as this form read them: a save finding them otherwise (a ticket moved or cancelled since) is refused. */
  stamp: string
}

/**
 * What `editor` may change of an order: for the organiser, a name on each
 * ticket (while names are asked) and every question the event asks now of
 * its tickets; for the buyer, of the tickets that stand, only the names and
 * questions the organiser lets buyers change. Removed questions are never
 * asked. Null when there is nothing to change. Each ticket keeps the field
 * names of the buy form (`t<type>_<n>_…`, n its number among the order's
 * tickets of its type), so parseDetails reads them.
 */
export function orderEditOf(
  event: Pick<Event, 'holderNames' | 'buyerEditNames'>,
  questions: Question[],
  tickets: TicketToEdit[],
  answers: StoredAnswer[],
  editor: Editor,
): OrderEdit | null {
  const counted = new Map<number, number>()
  const numbered = [...tickets]
    .sort((a, b) => a.ticketTypeId - b.ticketTypeId || a.id - b.id)
    .map((ticket) => {
      const index = (counted.get(ticket.ticketTypeId) ?? 0) + 1
      counted.set(ticket.ticketTypeId, index)
      return { ticket, slot: { ticketTypeId: ticket.ticketTypeId, typeName: ticket.ticketTypeName, index } satisfies TicketSlot }
    })
  const editable = numbered.filter(({ ticket }) => editor === 'organiser' || !ticket.cancelled)
  const asking = {
    holderNames: editor === 'buyer' && !event.buyerEditNames ? ('off' as const) : event.holderNames,
    questions: questions
      .filter((question) => editor === 'organiser' || question.buyerEditable)
      .map((question) => keepingChosen(question, answers)),
  }
  const asked = askedOf(
    asking,
    editable.map(({ slot }) => slot),
  )
  if (!asked) return null
  const ticketIds = asked.tickets.map(({ slot }) => editable.find((candidate) => candidate.slot === slot)!.ticket.id)
  const values: DetailValues = {}
  const fill = (field: string, question: Question, ticketId: number | null) => {
    const value = answers.find((answer) => answer.questionId === question.id && answer.ticketId === ticketId)?.value ?? ''
    values[field] = question.kind === 'several-choices' ? value.split(',').filter((id) => id !== '') : value
  }
  asked.tickets.forEach(({ slot, questions: ofTicket }, i) => {
    const ticket = tickets.find((candidate) => candidate.id === ticketIds[i])!
    if (asked.holderNames !== 'off') values[ticketField(slot, 'name')] = ticket.holderName ?? ''
    for (const question of ofTicket) fill(ticketField(slot, question), question, ticket.id)
  })
  for (const question of asked.order) fill(orderField(question), question, null)
  return { asked, ticketIds, values, stamp: ticketStamp(tickets) }
}

/** The order's tickets in a word: each one's id, type and whether it stands. */
export function ticketStamp(tickets: Pick<TicketToEdit, 'id' | 'ticketTypeId' | 'cancelled'>[]): string {
  return [...tickets]
    .sort((a, b) => a.id - b.id)
    .map((ticket) => `${ticket.id}.${ticket.ticketTypeId}${ticket.cancelled ? 'x' : ''}`)
    .join('-')
}

/**
 * The question, with the choices no longer offered that an answer of this
 * order still names offered again here: the form shows them chosen, and a
 * save that leaves them so keeps them (rather than losing an answer the
 * buyer gave to a choice the organiser removed later).
 */
function keepingChosen(question: Question, answers: StoredAnswer[]): Question {
  if (!question.options.some((option) => option.removed)) return question
  const chosen = new Set(answers.filter((answer) => answer.questionId === question.id).flatMap((answer) => answer.value.split(',')))
  return {
    ...question,
    options: question.options.map((option) => (option.removed && chosen.has(String(option.id)) ? { ...option, removed: false } : option)),
  }
}
