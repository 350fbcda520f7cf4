import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TicketTypeRow } from '../../db/schema.js'
import type { Event } from '../events/event.model.js'
import { LIVE_PAGE_SCRIPTS } from '../../lib/paths.js'
import { NotFound, idParam } from '../../lib/errors.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { formatDateTime, formatMoney } from '../../lib/format.js'
import { qrSvg } from '../../lib/qr.js'
import { randomSecret } from '../../lib/random.js'
import { siteUrl } from '../../lib/site-url.js'
import { browserTag } from '../../plugins/session.js'
import { normaliseEmail } from '../accounts/user.repository.js'
import { type EventWithTicketTypes, findEvent, findEventWithTicketTypes } from '../events/event.repository.js'
import { toEventView } from '../events/event.view.js'
import { isPublic } from '../events/event.rules.js'
import { cancelOrder, cancellation, cancellationRefusalMessage } from '../orders/cancellation.js'
import { OrderCheckedIn } from '../orders/order.errors.js'
import { ORDER_STATUS_MESSAGES, canMove } from '../orders/order.states.js'
import { type OrderWithTickets, doorCodeOfTicket, findOrderByCode, ordersOfUser } from './order.repository.js'
import { toOrderView } from './order.view.js'
import { ORDER_CODE, accessibleOrder, boughtInThisBrowser } from './order-access.js'
import { buyFormTotal } from './buy.view.js'
import { cancelledEventLiveWords, liveWords } from '../events/event.live-words.js'
import { PriceChanged, PurchaseRefused } from './purchase.errors.js'
import type { ChangedPrice } from '../pricing/cart-pricing.js'
import { money } from '../../lib/money.js'
import { type ParsedPurchaseForm, type PurchaseFormValues, parsePurchaseForm } from './purchase.form.js'
import {
  type CapacityGuard,
  GUARDED,
  type HeldOffer,
  type PaymentChoice,
  placeOrder,
  readForPurchase,
  refuseFromSnapshot,
} from './purchase.service.js'
import { type PurchaseRefusal, purchaseRefusalText } from './purchase.refusals.js'
import { actorOf, auditBy } from '../audit/actor.js'
import { type EntryWithEvent, findOfferByToken, offerRefusal } from '../offers/offers.js'
import { settle } from '../upkeep/settle.js'
import { refusalCookie } from './refusal-cookie.js'
import { NoSeatsTogether, SeatsTaken, seatMapOf, seatsOnMap, takenOf } from '../seating/seating.repository.js'
import { chosenSeats, planSeats } from '../seating/seat-choice.js'
import { seatMapRefusalText } from '../seating/seat-map.refusals.js'
import { toSeatMapView } from '../seating/seat-map.view.js'
import type { Translate } from '../../i18n/translate.js'
import { TooManyAttempts } from '../payments/methods/card.js'
import type { Attempt, NewOrder, PayableOrder } from '../payments/payment-method.js'
import { refundTheRest, refundableOf } from '../payments/refunds.js'
import type { Trx } from '../../db/database.js'
import { asksAnything } from '../questions/question.model.js'
import { eventQuestionsOf } from '../questions/questions.repository.js'
import { type Asked, type OrderDetails, askedOf, detailValuesOf, parseDetails, slotsOf } from '../questions/answers.js'
import { toDetailsView } from '../questions/details.view.js'
import { priceCart, unitPrices } from '../pricing/cart-pricing.js'
import { type Code, codeKey, pricesWithCode, unlockedBy } from '../codes/code.model.js'
import { type CodeRefusal, CodeRefused, codeRefusalText, codeStandsRefusal } from '../codes/code.rules.js'
import { findCodeByText } from '../codes/codes.repository.js'
import { isListed } from '../events/event.rules.js'

const TICKET_CODE = /^[0-9A-Z]{16}$/

export default async function purchaseRoutes(app: FastifyInstance, options: { capacityGuard?: CapacityGuard }) {
  const purchaseLimit = { max: app.config.rateLimits.purchasePerMinute, timeWindow: 60_000 }
  // Another guard only in a concurrency test's control (see CapacityGuard).
  const capacityGuard = options.capacityGuard ?? GUARDED
  const refusals = refusalCookie(app.config.sessionSecret)

  /** A public event and its ticket types, or the same 404 whether it is a draft or does not exist. */
  async function publicEvent(request: FastifyRequest): Promise<EventWithTicketTypes> {
    return onlyPublic(await findEventWithTicketTypes(app.db, idParam(request.params)))
  }
  function onlyPublic<T extends EventWithTicketTypes>(found: T | undefined): T {
    if (!found || !isPublic(found.event)) throw new NotFound()
    return found
  }

  app.get('/buy-tickets/:id', { config: { access: 'anyone' } }, async (request, reply) => {
    let { event, types } = await publicEvent(request)
    // Tickets of an offer that ran out are free again (or offered onward) before the form counts them.
    if (await settle(app.db, event)) ({ event, types } = await publicEvent(request))
    const query = new FormReader(request.query)
    const offer = await offerOfLink(event, query.text('offer'))
    const failure = refusals.read(request)
    const refilled = failure?.eventId === event.id
    const values: PurchaseFormValues = refilled
      ? { ...failure.values, key: randomSecret(18) }
      : offer?.held && offer.entry
        ? {
            name: offer.entry.name,
            email: offer.entry.email,
            quantities: { [offer.held.ticketTypeId]: String(offer.held.quantity) },
            key: randomSecret(18),
          }
        : { name: request.user?.name ?? '', email: request.user?.email ?? '', quantities: {}, key: randomSecret(18) }
    // A code from a link (/buy-tickets/:id?code=…), or the one this buyer had typed: its prices shown at once, or why it cannot be used.
    values.code = refilled ? (failure.values.code ?? '') : query.text('code').slice(0, 100)
    const code = await formCodeOf(event, values.code)
    // Refilled with the name and address this visitor typed (or their offer's, or a code's prices): theirs alone.
    if (refilled || offer || values.code !== '') reply.header('cache-control', 'private, no-store')
    // Before the form is sent, so that a double click sends the same browser twice.
    browserTag(request, reply)
    const settings = await request.siteSettings()
    return renderBuyForm(request, reply, event, types, settings.currency, values, codeErrors(request.t, code), 200, { offer, code })
  })

  /** The code typed on the form (or '' for none), as it stands for this event now: usable, or why not. */
  async function formCodeOf(event: Event, typed: string): Promise<FormCode> {
    if (typed === '') return NO_CODE
    const found = await findCodeByText(app.db, event.id, typed)
    const refusal = codeStandsRefusal(found, Date.now(), event.timeZone)
    return { typed, found, usable: refusal ? null : found!, refusal }
  }

  /**
   * What a waiting-list offer's link (its token, or '' for none) means on this
   * event's form: the offer's hold when it is open, else why not.
   */
  async function offerOfLink(event: Event, token: string): Promise<LinkedOffer | null> {
    if (token === '') return null
    const entry = await findOfferByToken(app.db, token)
    if (!entry || entry.eventId !== event.id) return { token, entry: null, held: null, refusal: { code: 'offer-link-invalid' } }
    const refusal = offerRefusal(entry)
    if (refusal !== null) return { token, entry, held: null, refusal }
    return { token, entry, held: { entryId: entry.id, ticketTypeId: entry.ticketTypeId, quantity: entry.offeredQuantity! }, refusal: null }
  }

  /** The buy form, with what was typed and a message at each field that needs one when it comes back. */
  async function renderBuyForm(
    request: FastifyRequest,
    reply: FastifyReply,
    event: Event,
    types: TicketTypeRow[],
    currency: string,
    values: PurchaseFormValues,
    errors: FieldErrors,
    status: number,
    {
      offer = null,
      justTaken = [],
      code = NO_CODE,
    }: {
      offer?: LinkedOffer | null
      /** Seats ticked on the map that were taken meanwhile. */
      justTaken?: number[]
      /** The code typed, whose prices the form shows when it is usable. */
      code?: FormCode
    } = {},
  ) {
    // Sent back with what the buyer typed: theirs alone.
    if (status !== 200) reply.header('cache-control', 'private, no-store')
    // A seated event's map, with the seats this buyer ticked (and those taken from under them) marked.
    const seats = seatsOnMap(await seatMapOf(app.db, event.id))
    const seating =
      seats.length === 0
        ? null
        : {
            // Each seat's words name its price with the buyer's code.
            map: toSeatMapView(seats, pricedWith(code.usable, types, currency), currency, request.t, {
              chosen: new Set(values.seats ?? []),
              justTaken: new Set(justTaken),
            }),
            seatedTypes: [...new Set(seats.map((seat) => seat.ticketTypeId))],
          }
    const { t } = request
    const view = buyFormView(event, types, currency, t, offer?.held ?? null, code.usable)
    const kept = keptFor(code.usable)
    return reply.render(
      'purchase/buy.eta',
      {
        title: t('purchase.buy.title', { event: event.title }),
        event: view,
        // Live counts on the page, with what this buyer may buy from a hold (an offer's, a reserved code's) counted as left;
        // not on a form showing hidden types, which the live feed leaves out.
        live: {
          follows: unlockedBy(code.usable, types).size === 0,
          held: offer?.held ?? (kept && { ticketTypeId: kept.ticketTypeId, quantity: kept.quantity }),
        },
        code: {
          shown: code.usable?.code ?? '',
          applied: code.usable !== null && code.usable.discount !== 'none' ? code.usable.code : null,
          unlocks: code.usable !== null && unlockedBy(code.usable, types).size > 0,
        },
        offer: offer && {
          token: offer.token,
          open: offer.held !== null,
          refusal: offer.refusal && purchaseRefusalText(reply.request.t, offer.refusal),
          typeId: offer.held?.ticketTypeId ?? 0,
          quantity: offer.held?.quantity ?? 0,
          typeName: offer.entry?.ticketTypeName ?? '',
          expires: offer.entry?.offerExpiresAt ? formatDateTime(offer.entry.offerExpiresAt, event.timeZone) : '',
        },
        values,
        errors,
        seating,
        total: buyFormTotal(view.ticketTypes, values.quantities, seating?.map ?? null, currency, t, request.locale),
        maxTicketsPerOrder: app.config.maxTicketsPerOrder,
        paymentMethods: paymentChoices(event, types, values.payment, t),
        // The form's first step, when a second asks who is coming.
        submit: asksAnything(event) ? t('questions.details.next') : t('purchase.buy.submit'),
        scripts: [...LIVE_PAGE_SCRIPTS, '/public/buy-total.js', ...(seating ? ['/public/seat-map.js'] : [])],
        // A cancelled event's form counts nothing, as its page (browse.routes.ts).
        liveWords: view.cancelled ? cancelledEventLiveWords(t) : liveWords(t, request.locale),
      },
      status,
    )
  }

  /**
   * The buy form's second step, "Who is coming": a name and the questions
   * for each ticket chosen, the order's questions once. The first step's
   * choices ride along in hidden fields, as sent, so that the order placed
   * from here is checked as the first step was.
   */
  function renderDetails(
    request: FastifyRequest,
    reply: FastifyReply,
    event: Event,
    types: TicketTypeRow[],
    form: ParsedPurchaseForm,
    quantities: Map<number, number>,
    asked: Asked,
    context: { currency: string; offer: LinkedOffer | null; code: FormCode },
    errors: FieldErrors,
    status: number,
  ) {
    const { currency, offer, code } = context
    // It holds what the buyer typed: theirs alone.
    reply.header('cache-control', 'private, no-store')
    const { t } = request
    const { values, seen } = form
    const carried = [
      ['key', values.key],
      ['currency', seen.currency],
      ...Object.entries(values.quantities).map(([typeId, typed]) => [`qty_${typeId}`, typed]),
      ...[...seen.prices].map(([typeId, minor]) => [`price_${typeId}`, String(minor)]),
      ...(values.seats ?? []).map((seat) => ['seat', String(seat)]),
      ['name', values.name],
      ['email', values.email],
      ...(values.payment ? [['payment', values.payment]] : []),
      ...(offer?.held ? [['offer', offer.token]] : []),
      ...(values.code ? [['code', values.code]] : []),
      ['codeShown', code.usable?.code ?? ''],
    ].map(([name, value]) => ({ name: name!, value: value! }))
    const priced = priceCart(quantities, unitPrices(types, currency), currency, pricesWithCode(code.usable, types, currency))
    const tickets = [...quantities.values()].reduce((sum, quantity) => sum + quantity, 0)
    return reply.render(
      'purchase/details.eta',
      {
        title: t('questions.details.title', { event: event.title }),
        event: { id: event.id, title: event.title, venue: event.venue, when: formatDateTime(event.startsAt, event.timeZone) },
        carried,
        chosen: [...quantities]
          .filter(([, quantity]) => quantity > 0)
          .sort(([a], [b]) => a - b)
          .map(([typeId, quantity]) => ({ quantity, typeName: types.find((type) => type.id === typeId)?.name ?? '' })),
        total:
          priced.kind === 'priced' ? t('purchase.buy.total', { count: tickets, total: formatMoney(priced.total, request.locale) }) : null,
        buyer: { name: values.name, email: values.email },
        details: toDetailsView(asked, values.details ?? {}, errors, t),
        errors,
      },
      status,
    )
  }

  /** The methods the buy form offers, as radio buttons; none when nothing on sale costs anything. The first is chosen unless the buyer chose. */
  function paymentChoices(event: Event, types: TicketTypeRow[], chosen: string | undefined, t: Translate) {
    if (!types.some((type) => type.priceMinor > 0)) return []
    const offered = app.payments.offeredFor(event)
    const picked = offered.some((method) => method.id === chosen) ? chosen : offered[0]!.id
    return offered.map((method) => ({
      id: method.id,
      label: t(`payments.method.${method.id}`),
      hint: t(`payments.methodHint.${method.id}`, { days: event.transferDays }),
      checked: method.id === picked,
    }))
  }

  app.post('/purchase/:id', { config: { access: 'anyone', rateLimit: purchaseLimit } }, async (request, reply) => {
    const body = new FormReader(request.body)
    // The one read of a purchase (and all of a refusal): the event, its types, and the order of this form's key.
    let snapshot = onlyPublic(await readForPurchase(app.db, idParam(request.params), body.text('key')))
    // Tickets of an offer that ran out go back (and onward) before this purchase is decided on what it read.
    if (await settle(app.db, snapshot.event)) {
      snapshot = onlyPublic(await readForPurchase(app.db, snapshot.event.id, body.text('key')))
    }
    const { event, types } = snapshot
    const offer = await offerOfLink(event, body.text('offer'))
    const typedCode = body.text('code').slice(0, 100)
    const code = await formCodeOf(event, typedCode)
    // What this buyer may choose: the listed types and those their code unlocks (an offer's own type, whatever it is).
    const unlocked = unlockedBy(code.usable, types)
    const choosable = offer?.held ? types : types.filter((type) => isListed(type) || unlocked.has(type.id))
    // A seated type is sold by seat: seats ticked on the map, and its quantity field asks for the best available.
    const { seatedTypes } = snapshot
    const chosen = seatedTypes.size > 0 ? chosenSeats(request.body) : []
    const form = parsePurchaseForm(request.body, choosable, { maxTicketsPerOrder: app.config.maxTicketsPerOrder }, request.t, chosen.length)
    form.values.seats = chosen
    form.values.code = typedCode
    // Names and answers typed on the second step: carried as typed whichever step the form comes back to.
    form.values.details = detailValuesOf(request.body)
    // Asked only when something costs money; a method this event does not offer (now) is refused with the form.
    const offered = app.payments.offeredFor(event)
    form.values.payment = body.text('payment') || offered[0]!.id
    const method = offered.find((candidate) => candidate.id === form.values.payment)
    if (!method && [...form.quantities].some(([typeId]) => (types.find((type) => type.id === typeId)?.priceMinor ?? 0) > 0)) {
      form.errors.payment = request.t('payments.buy.chooseMethod')
    }
    const settings = await request.siteSettings()
    // A code typed, changed or cleared since the prices were shown: the form comes back with the prices it makes (or why it
    // cannot be used), everything typed kept, and nothing is bought before the buyer has seen them.
    if (codeKey(typedCode) !== codeKey(body.text('codeShown'))) {
      const refused = code.refusal !== null
      return renderBuyForm(request, reply, event, types, settings.currency, form.values, codeErrors(request.t, code), refused ? 422 : 200, {
        offer,
        code,
      })
    }
    if (Object.keys(form.errors).length > 0)
      return renderBuyForm(request, reply, event, types, settings.currency, form.values, form.errors, 422, { offer, code })
    const seatRequest = { chosen, best: new Map([...form.quantities].filter(([typeId]) => seatedTypes.has(typeId))) }
    /** The form back (409) with what went wrong with the seats, the ticked seats taken meanwhile marked, the rest kept. */
    const seatsBack = async (errors: FieldErrors) => {
      const taken = await takenOf(app.db, chosen)
      const values = { ...form.values, seats: chosen.filter((id) => !taken.includes(id)), key: randomSecret(18) }
      return renderBuyForm(request, reply, event, types, settings.currency, values, errors, 409, { offer, justTaken: taken, code })
    }

    const showNewPrices = async (changes: ChangedPrice[]) => {
      // Read again: the form shows the prices as they are now (with the code as it is now), to be seen before buying.
      const fresh = await publicEvent(request)
      const currency = (await request.siteSettings()).currency
      const now = await formCodeOf(fresh.event, typedCode)
      return renderBuyForm(
        request,
        reply,
        fresh.event,
        fresh.types,
        currency,
        { ...form.values, key: randomSecret(18) },
        {
          ...priceChangeErrors(changes, pricedWith(now.usable, fresh.types, currency), currency, request.t),
          ...codeErrors(request.t, now),
        },
        409,
        { offer, code: now },
      )
    }
    /** The form back (409) with why the code cannot be used for this order, at the code, the rest kept: with its prices while it stands. */
    const codeRefused = async (reason: CodeRefusal) => {
      const now = await formCodeOf(event, typedCode)
      const values = { ...form.values, key: randomSecret(18) }
      return renderBuyForm(request, reply, event, types, settings.currency, values, { code: codeRefusalText(request.t, reason) }, 409, {
        offer,
        code: now,
      })
    }
    try {
      if (offer && !offer.held) throw new PurchaseRefused(offer.refusal!)
      // Checked on the map as it is now, for the buyer's sake; the purchase checks again under the event's lock.
      const plan = seatedTypes.size > 0 ? await planSeats(app.db, event.id, seatRequest, form.quantities) : undefined
      if (plan?.refusal) return seatsBack({ seats: seatMapRefusalText(request.t, plan.refusal) })
      const deadline = method?.deadlineFor(event, Date.now()) ?? null
      // Paid online: the first attempt is written with the order, and the buyer goes from here straight to the provider's page.
      let opened: { attempt: Attempt; order: NewOrder } | undefined
      const openAttempt = method?.openAttempt
      const begin: PaymentChoice['begin'] =
        openAttempt &&
        (async (trx, placed, now) => {
          opened = { attempt: await openAttempt(trx, placed, now), order: placed }
        })
      const quantities = plan?.quantities ?? form.quantities
      const orderRequest = {
        cart: {
          eventId: event.id,
          quantities,
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
        actor: actorOf(request, form.values.email),
        settings: { currency: settings.currency, maxTicketsPerOrder: app.config.maxTicketsPerOrder, siteUrl: siteUrl(request) },
        channel: offer?.held ? { kind: 'offer-claim' as const, offer: offer.held } : { kind: 'online' as const },
        payment: method ? { method: method.id, deadline, begin } : undefined,
        code: typedCode === '' ? undefined : { found: code.found },
      }
      // What the event asks of these tickets: read only for an event that asks something, and not for a form sent again (its order is shown).
      const asked =
        asksAnything(event) && !snapshot.earlier ? askedOf(await eventQuestionsOf(app.db, event), slotsOf(quantities, types)) : null
      let details: OrderDetails | undefined
      if (asked) {
        const context = { currency: settings.currency, offer, code }
        // The tickets chosen, the buyer goes on to who is coming (or back to change the tickets); the order is placed from that step alone.
        if (body.text('change') !== '')
          return renderBuyForm(request, reply, event, types, settings.currency, form.values, {}, 200, { offer, code })
        // Tickets that cannot be had are refused now, before anyone answers questions for them.
        refuseFromSnapshot(snapshot, orderRequest)
        if (body.text('step') !== 'details') return renderDetails(request, reply, event, types, form, quantities, asked, context, {}, 200)
        const answered = parseDetails(request.body, asked, request.t)
        if (!answered.details) return renderDetails(request, reply, event, types, form, quantities, asked, context, answered.errors, 422)
        details = answered.details
      }
      const order = await placeOrder(app.db, { ...orderRequest, details }, capacityGuard, snapshot)
      if (!order.replayed) {
        app.afterCommit({ eventChanged: event.id, mailQueued: true })
      }
      // The order knows its browser (buyerBrowser): a purchase leaves the session alone.
      refusals.forget(request, reply)
      // The order page is where the buyer comes back to, and where it may be paid again.
      if (order.mustPay && !order.replayed && opened) {
        const payable = { ...opened.order, code: order.code, accessKey: order.accessKey, paymentDeadline: deadline, event }
        return sendToPay(request, reply, { ...payable, buyerEmail: normaliseEmail(form.values.email) }, method!.id, opened.attempt)
      }
      return reply.redirect(`/purchase/success?order=${order.code}`, 303)
    } catch (error) {
      if (error instanceof PriceChanged) return showNewPrices(error.changes)
      if (error instanceof CodeRefused) return codeRefused(error.reason)
      if (error instanceof SeatsTaken) return seatsBack({ seats: seatMapRefusalText(request.t, error.reason) })
      if (error instanceof NoSeatsTogether) return seatsBack({ [`qty_${error.ticketTypeId}`]: seatMapRefusalText(request.t, error.reason) })
      if (!(error instanceof PurchaseRefused)) throw error
      // The names and answers typed are not kept: a cookie holds a few kilobytes.
      const { key: _key, details: _details, ...values } = form.values
      refusals.remember(reply, { eventId: event.id, reason: error.reason, values })
      return reply.redirect('/purchase/fail', 303)
    }
  })

  app.get('/purchase/success', { config: { access: 'anyone' } }, async (request, reply) => {
    const code = (request.query as { order?: unknown }).order
    const found = typeof code === 'string' && ORDER_CODE.test(code) ? await findOrderByCode(app.db, code) : undefined
    if (!found || !boughtInThisBrowser(request, found)) throw new NotFound({ key: 'errors.purchase.noRecentOrder' })
    return renderOrder(request, reply, found, true)
  })

  app.get('/purchase/fail', { config: { access: 'anyone' } }, async (request, reply) => {
    const failure = refusals.read(request)
    if (!failure) return reply.redirect('/attendee', 303)
    const event = await findEvent(app.db, failure.eventId)
    reply.header('cache-control', 'private, no-store')
    return reply.render('purchase/fail.eta', {
      title: request.t('purchase.fail.title'),
      message: purchaseRefusalText(request.t, failure.reason),
      event: event && { id: event.id, title: event.title },
    })
  })

  app.get('/orders/:code', { config: { access: 'anyone' } }, async (request, reply) => {
    let found = await accessibleOrder(app.db, request, (request.query as { key?: unknown }).key)
    // The return from the payment page, and any view of an unpaid order: what Stripe says is applied first, webhook or none.
    // A lapsed order too: a payment made as it lapsed takes its tickets again, or is refunded, even with no webhook.
    let processing = false
    if (canMove(found.order.status, 'paid') && found.order.paymentMethod === 'card') {
      const waiting = await app.payments.confirmWaiting(found.order.id)
      if (waiting.changed) app.afterCommit({ eventChanged: found.event.id, mailQueued: true })
      processing = waiting.processing
      // Read again even when this view changed nothing: the webhook (or another view) may have confirmed it meanwhile.
      found = (await findOrderByCode(app.db, found.order.code))!
    }
    return renderOrder(request, reply, found, false, processing)
  })

  // Pays (again) an unpaid order by card: a new attempt each time, while its hold lasts.
  app.post('/orders/:code/pay', { config: { access: 'anyone', rateLimit: purchaseLimit } }, async (request, reply) => {
    const found = await accessibleOrder(app.db, request, new FormReader(request.body).text('key'))
    const { order } = found
    if (order.status !== 'pending' || order.paymentMethod !== 'card')
      return reply.redirect(`/orders/${order.code}?key=${order.accessKey}`, 303)
    // A page paid meanwhile (the buyer came back another way) is confirmed, and one being processed waits: neither is paid twice.
    const waiting = await app.payments.confirmWaiting(order.id)
    if (waiting.changed) app.afterCommit({ eventChanged: found.event.id, mailQueued: true })
    if (waiting.changed || waiting.processing) return reply.redirect(`/orders/${order.code}?key=${order.accessKey}`, 303)
    const { id, code, accessKey, totalMinor, currency, buyerEmail, paymentDeadline } = order
    return sendToPay(
      request,
      reply,
      { id, code, accessKey, totalMinor, currency, buyerEmail, paymentDeadline, event: found.event },
      order.paymentMethod,
    )
  })

  /** Sends the buyer to pay an unpaid order (the attempt opened with it, or a new one); back to its page, with a word, when the provider cannot be reached. */
  async function sendToPay(request: FastifyRequest, reply: FastifyReply, order: PayableOrder, method: string, opened?: Attempt) {
    const page = `${siteUrl(request)}/orders/${order.code}?key=${order.accessKey}`
    try {
      const started = await app.payments.start(order, method, { paid: page, cancelled: page }, opened)
      if (started) return reply.redirect(started.redirect, 303)
    } catch (error) {
      if (error instanceof TooManyAttempts) reply.flash('error', 'flash.payments.tooManyAttempts')
      else {
        request.log.warn({ err: error, orderId: order.id }, 'payments: the payment page could not be opened')
        reply.flash('error', 'flash.payments.payFailed')
      }
    }
    return reply.redirect(`/orders/${order.code}?key=${order.accessKey}`, 303)
  }

  // Cancelling cannot be undone: the order page links here, and only this page's form cancels.
  app.get('/orders/:code/cancel', { config: { access: 'anyone' } }, async (request, reply) => {
    const found = await accessibleOrder(app.db, request, (request.query as { key?: unknown }).key)
    const { order, event } = found
    if (!cancellation(order, event, found.tickets).allowed) return reply.redirect(`/orders/${order.code}?key=${order.accessKey}`, 303)
    reply.header('cache-control', 'private, no-store')
    return reply.render('purchase/cancel.eta', {
      title: request.t('purchase.cancel.title', { code: order.code }),
      order: {
        code: order.code,
        accessKey: order.accessKey,
        tickets: found.tickets.filter((ticket) => !ticket.cancelled).length,
        seated: found.tickets.some((ticket) => ticket.seat !== null),
        event: { title: event.title, when: formatDateTime(event.startsAt, event.timeZone) },
      },
    })
  })

  app.post('/orders/:code/cancel', { config: { access: 'anyone' } }, async (request, reply) => {
    const key = new FormReader(request.body).text('key')
    const found = await accessibleOrder(app.db, request, key)
    const cancel = cancellation(found.order, found.event, found.tickets)
    if (!cancel.allowed) {
      if (cancel.reason === null) reply.flash('info', 'flash.purchase.alreadyCancelled')
      else {
        const refusal = cancellationRefusalMessage(cancel.reason)
        reply.flash('error', refusal.key, refusal.params)
      }
    } else {
      const audit = {
        ...auditBy(actorOf(request, found.order.buyerEmail)),
        action: 'order.cancelled_by_buyer',
        subjectType: 'order',
        subjectId: found.order.id,
        details: { code: found.order.code, eventId: found.event.id },
      }
      // An open payment page is closed first, so that nobody pays for what is being cancelled; what was paid goes back with it.
      await app.payments.method(found.order.paymentMethod)?.cancelStarted(app.db, found.order.id)
      // A page paid meanwhile (in another tab, with no webhook yet) makes the order paid: it is then cancelled and refunded like any paid order.
      if (found.order.status === 'pending') await app.payments.confirmWaiting(found.order.id)
      const actor = actorOf(request, found.order.buyerEmail)
      const paid = (await refundableOf(app.db, found.order.id)).some((entry) => entry.leftMinor > 0)
      const refund = paid ? (trx: Trx) => refundTheRest(trx, found.order.id, { reason: 'buyer', actor }) : undefined
      const cancelled = await cancelOrder(app.db, found.order, audit, siteUrl(request), refund).catch((error: unknown) => {
        if (error instanceof OrderCheckedIn) return error
        throw error
      })
      if (cancelled instanceof OrderCheckedIn) {
        reply.flash('error', cancellationRefusalMessage({ code: 'checked-in' }).key)
      } else if (cancelled) {
        app.afterCommit({ eventChanged: found.event.id, mailQueued: true })
        reply.flash('success', 'flash.purchase.cancelled')
      } else {
        reply.flash('info', 'flash.purchase.alreadyCancelled')
      }
    }
    return reply.redirect(`/orders/${found.order.code}?key=${found.order.accessKey}`, 303)
  })

  /**
   * A ticket's QR code: its signed door code. Only who knows the ticket's
   * stored code (its order page) can ask for it; it never changes, so the browser keeps it.
   */
  app.get('/tickets/:code/qr.svg', { config: { access: 'anyone' } }, async (request, reply) => {
    const code = (request.params as { code?: string }).code ?? ''
    const doorCode = TICKET_CODE.test(code) ? await doorCodeOfTicket(app.db, code) : undefined
    if (!doorCode) throw new NotFound()
    const svg = await qrSvg(doorCode)
    return reply.type('image/svg+xml').header('cache-control', 'private, max-age=31536000, immutable').send(svg)
  })

  app.get('/my-tickets', { config: { access: 'user' } }, async (request, reply) => {
    const orders = await ordersOfUser(app.db, request.user!.id)
    return reply.render('purchase/my-tickets.eta', {
      title: request.t('purchase.myTickets.title'),
      orders: orders.map((order) => ({
        code: order.code,
        link: `/orders/${order.code}?key=${order.accessKey}`,
        eventTitle: order.eventTitle,
        when: formatDateTime(order.eventStartsAt, order.eventTimeZone),
        tickets: Number(order.ticketCount),
        // Tickets the organiser cancelled, the rest of the order kept: said beside the count of those that stand.
        cancelledTickets:
          Number(order.cancelledTicketCount) === 0
            ? null
            : request.t('purchase.myTickets.cancelledTickets', { count: Number(order.cancelledTicketCount) }),
        status: order.status,
        statusLabel: request.t(ORDER_STATUS_MESSAGES[order.status]),
        // What an unpaid order asks of its buyer: to pay by its deadline, or at the door.
        paymentNote:
          order.status !== 'pending'
            ? null
            : order.paymentDeadline === null
              ? request.t('payments.method.at-door')
              : request.t('payments.myTickets.payBy', { deadline: formatDateTime(order.paymentDeadline, order.eventTimeZone) }),
      })),
    })
  })

  async function renderOrder(
    request: FastifyRequest,
    reply: FastifyReply,
    found: OrderWithTickets,
    justBought: boolean,
    processing = false,
  ) {
    const order = toOrderView(found, siteUrl(request), request.t, { processing })
    // The order page holds personal data and ticket codes: keep it out of shared caches.
    reply.header('cache-control', 'private, no-store')
    return reply.render('purchase/order.eta', { title: request.t('purchase.order.title', { code: order.code }), order, justBought })
  }
}

/** An offer link as the buy form met it: its hold when open, or why it cannot be used (entry null: no such offer here). */
interface LinkedOffer {
  token: string
  entry: EntryWithEvent | null
  held: HeldOffer | null
  refusal: PurchaseRefusal | null
}

/** The code typed on the buy form, as it stands for the event: found or not, usable now (its prices shown), or why not. */
interface FormCode {
  typed: string
  found: Code | undefined
  usable: Code | null
  refusal: CodeRefusal | null
}

const NO_CODE: FormCode = { typed: '', found: undefined, usable: null, refusal: null }

/** Why the code typed cannot be used, at the code field; none when it can (or none was typed). */
function codeErrors(t: Translate, code: FormCode): FieldErrors {
  return code.refusal ? { code: codeRefusalText(t, code.refusal) } : {}
}

/** The event's types as the buyer's code prices them: each at the price of one ticket with it. */
function pricedWith(code: Code | null, types: TicketTypeRow[], currency: string): TicketTypeRow[] {
  if (!code) return types
  const prices = pricesWithCode(code, types, currency)
  return types.map((type) => ({ ...type, priceMinor: prices.get(type.id)!.minor }))
}

/** What a reserved code keeps aside for its holder: of its one type. */
function keptFor(code: Code | null): { ticketTypeId: number; quantity: number } | null {
  return code?.reserved && code.kept > 0 ? { ticketTypeId: code.ticketTypeIds![0]!, quantity: code.kept } : null
}

/**
 * The buy form's event: the types this buyer may buy at the prices their code
 * makes, hidden ones it unlocks among them, and what is held for them (an
 * open offer's tickets, a reserved code's) counted as left for them. An
 * offer's form shows its type alone, at most the held quantity.
 */
function buyFormView(event: Event, types: TicketTypeRow[], currency: string, t: Translate, held: HeldOffer | null, code: Code | null) {
  const holds = [held, keptFor(code)].filter((hold) => hold !== null)
  const mine = (ticketTypeId: number) => holds.reduce((sum, hold) => sum + (hold.ticketTypeId === ticketTypeId ? hold.quantity : 0), 0)
  const shown = held ? types.filter((type) => type.id === held.ticketTypeId) : types
  const view = toEventView(
    { ...event, held: event.held - holds.reduce((sum, hold) => sum + hold.quantity, 0) },
    shown.map((type) => ({ ...type, held: type.held - mine(type.id) })),
    currency,
    t,
    Date.now(),
    { unlocked: held ? new Set([held.ticketTypeId]) : unlockedBy(code, types), prices: pricesWithCode(code, types, currency) },
  )
  if (!held) return view
  return {
    ...view,
    ticketTypes: view.ticketTypes.map((type) => ({ ...type, maxSelectable: Math.min(type.maxSelectable, held.quantity) })),
  }
}

/** A message at each ticket type whose price changed, and one above them all. */
export function priceChangeErrors(changes: ChangedPrice[], types: TicketTypeRow[], currency: string, t: Translate): FieldErrors {
  const errors: FieldErrors = { tickets: t('purchase.form.pricesChanged') }
  for (const change of changes) {
    const type = types.find((candidate) => candidate.id === change.ticketTypeId)
    const now = formatMoney(type ? money(type.priceMinor, currency) : change.now)
    errors[`qty_${change.ticketTypeId}`] =
      change.seen === null ? t('purchase.form.priceNow', { now }) : t('purchase.form.priceNowNot', { now, seen: formatMoney(change.seen) })
  }
  return errors
}
