import type { TicketTypeRow } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import type { Event } from '../events/event.model.js'
import { salesWithinEvent } from '../events/event.rules.js'
import { formatDateTime, formatMoney, isValidTimeZone, minorToInput, minorUnitsPerMajor, parseAmount } from '../../lib/format.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { atSameWallTime, instantToLocalInput, localInputToInstant } from '../../lib/time.js'
import { type Money, money } from '../../lib/money.js'
import { highestPriceFor, maxOrderTotal, mostTicketsAt } from '../pricing/cart-pricing.js'
import { PAYMENT_METHOD_IDS, type PaymentMethodId, chosenMethods } from '../payments/payment-method.js'
import { SHORTEST_CARD_HOLD_MINUTES } from '../payments/methods/card.js'

/**
 * The organiser's two forms, the event and a ticket type: the values as typed
 * (to show again), the errors per field, and, when there is none, the input
 * in the units the database keeps (epoch ms, minor units, 0/1).
 */
export interface Parsed<Values, Input> {
  values: Values
  errors: FieldErrors
  input: Input | null
}

const MAX_CAPACITY = 1_000_000
const MAX_TEXT = 200
const MAX_DESCRIPTION = 20_000
const MAX_URL = 2000
const MAX_PER_ORDER = 100
/** How long a card order may hold its tickets: long enough for its payment page, a day at most (who has not paid by then will not). */
export const CARD_HOLD_MINUTES = { min: SHORTEST_CARD_HOLD_MINUTES, max: 24 * 60 }
export const MAX_TRANSFER_DAYS = 60
const MAX_BANK_DETAILS = 1000
// As migration 0017 sets them for every event before it.
const DEFAULT_CARD_HOLD_MINUTES = 60
const DEFAULT_TRANSFER_DAYS = 7

export interface EventFormValues {
  title: string
  description: string
  venue: string
  startsAt: string
  endsAt: string
  timeZone: string
  imageUrl: string
  capacity: string
  maxTicketsPerBuyer: string
  maxOrdersPerBuyer: string
  allowBuyerCancellation: boolean
  waitingList: boolean
  offerHours: string
  /** The ways to pay that are ticked, in the order the buy form lists them. */
  paymentMethods: PaymentMethodId[]
  cardHoldMinutes: string
  transferDays: string
  bankDetails: string
  staffMaySell: boolean
  deskIgnoresSalesWindows: boolean
  /** Edit form only, when tickets were sold: tell their holders of a change of date, time or venue. */
  notifyTicketHolders: boolean
}

export interface EventInput {
  title: string
  description: string
  venue: string
  startsAt: number
  endsAt: number
  timeZone: string
  imageUrl: string | null
  capacity: number | null
  /** Caps on one buyer (one email address) against bots taking an event: null for none. */
  maxTicketsPerBuyer: number | null
  maxOrdersPerBuyer: number | null
  allowBuyerCancellation: boolean
  /** People may join a sold-out type's waiting list, and are offered freed tickets in turn. */
  waitingList: boolean
  /** How long an offer holds its tickets. */
  offerHours: number
  /** The ways buyers may pay, as the organiser chose them (the buy form offers those the site and the event can). */
  paymentMethods: PaymentMethodId[]
  /** How long an unpaid card order holds its tickets. */
  cardHoldMinutes: number
  /** How many days a buyer has to transfer the money. */
  transferDays: number
  /** What a buyer transfers to, shown on their order page and in their mail. */
  bankDetails: string
  /** Door staff (accounts) may sell at the box office, as the organiser may. */
  staffMaySell: boolean
  /** The box office sells outside the ticket types' sales windows, until the event ends. */
  deskIgnoresSalesWindows: boolean
  /** Not stored: an edit that moves the event tells the buyer of each paid order by mail. */
  notifyTicketHolders: boolean
}

const DEFAULT_OFFER_HOURS = 24
const MAX_OFFER_HOURS = 24 * 14

export function blankEventForm(timeZone: string): EventFormValues {
  return {
    title: '',
    description: '',
    venue: '',
    startsAt: '',
    endsAt: '',
    timeZone,
    imageUrl: '',
    capacity: '',
    maxTicketsPerBuyer: '',
    maxOrdersPerBuyer: '',
    allowBuyerCancellation: true,
    waitingList: false,
    offerHours: String(DEFAULT_OFFER_HOURS),
    // Needs nothing set up: orders are reservations paid at the door.
    paymentMethods: ['at-door'],
    cardHoldMinutes: String(DEFAULT_CARD_HOLD_MINUTES),
    transferDays: String(DEFAULT_TRANSFER_DAYS),
    bankDetails: '',
    staffMaySell: false,
    deskIgnoresSalesWindows: false,
    notifyTicketHolders: false,
  }
}

export function eventFormOf(event: Event): EventFormValues {
  return {
    title: event.title,
    description: event.description,
    venue: event.venue,
    startsAt: instantToLocalInput(event.startsAt, event.timeZone),
    endsAt: instantToLocalInput(event.endsAt, event.timeZone),
    timeZone: event.timeZone,
    imageUrl: event.imageUrl ?? '',
    capacity: event.capacity === null ? '' : String(event.capacity),
    maxTicketsPerBuyer: event.maxTicketsPerBuyer === null ? '' : String(event.maxTicketsPerBuyer),
    maxOrdersPerBuyer: event.maxOrdersPerBuyer === null ? '' : String(event.maxOrdersPerBuyer),
    allowBuyerCancellation: event.allowBuyerCancellation,
    waitingList: event.waitingList,
    offerHours: String(event.offerHours),
    paymentMethods: chosenMethods(event),
    cardHoldMinutes: String(event.cardHoldMinutes),
    transferDays: String(event.transferDays),
    bankDetails: event.bankDetails,
    staffMaySell: event.staffMaySell,
    deskIgnoresSalesWindows: event.deskIgnoresSalesWindows,
    // Ticked until the organiser says otherwise: people with tickets should hear that their event moved.
    notifyTicketHolders: true,
  }
}

/** What the site can offer, which the event form's payment fields depend on. */
export interface SitePayments {
  /** Whether the site has Stripe's keys: without them the card is shown, but cannot be ticked. */
  cardOnSite: boolean
}

/**
 * `existing` is the event being edited: its start may stay in the past (the
 * event may be running), but a start moved now must not be in the past; a
 * scheduled event must still end after it goes on sale.
 */
export function parseEventForm(
  body: unknown,
  now: number,
  t: Translate,
  site: SitePayments,
  existing?: Event,
): Parsed<EventFormValues, EventInput> {
  const form = new FormReader(body)
  const values: EventFormValues = {
    title: form.text('title'),
    description: form.text('description'),
    venue: form.text('venue'),
    startsAt: form.text('startsAt'),
    endsAt: form.text('endsAt'),
    timeZone: form.text('timeZone'),
    imageUrl: form.text('imageUrl'),
    capacity: form.text('capacity'),
    maxTicketsPerBuyer: form.text('maxTicketsPerBuyer'),
    maxOrdersPerBuyer: form.text('maxOrdersPerBuyer'),
    allowBuyerCancellation: form.checkbox('allowBuyerCancellation'),
    waitingList: form.checkbox('waitingList'),
    offerHours: form.text('offerHours'),
    paymentMethods: readPaymentMethods(form, site, existing),
    cardHoldMinutes: form.text('cardHoldMinutes'),
    transferDays: form.text('transferDays'),
    bankDetails: form.text('bankDetails'),
    staffMaySell: form.checkbox('staffMaySell'),
    deskIgnoresSalesWindows: form.checkbox('deskIgnoresSalesWindows'),
    notifyTicketHolders: form.checkbox('notifyTicketHolders'),
  }
  requireText(form, t, 'title', values.title, 'organiser.eventForm.error.titleMissing', MAX_TEXT)
  if (values.description.length > MAX_DESCRIPTION)
    form.fail('description', t('organiser.eventForm.error.tooLong', { max: MAX_DESCRIPTION }))
  requireText(form, t, 'venue', values.venue, 'organiser.eventForm.error.venueMissing', MAX_TEXT)

  const timeZoneOk = isValidTimeZone(values.timeZone)
  if (!timeZoneOk) form.fail('timeZone', t('organiser.eventForm.error.timeZone'))
  // Without a valid time zone the date-times cannot be read; the time zone's message says what to fix.
  const startsAt = timeZoneOk
    ? readDateTime(form, t, 'startsAt', values.startsAt, values.timeZone, 'organiser.eventForm.error.startsAtMissing')
    : null
  const endsAt = timeZoneOk
    ? readDateTime(form, t, 'endsAt', values.endsAt, values.timeZone, 'organiser.eventForm.error.endsAtMissing')
    : null
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) form.fail('endsAt', t('organiser.eventForm.error.endBeforeStart'))
  // In a new time zone every date keeps its wall time (updateEvent): a start that stays as typed may stay in the past.
  const keptWallTime = (ms: number) => (timeZoneOk ? atSameWallTime(ms, existing!.timeZone, values.timeZone) : ms)
  const startKept = existing !== undefined && (startsAt === existing.startsAt || startsAt === keptWallTime(existing.startsAt))
  if (startsAt !== null && startsAt < now && !startKept) form.fail('startsAt', t('organiser.eventForm.error.startInPast'))
  const scheduledAt =
    existing?.status === 'published' && existing.publishedAt !== null && existing.publishedAt > now ? existing.publishedAt : null
  const goesOnSaleAt = scheduledAt === null ? null : keptWallTime(scheduledAt)
  if (endsAt !== null && goesOnSaleAt !== null && endsAt <= goesOnSaleAt) {
    form.fail('endsAt', t('organiser.eventForm.error.endBeforeSale', { when: formatDateTime(goesOnSaleAt, values.timeZone) }))
  }

  const imageUrl = values.imageUrl === '' ? null : readHttpsUrl(form, t, 'imageUrl', values.imageUrl)
  const capacity = values.capacity === '' ? null : readWholeNumber(form, t, 'capacity', values.capacity, 1, MAX_CAPACITY)
  const maxTicketsPerBuyer =
    values.maxTicketsPerBuyer === '' ? null : readWholeNumber(form, t, 'maxTicketsPerBuyer', values.maxTicketsPerBuyer, 1, MAX_CAPACITY)
  const maxOrdersPerBuyer =
    values.maxOrdersPerBuyer === '' ? null : readWholeNumber(form, t, 'maxOrdersPerBuyer', values.maxOrdersPerBuyer, 1, MAX_CAPACITY)
  const offerHours = readOfferHours(form, t, values, existing)
  const payments = readPayments(form, t, values, site, existing)

  if (!form.ok || startsAt === null || endsAt === null || offerHours === null || payments === null)
    return { values, errors: form.errors, input: null }
  return {
    values,
    errors: form.errors,
    input: {
      title: values.title,
      description: values.description,
      venue: values.venue,
      startsAt,
      endsAt,
      timeZone: values.timeZone,
      imageUrl,
      capacity,
      maxTicketsPerBuyer,
      maxOrdersPerBuyer,
      allowBuyerCancellation: values.allowBuyerCancellation,
      waitingList: values.waitingList,
      offerHours,
      ...payments,
      staffMaySell: values.staffMaySell,
      deskIgnoresSalesWindows: values.deskIgnoresSalesWindows,
      notifyTicketHolders: values.notifyTicketHolders,
    },
  }
}

/**
 * How long an offer holds its tickets: read only while the waiting list is
 * on. With the list off the field is not checked, and what is stored stays
 * for when it is turned on again. A form from before the field existed keeps
 * the default.
 */
function readOfferHours(form: FormReader, t: Translate, values: EventFormValues, existing?: Event): number | null {
  if (!values.waitingList) return existing?.offerHours ?? DEFAULT_OFFER_HOURS
  if (values.offerHours === '') return DEFAULT_OFFER_HOURS
  return readWholeNumber(form, t, 'offerHours', values.offerHours, 1, MAX_OFFER_HOURS)
}

/**
 * The ways to pay as ticked. A card the site cannot take (no Stripe keys) is
 * shown disabled and sends nothing: the event keeps the choice it had, so
 * that an edit while the keys are away does not undo it.
 */
function readPaymentMethods(form: FormReader, site: SitePayments, existing?: Event): PaymentMethodId[] {
  const kept = existing ? chosenMethods(existing) : []
  return PAYMENT_METHOD_IDS.filter((id) => (id === 'card' && !site.cardOnSite ? kept.includes(id) : form.checkbox(`paymentMethod-${id}`)))
}

/**
 * The ways to pay and each one's settings. A method's settings are read only
 * while it is ticked (as the offer hours with the waiting list): otherwise
 * what is stored stays, for when it is ticked again. The bank details are
 * kept as typed either way, and required with the transfer.
 */
function readPayments(
  form: FormReader,
  t: Translate,
  values: EventFormValues,
  site: SitePayments,
  existing?: Event,
): Pick<EventInput, 'paymentMethods' | 'cardHoldMinutes' | 'transferDays' | 'bankDetails'> | null {
  const chosen = new Set(values.paymentMethods)
  let ok = true
  const fail = (name: string, message: string) => {
    form.fail(name, message)
    ok = false
  }
  if (!values.paymentMethods.some((id) => id !== 'card' || site.cardOnSite))
    fail('paymentMethods', t('organiser.eventForm.error.paymentMethodMissing'))
  const cardHoldMinutes =
    chosen.has('card') && site.cardOnSite
      ? readWholeNumberOr(form, t, 'cardHoldMinutes', values.cardHoldMinutes, DEFAULT_CARD_HOLD_MINUTES, CARD_HOLD_MINUTES)
      : (existing?.cardHoldMinutes ?? DEFAULT_CARD_HOLD_MINUTES)
  const transferDays = chosen.has('bank-transfer')
    ? readWholeNumberOr(form, t, 'transferDays', values.transferDays, DEFAULT_TRANSFER_DAYS, { min: 1, max: MAX_TRANSFER_DAYS })
    : (existing?.transferDays ?? DEFAULT_TRANSFER_DAYS)
  if (chosen.has('bank-transfer') && values.bankDetails === '') fail('bankDetails', t('organiser.eventForm.error.bankDetailsMissing'))
  else if (values.bankDetails.length > MAX_BANK_DETAILS)
    fail('bankDetails', t('organiser.eventForm.error.tooLong', { max: MAX_BANK_DETAILS }))
  if (!ok || cardHoldMinutes === null || transferDays === null) return null
  return { paymentMethods: values.paymentMethods, cardHoldMinutes, transferDays, bankDetails: values.bankDetails }
}

/** A whole number within `range`, or `fallback` when the field was left empty. */
function readWholeNumberOr(
  form: FormReader,
  t: Translate,
  name: string,
  value: string,
  fallback: number,
  { min, max }: { min: number; max: number },
): number | null {
  return value === '' ? fallback : readWholeNumber(form, t, name, value, min, max)
}

export interface TicketTypeFormValues {
  name: string
  price: string
  capacity: string
  maxPerOrder: string
  salesStartAt: string
  salesEndAt: string
  allowReentry: boolean
  hidden: boolean
}

export interface TicketTypeInput {
  name: string
  priceMinor: number
  capacity: number
  maxPerOrder: number
  salesStartAt: number | null
  salesEndAt: number | null
  /** 0/1, as stored. */
  allowReentry: number
  /** 0/1: shown and sold only to buyers whose code names it (src/features/codes). */
  hidden: number
}

export function blankTicketTypeForm(): TicketTypeFormValues {
  return { name: '', price: '', capacity: '', maxPerOrder: '10', salesStartAt: '', salesEndAt: '', allowReentry: false, hidden: false }
}

export function ticketTypeFormOf(type: TicketTypeRow, currency: string, timeZone: string): TicketTypeFormValues {
  return {
    name: type.name,
    price: minorToInput(money(type.priceMinor, currency)),
    capacity: String(type.capacity),
    maxPerOrder: String(type.maxPerOrder),
    salesStartAt: type.salesStartAt === null ? '' : instantToLocalInput(type.salesStartAt, timeZone),
    salesEndAt: type.salesEndAt === null ? '' : instantToLocalInput(type.salesEndAt, timeZone),
    allowReentry: type.allowReentry === 1,
    hidden: type.hidden === 1,
  }
}

/**
 * Sales dates are read in the event's time zone, and fall within the event:
 * they start before it ends and end by its end. Prices are read in the site's
 * currency. `existing` is the type being edited: when only its most per order
 * went up, that is what a too-large order is blamed on, not its price.
 */
export function parseTicketTypeForm(
  body: unknown,
  currency: string,
  event: Pick<Event, 'timeZone' | 'endsAt'>,
  t: Translate,
  existing?: TicketTypeRow,
): Parsed<TicketTypeFormValues, TicketTypeInput> {
  const { timeZone } = event
  const form = new FormReader(body)
  const values: TicketTypeFormValues = {
    name: form.text('name'),
    price: form.text('price'),
    capacity: form.text('capacity'),
    maxPerOrder: form.text('maxPerOrder'),
    salesStartAt: form.text('salesStartAt'),
    salesEndAt: form.text('salesEndAt'),
    allowReentry: form.checkbox('allowReentry'),
    hidden: form.checkbox('hidden'),
  }
  requireText(form, t, 'name', values.name, 'organiser.ticketType.error.nameMissing', MAX_TEXT)
  const priceMinor = readPrice(form, t, 'price', values.price, currency)
  const capacity = readWholeNumber(form, t, 'capacity', values.capacity, 0, MAX_CAPACITY)
  const maxPerOrder = readWholeNumber(form, t, 'maxPerOrder', values.maxPerOrder, 1, MAX_PER_ORDER)
  if (priceMinor !== null) refuseOrdersTooLarge(form, t, money(priceMinor, currency), maxPerOrder, existing)
  const salesStartAt =
    values.salesStartAt === ''
      ? null
      : readDateTime(form, t, 'salesStartAt', values.salesStartAt, timeZone, 'organiser.ticketType.error.salesStartMissing')
  const salesEndAt =
    values.salesEndAt === ''
      ? null
      : readDateTime(form, t, 'salesEndAt', values.salesEndAt, timeZone, 'organiser.ticketType.error.salesEndMissing')
  if (salesStartAt !== null && salesEndAt !== null && salesEndAt <= salesStartAt) {
    form.fail('salesEndAt', t('organiser.ticketType.error.salesEndBeforeStart'))
  }
  const ends = formatDateTime(event.endsAt, timeZone)
  if (!salesWithinEvent({ salesStartAt, salesEndAt: null }, event.endsAt)) {
    form.fail('salesStartAt', t('organiser.ticketType.error.salesStartAfterEvent', { ends }))
  }
  if (!salesWithinEvent({ salesStartAt: null, salesEndAt }, event.endsAt)) {
    form.fail('salesEndAt', t('organiser.ticketType.error.salesEndAfterEvent', { ends }))
  }
  if (!form.ok || priceMinor === null || capacity === null || maxPerOrder === null) return { values, errors: form.errors, input: null }
  const allowReentry = values.allowReentry ? 1 : 0
  const hidden = values.hidden ? 1 : 0
  return {
    values,
    errors: form.errors,
    input: { name: values.name, priceMinor, capacity, maxPerOrder, salesStartAt, salesEndAt, allowReentry, hidden },
  }
}

/** The most tickets of one type an order may hold, at their price, must fit what one order may total. */
function refuseOrdersTooLarge(form: FormReader, t: Translate, price: Money, maxPerOrder: number | null, existing?: TicketTypeRow): void {
  const most = mostTicketsAt(price)
  if ((maxPerOrder ?? 1) <= most) return
  if (most < 1 || maxPerOrder === null) {
    form.fail('price', t('organiser.ticketType.error.priceTooHigh', { max: formatMoney(maxOrderTotal(price.currency)) }))
  } else if (price.minor === existing?.priceMinor) {
    form.fail('maxPerOrder', t('organiser.ticketType.error.maxPerOrderAtPrice', { max: most }))
  } else {
    const max = formatMoney(highestPriceFor(maxPerOrder, price.currency))
    form.fail('price', t('organiser.ticketType.error.priceTooHighForOrder', { count: maxPerOrder, max }))
  }
}

export interface PublishFormValues {
  when: 'now' | 'later'
  publishAt: string
}

/** The publish form as the event stands: a scheduled event's set time, else "now". */
export function publishFormOf(event: Pick<Event, 'status' | 'publishedAt' | 'timeZone'>, now: number): PublishFormValues {
  const scheduled = event.status === 'published' && event.publishedAt !== null && event.publishedAt > now
  return scheduled ? { when: 'later', publishAt: instantToLocalInput(event.publishedAt!, event.timeZone) } : { when: 'now', publishAt: '' }
}

/**
 * The publish form: now, or at a date-time in the event's time zone that must
 * be in the future and before the event ends (an event that has ended can no
 * longer go on sale).
 */
export function parsePublishForm(
  body: unknown,
  event: Pick<Event, 'timeZone' | 'endsAt'>,
  now: number,
  t: Translate,
): Parsed<PublishFormValues, { publishedAt: number }> {
  const form = new FormReader(body)
  const values: PublishFormValues = { when: form.text('when') === 'later' ? 'later' : 'now', publishAt: form.text('publishAt') }
  if (values.when === 'now') {
    if (event.endsAt <= now) form.fail('when', t('organiser.publishForm.error.ended'))
    return { values, errors: form.errors, input: form.ok ? { publishedAt: now } : null }
  }
  const publishedAt = readDateTime(form, t, 'publishAt', values.publishAt, event.timeZone, 'organiser.publishForm.error.publishAtMissing')
  if (publishedAt !== null && publishedAt <= now) form.fail('publishAt', t('organiser.publishForm.error.publishAtPast'))
  else if (publishedAt !== null && publishedAt >= event.endsAt) {
    form.fail('publishAt', t('organiser.publishForm.error.publishAtAfterEnd', { ends: formatDateTime(event.endsAt, event.timeZone) }))
  }
  return { values, errors: form.errors, input: form.ok && publishedAt !== null ? { publishedAt } : null }
}

function requireText(form: FormReader, t: Translate, name: string, value: string, missing: MessageKey, max: number): void {
  if (value === '') form.fail(name, t(missing))
  else if (value.length > max) form.fail(name, t('organiser.eventForm.error.tooLong', { max }))
}

function readDateTime(form: FormReader, t: Translate, name: string, value: string, timeZone: string, missing: MessageKey): number | null {
  if (value === '') {
    form.fail(name, t(missing))
    return null
  }
  const instant = localInputToInstant(value, timeZone)
  if (instant === null) form.fail(name, t('organiser.eventForm.error.dateTime'))
  return instant
}

function readWholeNumber(form: FormReader, t: Translate, name: string, value: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    form.fail(name, t('organiser.eventForm.error.wholeNumber', { min, max }))
    return null
  }
  return Number(value)
}

/** "12.50" (or "12,50", or "12") as minor units, read digit by digit so that no float rounding creeps in. */
function readPrice(form: FormReader, t: Translate, name: string, value: string, currency: string): number | null {
  const amount = /\s/.test(value) ? null : parseAmount(value, currency)
  if (amount === null) {
    const digits = Math.round(Math.log10(minorUnitsPerMajor(currency)))
    const example = digits === 0 ? '12' : `12.${'5'.padEnd(digits, '0')}`
    form.fail(name, value === '' ? t('organiser.ticketType.error.priceMissing') : t('organiser.ticketType.error.amount', { example }))
  }
  return amount
}

function readHttpsUrl(form: FormReader, t: Translate, name: string, value: string): string | null {
  let url: URL | null
  try {
    url = new URL(value)
  } catch {
    url = null
  }
  if (!url || url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '' || value.length > MAX_URL) {
    form.fail(name, t('organiser.eventForm.error.httpsUrl'))
    return null
  }
  return url.href
}
