import { randomBytes } from 'node:crypto'

/** A buyer as the benchmarks send them: a session, its CSRF token, and the form's fields as shown. */
export interface Buyer {
  cookie: string
  csrf: string
  /** The form's currency and prices, sent back as a browser would. */
  shown: Record<string, string>
}

/**
 * Opens the buy page as a browser would: its session cookie, CSRF token,
 * currency and prices; with `code`, from a link that carries it (its field
 * and the prices it makes).
 */
export async function openBuyPage(base: string, eventId: number, code?: string): Promise<Buyer> {
  const response = await fetch(`${base}/buy-tickets/${eventId}${code ? `?code=${encodeURIComponent(code)}` : ''}`)
  const html = await response.text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!csrf) throw new Error(`the buy page answered ${response.status} without a form`)
  return {
    cookie: response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';')[0])
      .join('; '),
    csrf,
    shown: Object.fromEntries(
      [...html.matchAll(/name="(currency|code|codeShown|price_\d+)"(?: type="text")? value="([^"]*)"/g)].map((match) => [
        match[1]!,
        match[2]!,
      ]),
    ),
  }
}

/**
 * One purchase with a fresh form key, as the buyer's browser would send it,
 * for autocannon: each connection keeps the buyer it was first given.
 * `fields` are the order's own (a quantity, or a ticked seat), read per request.
 */
export function purchaseRequest(eventId: number, nextBuyer: () => Buyer, fields: () => Record<string, string>) {
  return {
    method: 'POST',
    path: `/purchase/${eventId}`,
    setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
      const buyer = (context.buyer ??= nextBuyer()) as Buyer
      request.headers = { 'content-type': 'application/x-www-form-urlencoded', ...(buyer.cookie && { cookie: buyer.cookie }) }
      request.body = new URLSearchParams({
        ...buyer.shown,
        _csrf: buyer.csrf,
        key: randomBytes(18).toString('base64url'),
        ...fields(),
        name: 'Bench Buyer',
        email: 'bench@example.test',
      }).toString()
      return request
    },
  }
}
