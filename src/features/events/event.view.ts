import type { TicketTypeRow } from '../../db/schema.js'
import type { Event } from './event.model.js'
import { dayKey, formatDateTime, formatMoney, formatTime, zoneName } from '../../lib/format.js'
import { paragraphs } from '../../lib/text.js'
import { type Money, isFree, money } from '../../lib/money.js'
import type { Translate } from '../../i18n/translate.js'
import {
  EVENT_STATUS_MESSAGES,
  type EventPhase,
  type EventStatus,
  eventPhase,
  eventStatus,
  isTicketTypeOnSale,
  isListed,
  isWaitingListOpen,
  maxSelectable,
  remainingOf,
  remainingOfEvent,
} from './event.rules.js'

export interface TicketTypeView {
  id: number
  name: string
  /** What one ticket costs this buyer: with their code, when it changes the price. */
  price: string
  /** The type's own price, when a code changes it (shown struck through); null otherwise. */
  listPrice: string | null
  /** The price in minor units, carried by the buy form so that the buyer pays what they saw. */
  priceMinor: number
  remaining: number
  soldOut: boolean
  onSale: boolean
  /** Why it is not on sale, or when sales end; null when there is nothing to say. */
  salesNote: string | null
  /** The most one order may take now: the per-order limit or what remains. */
  maxSelectable: number
  maxPerOrder: number
  /** Sold out, and its waiting list takes names. */
  waitingList: boolean
}

export interface EventView {
  id: number
  title: string
  venue: string
  when: string
  timeZone: string
  /** The currency the prices are shown in. */
  currency: string
  phase: EventPhase
  status: EventStatus
  statusLabel: string
  cancelled: boolean
  imageUrl: string | null
  description: string[][]
  ticketTypes: TicketTypeView[]
  remaining: number
  badge: 'sold_out' | 'few_left' | null
  /**
   * The card's line on price: "From €20.00", the cheapest type on sale now (a sold-out type's price
   * cannot be paid). With none on sale but tickets left, when sales open, or that they ended; null
   * when the badge says why (sold out, cancelled), the event is over, or it has no types.
   */
  priceNote: string | null
  /** At least one ticket type can be bought now. */
  onSale: boolean
  allowBuyerCancellation: boolean
  /** The organiser keeps a waiting list for sold-out types. */
  waitingList: boolean
  /** The organiser's caps on one buyer (email address), null for none. */
  maxTicketsPerBuyer: number | null
  maxOrdersPerBuyer: number | null
}

/** What a buyer's code changes on the buy form (src/features/codes): the hidden types it unlocks, and the price of one ticket of each type with it. */
export interface ViewedWith {
  unlocked?: ReadonlySet<number>
  prices?: ReadonlyMap<number, Money>
}

/**
 * What the public pages show of an event: figures derived once, here, from
 * the rows, and said in the words of `t`. Hidden ticket types are left out,
 * and counted nowhere, unless a code unlocks them (`viewed`).
 */
export function toEventView(
  event: Event,
  allTypes: TicketTypeRow[],
  currency: string,
  t: Translate,
  now = Date.now(),
  viewed: ViewedWith = {},
): EventView {
  const phase = eventPhase(event, now)
  const types = allTypes.filter((type) => isListed(type) || viewed.unlocked?.has(type.id) === true)
  const ticketTypes = types.map((type) => toTicketTypeView(event, type, currency, t, now, viewed.prices?.get(type.id)))
  const remaining = remainingOfEvent(
    ticketTypes.map((type) => type.remaining),
    event,
  )
  const status = eventStatus(phase, types.length, remaining)
  const capacity = types.reduce((sum, type) => sum + type.capacity, 0)
  return {
    id: event.id,
    title: event.title,
    venue: event.venue,
    when: describeWhen(event),
    timeZone: event.timeZone,
    currency,
    phase,
    status,
    statusLabel: t(EVENT_STATUS_MESSAGES[status]),
    cancelled: phase === 'cancelled',
    imageUrl: event.imageUrl,
    description: paragraphs(event.description),
    ticketTypes,
    remaining,
    badge:
      types.length === 0 ? null : remaining === 0 ? 'sold_out' : remaining <= Math.max(5, Math.ceil(capacity * 0.1)) ? 'few_left' : null,
    priceNote: priceNote(event, phase, types, ticketTypes, remaining, currency, t, now),
    onSale: ticketTypes.some((type) => type.onSale),
    allowBuyerCancellation: event.allowBuyerCancellation,
    waitingList: event.waitingList,
    maxTicketsPerBuyer: event.maxTicketsPerBuyer,
    maxOrdersPerBuyer: event.maxOrdersPerBuyer,
  }
}

function priceNote(
  event: Event,
  phase: EventPhase,
  types: TicketTypeRow[],
  views: TicketTypeView[],
  remaining: number,
  currency: string,
  t: Translate,
  now: number,
): string | null {
  const onSale = views.filter((type) => type.onSale)
  if (onSale.length > 0) {
    // "From Free" reads oddly: free tickets are said as such, beside the cheapest paid one when there is one.
    const paid = onSale.map((type) => money(type.priceMinor, currency)).filter((price) => !isFree(price))
    if (paid.length === 0) return t('common.free')
    const cheapest = formatMoney(money(Math.min(...paid.map((price) => price.minor)), currency))
    return paid.length < onSale.length ? t('browse.price.freeOrFrom', { price: cheapest }) : t('browse.price.from', { price: cheapest })
  }
  if (phase !== 'on_sale' || remaining === 0) return null
  const opening = types
    .filter((type, i) => views[i]!.remaining > 0 && type.salesStartAt !== null && type.salesStartAt > now)
    .map((type) => type.salesStartAt!)
  return opening.length > 0
    ? t('browse.sales.from', { date: formatDateTime(Math.min(...opening), event.timeZone) })
    : t('browse.sales.ended')
}

function toTicketTypeView(
  event: Event,
  type: TicketTypeRow,
  currency: string,
  t: Translate,
  now: number,
  withCode: Money | undefined,
): TicketTypeView {
  const remaining = remainingOf(type, event)
  const onSale = isTicketTypeOnSale(type, event, now)
  const own = money(type.priceMinor, currency)
  const price = withCode ?? own
  return {
    id: type.id,
    name: type.name,
    price: formatMoney(price),
    listPrice: price.minor === own.minor ? null : formatMoney(own),
    priceMinor: price.minor,
    remaining,
    soldOut: remaining === 0,
    onSale,
    // A cancelled event's sales are over, whatever its types' windows said.
    salesNote: event.status === 'cancelled' ? null : salesNote(type, event.timeZone, t, now),
    maxSelectable: maxSelectable(onSale, remaining, type.maxPerOrder),
    maxPerOrder: type.maxPerOrder,
    waitingList: isWaitingListOpen(type, event, now),
  }
}

function salesNote(type: TicketTypeRow, timeZone: string, t: Translate, now: number): string | null {
  if (type.salesStartAt !== null && type.salesStartAt > now)
    return t('browse.sales.from', { date: formatDateTime(type.salesStartAt, timeZone) })
  if (type.salesEndAt !== null && type.salesEndAt <= now) return t('browse.sales.ended')
  if (type.salesEndAt !== null) return t('browse.sales.until', { date: formatDateTime(type.salesEndAt, timeZone) })
  return null
}

/**
 * "Sat 5 Dec 2026, 19:30 CET – 23:00", or both full date-times when it spans
 * days; the end names its zone when the clocks change in between ("01:30 CET – 05:00 CEST").
 */
function describeWhen(event: Event): string {
  const { startsAt, endsAt, timeZone } = event
  const start = formatDateTime(startsAt, timeZone)
  if (dayKey(startsAt, timeZone) !== dayKey(endsAt, timeZone)) return `${start} – ${formatDateTime(endsAt, timeZone)}`
  const endZone = zoneName(endsAt, timeZone)
  return `${start} – ${formatTime(endsAt, timeZone)}${endZone === zoneName(startsAt, timeZone) ? '' : ` ${endZone}`}`
}
