import { signDoorCode } from '../../lib/door-code.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import type { OrderStatus, TicketTypeRow } from '../../db/schema.js'
import { ORDER_STATUS_MESSAGES, awaitsPayment, canMove, holdsCapacity, ticketStands } from '../orders/order.states.js'
import type { Event } from '../events/event.model.js'
import { type CsvCell, csvDateTime } from '../../lib/csv.js'
import { mailtoHref } from '../../lib/forms.js'
import { TIME_ZONES, formatAmount, formatDateTime, formatMoney, formatRevenue, isValidTimeZone, minorToInput } from '../../lib/format.js'
import {
  type EventPhase,
  type EventStatus,
  EVENT_STATUS_MESSAGES,
  PHASE_ORDER,
  eventPhase,
  eventStatus,
  isListed,
  remainingOf,
  remainingOfEvent,
} from '../events/event.rules.js'
import type { DashboardEvent } from '../events/event.repository.js'
import type { AttendeeLine, OrderMoney, OrderTotals } from '../purchase/order.repository.js'
import { type Money, money } from '../../lib/money.js'
import { PAYMENT_METHOD_IDS } from '../payments/payment-method.js'
import { methodLabelKey, ticketsAreValid } from '../purchase/order.view.js'
import { CARD_HOLD_MINUTES, MAX_TRANSFER_DAYS, type SitePayments } from './event.form.js'
import { currentMailOf } from '../orders/resend.js'
import { RESEND_BUTTONS } from './resend.form.js'
import { type AnswerLine, answerCell, answerLines, answersByOrder } from '../questions/answers.js'
import type { EventAnswers } from '../questions/questions.repository.js'
import { asksAnything } from '../questions/question.model.js'

/** What the organiser's pages show, shaped from the rows once, here. */

const GROUP_LABELS: Record<EventPhase, MessageKey> = {
  draft: 'organiser.dashboard.group.draft',
  scheduled: 'organiser.dashboard.group.scheduled',
  on_sale: 'organiser.dashboard.group.onSale',
  past: 'organiser.dashboard.group.past',
  cancelled: 'organiser.dashboard.group.cancelled',
}

export interface TicketTypeSummary {
  id: number
  name: string
  price: string
  sold: number
  /** Held for offers to the waiting list, and kept aside for reserved codes. */
  held: number
  /** Shown and sold only to buyers whose code names it. */
  hidden: boolean
  capacity: number
  maxPerOrder: number
  /** When sales open and close, or null when they follow the event's publication. */
  salesWindow: string | null
}

export interface EventSummary {
  id: number
  title: string
  venue: string
  startsAt: string
  phase: EventPhase
  /** The phase, or sold out; the badge shows it. */
  status: EventStatus
  statusLabel: string
  /** What the phase means for this event ("Goes on sale …"), or null. */
  phaseNote: string | null
  ticketTypes: TicketTypeSummary[]
  sold: number
  /** The overall capacity, or the sum of the ticket types' when there is none. */
  capacity: number
  /** Money received less refunds, one amount per currency the orders were paid in: "€120.00 + $30.00". */
  revenue: string
  /** Money due by card or bank transfer, not yet received. */
  awaiting: string
  /** Money to be paid at the door. */
  dueAtDoor: string
  orders: number
  canPublish: boolean
}

export interface DashboardEventView extends EventSummary {
  ownerName: string
}

export interface DashboardGroup {
  phase: EventPhase
  label: string
  /** The group's events on every page, not only on this one. */
  total: number
  /** Whether the group began on an earlier page. */
  continued: boolean
  events: DashboardEventView[]
}

/** Where a page of the dashboard sits in the whole list (dashboardEvents, dashboardPhaseCounts). */
export interface DashboardListing {
  offset: number
  phaseCounts: Map<EventPhase, number>
}

/** One page of the dashboard's events, which come in PHASE_ORDER, as a group per phase. */
export function toDashboard(
  events: DashboardEvent[],
  types: Map<number, TicketTypeRow[]>,
  totals: Map<number, OrderTotals>,
  listing: DashboardListing,
  currency: string,
  now: number,
  t: Translate,
): DashboardGroup[] {
  const views = events.map((event) => ({
    ...toEventSummary(event, types.get(event.id) ?? [], totals.get(event.id), currency, now, t),
    ownerName: event.ownerName,
  }))
  const groups: DashboardGroup[] = []
  let listedBefore = 0
  for (const phase of PHASE_ORDER) {
    const total = listing.phaseCounts.get(phase) ?? 0
    const shown = views.filter((view) => view.phase === phase)
    if (shown.length > 0)
      groups.push({ phase, label: t(GROUP_LABELS[phase]), total, continued: listing.offset > listedBefore, events: shown })
    listedBefore += total
  }
  return groups
}

export function toEventSummary(
  event: Event,
  types: TicketTypeRow[],
  totals: OrderTotals | undefined,
  currency: string,
  now: number,
  t: Translate,
): EventSummary {
  const phase = eventPhase(event, now)
  // Sold out as the public sees it: the listed types (a hidden one is for code holders alone).
  const listed = types.filter(isListed)
  const status = eventStatus(
    phase,
    listed.length,
    remainingOfEvent(
      listed.map((type) => remainingOf(type, event)),
      event,
    ),
  )
  return {
    id: event.id,
    title: event.title,
    venue: event.venue,
    startsAt: formatDateTime(event.startsAt, event.timeZone),
    phase,
    status,
    statusLabel: t(EVENT_STATUS_MESSAGES[status]),
    phaseNote: phaseNote(event, phase, t),
    ticketTypes: types.map((type) => toTicketTypeSummary(type, event.timeZone, currency, t)),
    sold: event.sold,
    capacity: event.capacity ?? types.reduce((sum, type) => sum + type.capacity, 0),
    revenue: formatRevenue(totals?.revenue ?? [], currency),
    awaiting: formatRevenue(totals?.awaiting ?? [], currency),
    dueAtDoor: formatRevenue(totals?.dueAtDoor ?? [], currency),
    orders: totals?.orders ?? 0,
    canPublish: (phase === 'draft' || phase === 'scheduled') && types.length > 0,
  }
}

function phaseNote(event: Event, phase: EventPhase, t: Translate): string | null {
  if (phase === 'scheduled' && event.publishedAt !== null)
    return t('organiser.phase.goesOnSale', { when: formatDateTime(event.publishedAt, event.timeZone) })
  if (phase === 'cancelled' && event.cancelledAt !== null)
    return t('organiser.phase.cancelled', { when: formatDateTime(event.cancelledAt, event.timeZone) })
  if (phase === 'draft') return t('organiser.phase.draft')
  return null
}

/** When a ticket type's sales open and close, or null when both follow the event. */
function salesWindow(type: TicketTypeRow, timeZone: string, t: Translate): string | null {
  const from = type.salesStartAt === null ? null : formatDateTime(type.salesStartAt, timeZone)
  const until = type.salesEndAt === null ? null : formatDateTime(type.salesEndAt, timeZone)
  if (from !== null && until !== null) return t('organiser.ticketTypes.salesFromUntil', { from, until })
  if (from !== null) return t('organiser.ticketTypes.salesFrom', { from })
  if (until !== null) return t('organiser.ticketTypes.salesUntil', { until })
  return null
}

function toTicketTypeSummary(type: TicketTypeRow, timeZone: string, currency: string, t: Translate): TicketTypeSummary {
  return {
    id: type.id,
    name: type.name,
    price: formatMoney(money(type.priceMinor, currency)),
    sold: type.sold,
    held: type.held,
    hidden: type.hidden === 1,
    capacity: type.capacity,
    maxPerOrder: type.maxPerOrder,
    salesWindow: salesWindow(type, timeZone, t),
  }
}

export interface AttendeeOrderView {
  code: string
  status: OrderStatus
  statusLabel: string
  payment: OrderPaymentView
  buyerName: string
  buyerEmail: string
  buyerMailto: string
  total: string
  /** The code it was placed with, and what it took off (the tickets that stand); null for none. */
  discountCode: { code: string; discount: string } | null
  orderedAt: string
  /** Every ticket; those cancelled on their own (`cancelled`) shown so, struck out. */
  tickets: {
    id: number
    code: string
    typeName: string
    price: string
    checkedIn: string | null
    cancelled: boolean
    holderName: string | null
    answers: AnswerLine[]
  }[]
  /** Some of its tickets may be cancelled, the rest kept: it holds tickets, and more than none stand. */
  canCancelTickets: boolean
  /** Its tickets may be printed: paid, or to be paid at the door (of an event not cancelled). */
  printable: boolean
  /** Its mail may be sent again (it holds tickets): the button's words. */
  resend: string | null
  /** A ticket of it may be moved to another type: it holds tickets, and some stand. */
  canMoveTickets: boolean
  /** The answers to the order's questions. */
  answers: AnswerLine[]
  /** Its names and answers may be changed: the event asks some. */
  editDetails: boolean
}

/** An order's money as the organiser's orders page shows it, and what may be done about it there. */
export interface OrderPaymentView {
  methodLabel: string
  /** Sold at the box office's desk: by whom, and why it was given away when it was; null online. */
  soldAtDesk: { by: string; complimentaryReason: string | null } | null
  /** Until when an unpaid order holds its tickets; null when it does not lapse or is not waiting. */
  payBy: string | null
  /** Each amount formatted, null when there is none. */
  paid: string | null
  refunded: string | null
  refunding: string | null
  refundFailed: string | null
  /** A transfer or cash the organiser may record as received: the order waits for it, or lapsed waiting (its tickets may still be free). */
  canMarkPaid: boolean
  /** What is left to refund, or null when nothing is; `byHand` when the organiser gives it back themselves and the app records it. */
  refund: { left: string; byHand: boolean } | null
  canCancel: boolean
}

/** What the orders page knows of payments beyond the attendee lines. */
export interface OrdersPayments {
  money: Map<number, OrderMoney>
  /** Whether an order of this method is paid outside the app (a transfer, cash): marked paid and refunded by a person. */
  paidByHand: (method: string) => boolean
}

function toOrderPaymentView(line: AttendeeLine, event: Event, payments: OrdersPayments, t: Translate): OrderPaymentView {
  const sums = payments.money.get(line.orderId) ?? { paidMinor: 0, refundedMinor: 0, refundingMinor: 0, failedRefundMinor: 0 }
  const amount = (minor: number) => (minor === 0 ? null : formatMoney(money(minor, line.currency)))
  const byHand = payments.paidByHand(line.paymentMethod)
  const leftMinor = sums.paidMinor - sums.refundedMinor - sums.refundingMinor
  const waiting = awaitsPayment(line.status)
  return {
    methodLabel: t(methodLabelKey(line.paymentMethod)),
    soldAtDesk: line.salesChannel === 'box-office' ? { by: line.soldBy ?? '', complimentaryReason: line.complimentaryReason } : null,
    payBy: waiting && line.paymentDeadline !== null ? formatDateTime(line.paymentDeadline, event.timeZone) : null,
    paid: amount(sums.paidMinor),
    refunded: amount(sums.refundedMinor),
    refunding: amount(sums.refundingMinor),
    refundFailed: amount(sums.failedRefundMinor),
    canMarkPaid: byHand && (waiting || line.status === 'expired'),
    refund: leftMinor > 0 ? { left: formatMoney(money(leftMinor, line.currency)), byHand } : null,
    canCancel: canMove(line.status, 'cancelled'),
  }
}

/**
 * Attendee lines (one per ticket, grouped by order in the order given) as one
 * view per order, in the currency each was paid in, each ticket by its door
 * code, with its payment.
 */
export function toOrderViews(
  lines: AttendeeLine[],
  event: Event,
  checkInSecret: string,
  payments: OrdersPayments,
  answered: EventAnswers,
  t: Translate,
): AttendeeOrderView[] {
  const orders = new Map<number, AttendeeOrderView>()
  // What each order's code took off its tickets that stand.
  const discounts = new Map<number, Money>()
  const answersOf = answersByOrder(answered.answers)
  for (const line of lines) {
    const answers = answersOf.get(line.orderId) ?? []
    let order = orders.get(line.orderId)
    if (!order) {
      order = {
        code: line.orderCode,
        status: line.status,
        statusLabel: t(ORDER_STATUS_MESSAGES[line.status]),
        payment: toOrderPaymentView(line, event, payments, t),
        buyerName: line.buyerName,
        buyerEmail: line.buyerEmail,
        buyerMailto: mailtoHref(line.buyerEmail),
        total: formatMoney(money(line.totalMinor, line.currency)),
        discountCode: line.discountCode === null ? null : { code: line.discountCode, discount: '' },
        orderedAt: formatDateTime(line.orderedAt, event.timeZone),
        tickets: [],
        printable: event.status !== 'cancelled' && ticketsAreValid(line),
        canCancelTickets: false,
        resend: resendButton(line, t),
        canMoveTickets: false,
        answers: answerLines(answered.questions, answers, null, t),
        editDetails: asksAnything(event),
      }
      orders.set(line.orderId, order)
    }
    const cancelled = !ticketStands({ cancelledAt: line.ticketCancelledAt })
    if (!cancelled && holdsCapacity(line.status)) {
      order.canCancelTickets = true
      order.canMoveTickets = true
    }
    if (!cancelled) discounts.set(line.orderId, money((discounts.get(line.orderId)?.minor ?? 0) + line.discountMinor, line.currency))
    order.tickets.push({
      id: line.ticketId,
      cancelled,
      code: signDoorCode(checkInSecret, event.id, line.ticketId),
      typeName: line.ticketTypeName,
      price: formatMoney(money(line.priceMinor, line.currency)),
      checkedIn:
        line.checkedInAt === null
          ? null
          : t('organiser.orders.checkedInBy', {
              when: formatDateTime(line.checkedInAt, event.timeZone),
              by: line.checkedInBy ?? '',
              gate: line.checkedInGate ?? '',
            }),
      holderName: line.holderName,
      answers: answerLines(answered.questions, answers, line.ticketId, t),
    })
  }
  for (const [orderId, order] of orders) {
    const discount = discounts.get(orderId)
    if (order.discountCode && discount) order.discountCode.discount = formatAmount(discount)
  }
  return [...orders.values()]
}

function resendButton(line: AttendeeLine, t: Translate): string | null {
  const mail = currentMailOf(line)
  return mail && t(RESEND_BUTTONS[mail])
}

/** The export's columns beyond the fixed ones: the ticket's holder while names are asked, then a column for each question asked. */
export interface AttendeeColumns {
  holderNames: boolean
  questions: EventAnswers['questions']
  /** The event has codes: each ticket's order's code, and what it took off the ticket. */
  codes: boolean
}

export function attendeeHeader(event: Event, columns: AttendeeColumns, t: Translate): CsvCell[] {
  const { timeZone } = event
  return [
    t('organiser.attendeesCsv.orderCode'),
    t('organiser.attendeesCsv.status'),
    t('organiser.attendeesCsv.paymentMethod'),
    t('boxOffice.csv.salesChannel'),
    t('organiser.attendeesCsv.buyerName'),
    t('organiser.attendeesCsv.email'),
    t('organiser.attendeesCsv.ticketType'),
    t('organiser.attendeesCsv.ticketCode'),
    t('organiser.attendeesCsv.price'),
    t('organiser.attendeesCsv.currency'),
    t('organiser.attendeesCsv.orderedAt', { timeZone }),
    t('organiser.attendeesCsv.checkedInAt', { timeZone }),
    ...(columns.codes ? [t('codes.csv.orderCode'), t('codes.csv.discountOff')] : []),
    ...(columns.holderNames ? [t('questions.csv.holder')] : []),
    ...columns.questions.map((question) => question.label),
  ]
}

/**
 * One row per ticket, under attendeeHeader; prices as plain amounts beside the
 * currency each order was paid in; the ticket's state and its order's payment
 * method as codes (pending, paid…; card, bank-transfer, at-door, free, and the
 * box office's cash, card-terminal, complimentary), and so the channel it was
 * sold through (online, box-office), which a spreadsheet can filter on
 * whatever the language. A ticket's state is its order's, but `cancelled` for
 * one the organiser cancelled on its own: kept in the export, so that the file
 * says what became of every ticket sold.
 */
export function toAttendeeRows(
  lines: AttendeeLine[],
  event: Event,
  checkInSecret: string,
  columns: AttendeeColumns,
  answers: EventAnswers['answers'],
): CsvCell[][] {
  const answersOf = answersByOrder(answers)
  // A question of the order has its answer on each of the order's tickets.
  const answerOf = (line: AttendeeLine, question: EventAnswers['questions'][number]) => {
    const ticketId = question.perTicket ? line.ticketId : null
    const answer = answersOf.get(line.orderId)?.find((candidate) => candidate.questionId === question.id && candidate.ticketId === ticketId)
    return answer ? answerCell(question, answer.value) : ''
  }
  return lines.map((line) => [
    line.orderCode,
    ticketStands({ cancelledAt: line.ticketCancelledAt }) ? line.status : 'cancelled',
    line.paymentMethod,
    line.salesChannel,
    line.buyerName,
    line.buyerEmail,
    line.ticketTypeName,
    signDoorCode(checkInSecret, event.id, line.ticketId),
    minorToInput(money(line.priceMinor, line.currency)),
    line.currency,
    csvDateTime(line.orderedAt, event.timeZone),
    line.checkedInAt === null ? '' : csvDateTime(line.checkedInAt, event.timeZone),
    ...(columns.codes ? [line.discountCode ?? '', minorToInput(money(line.discountMinor, line.currency))] : []),
    ...(columns.holderNames ? [line.holderName ?? ''] : []),
    ...columns.questions.map((question) => answerOf(line, question)),
  ])
}

/** What the event form's payment fields show: each method, the card disabled with a word why when the site cannot take cards. */
export function paymentFieldsView(site: SitePayments, t: Translate) {
  return {
    paymentChoices: PAYMENT_METHOD_IDS.map((id) => ({
      id,
      label: t(methodLabelKey(id)),
      offSiteHint: id === 'card' && !site.cardOnSite ? t('organiser.eventForm.cardOffSite') : null,
    })),
    cardHoldRange: CARD_HOLD_MINUTES,
    transferDaysMax: MAX_TRANSFER_DAYS,
  }
}

/** The time zones a <select> offers: every one the runtime knows, and the current one even if it is an alias. */
export function timeZoneChoices(current: string): string[] {
  const zones = new Set(TIME_ZONES)
  if (isValidTimeZone(current)) zones.add(current)
  return [...zones].sort()
}
