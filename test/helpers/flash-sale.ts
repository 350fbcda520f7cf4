import type { Db } from '../../src/db/database.js'

/** One would-be buyer with their own session, CSRF token and form key, as a browser would have them. */
export interface Buyer {
  baseUrl: string
  cookie: string
  csrf: string
  key: string
  /** The form's other hidden fields (currency, the prices shown, a code's), sent back as a browser would. */
  shown: Record<string, string>
  quantity: number
}

export interface SaleOutcome {
  buyer: Buyer
  status: number
  location: string | null
  retryAfter: string | null
  /** The page answered, when it was not a redirect. */
  body: string
}

function cookieFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

export interface BuyerOptions {
  /** The buy page buyer i opens (a waiting-list offer's link, say); the event's buy form unless told. */
  page?: (index: number) => string
  /** How many tickets buyer i buys; 1 to 4 unless told. */
  quantity?: (index: number) => number
}

/** Opens the buy page for each buyer (their session and form), spread over the given servers. */
export async function prepareBuyers(baseUrls: string[], eventId: number, count: number, options: BuyerOptions = {}): Promise<Buyer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const baseUrl = baseUrls[i % baseUrls.length]!
      const response = await fetch(`${baseUrl}${options.page?.(i) ?? `/buy-tickets/${eventId}`}`)
      const html = await response.text()
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
      const key = /name="key" value="([^"]+)"/.exec(html)?.[1]
      if (response.status !== 200 || !csrf || !key) throw new Error(`buy page answered ${response.status} without a form`)
      // The hidden fields, and the code field as a link filled it in (its input has a type between its name and value).
      const shown = Object.fromEntries(
        [...html.matchAll(/name="(currency|offer|code|codeShown|price_\d+)"(?: type="text")? value="([^"]*)"/g)].map((match) => [
          match[1]!,
          match[2]!,
        ]),
      )
      return { baseUrl, cookie: cookieFrom(response), csrf, key, shown, quantity: options.quantity?.(i) ?? (i % 4) + 1 }
    }),
  )
}

/**
 * Every buyer submits at the same moment: all requests are in flight before any answer is read.
 * Each buyer types an address of their own unless `emailOf` says otherwise.
 */
export async function buyAllAtOnce(
  buyers: Buyer[],
  eventId: number,
  ticketTypeId: number,
  emailOf: (index: number) => string = (index) => `buyer${index}@example.test`,
): Promise<SaleOutcome[]> {
  const requests = buyers.map((buyer, i) => {
    const body = new URLSearchParams({
      ...buyer.shown,
      _csrf: buyer.csrf,
      key: buyer.key,
      [`qty_${ticketTypeId}`]: String(buyer.quantity),
      name: `Buyer ${i}`,
      email: emailOf(i),
    })
    return fetch(`${buyer.baseUrl}/purchase/${eventId}`, {
      method: 'POST',
      headers: { cookie: buyer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    })
  })
  const responses = await Promise.all(requests)
  return Promise.all(
    responses.map(async (response, i) => ({
      buyer: buyers[i]!,
      status: response.status,
      location: response.headers.get('location'),
      retryAfter: response.headers.get('retry-after'),
      body: await response.text(),
    })),
  )
}

/** The buyer was sent to their order. */
export function succeeded(outcome: SaleOutcome): boolean {
  return outcome.status === 303 && outcome.location?.startsWith('/purchase/success?order=') === true
}

/** An event's orders, each with the form key that placed it and its number of tickets. */
export async function ordersOf(db: Db, eventId: number) {
  return db
    .selectFrom('orders')
    .leftJoin('tickets', 'tickets.orderId', 'orders.id')
    .select(['orders.id', 'orders.idempotencyKey', (eb) => eb.fn.count<number>('tickets.id').as('tickets')])
    .where('orders.eventId', '=', eventId)
    .groupBy(['orders.id', 'orders.idempotencyKey'])
    .execute()
}

/**
 * Everything that must hold after a flash sale, as a list of broken rules
 * (empty when all hold), so that the control test can show which one breaks.
 */
export async function saleViolations(db: Db, eventId: number, ticketTypeId: number, outcomes: SaleOutcome[]): Promise<string[]> {
  const violations: string[] = []
  const type = await db.selectFrom('ticketTypes').selectAll().where('id', '=', ticketTypeId).executeTakeFirstOrThrow()
  const event = await db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow()
  const ticketRows = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('ticketTypeId', '=', ticketTypeId)
    .executeTakeFirstOrThrow()
  const tickets = Number(ticketRows.count)
  const orders = await ordersOf(db, eventId)

  if (tickets > type.capacity) violations.push(`oversold: ${tickets} tickets for a capacity of ${type.capacity}`)
  if (tickets !== type.capacity) violations.push(`not sold out exactly: ${tickets} of ${type.capacity}`)
  if (type.sold !== tickets) violations.push(`sold counter ${type.sold} differs from ${tickets} ticket rows`)
  if (event.sold !== tickets) violations.push(`event sold counter ${event.sold} differs from ${tickets} ticket rows`)
  const serverErrors = outcomes.filter((outcome) => outcome.status >= 500)
  if (serverErrors.length > 0) violations.push(`${serverErrors.length} responses were 5xx`)
  const winners = outcomes.filter(succeeded)
  const losers = outcomes.filter((outcome) => outcome.status === 303 && outcome.location === '/purchase/fail')
  if (winners.length + losers.length !== outcomes.length) {
    const other = outcomes.find((outcome) => !winners.includes(outcome) && !losers.includes(outcome))
    violations.push(`a response was neither success nor fail: ${other?.status} ${other?.location}`)
  }
  if (orders.length !== winners.length) violations.push(`${orders.length} orders for ${winners.length} successful responses`)
  const placed = await db
    .selectFrom('auditLog')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('action', '=', 'order.placed')
    .where('subjectId', 'in', (eb) => eb.selectFrom('orders').select('id').where('eventId', '=', eventId))
    .executeTakeFirstOrThrow()
  if (Number(placed.count) !== orders.length) violations.push(`${placed.count} order.placed audit entries for ${orders.length} orders`)
  for (const order of orders) {
    const buyer = winners.find((winner) => winner.buyer.key === order.idempotencyKey)?.buyer
    if (!buyer) violations.push(`order ${order.id} belongs to no successful buyer`)
    else if (Number(order.tickets) !== buyer.quantity)
      violations.push(`order ${order.id} has ${order.tickets} tickets, ${buyer.quantity} were bought`)
  }
  return violations
}

/** Each loser's fail page says why, in words. */
export async function failPagesOf(outcomes: SaleOutcome[]): Promise<string[]> {
  const losers = outcomes.filter((outcome) => outcome.location === '/purchase/fail')
  return Promise.all(
    losers.map(async ({ buyer }) => {
      const response = await fetch(`${buyer.baseUrl}/purchase/fail`, { headers: { cookie: buyer.cookie } })
      return response.text()
    }),
  )
}
