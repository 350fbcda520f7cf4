import type { FastifyReply, FastifyRequest } from 'fastify'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { PurchaseFormValues } from './purchase.form.js'
import { type PurchaseRefusal, asPurchaseRefusal } from './purchase.refusals.js'

/** The last refused purchase: for /purchase/fail, and to refill the form. */
export interface Refusal {
  eventId: number
  /** Why, as a reason and its parameters: the fail page says it in words. */
  reason: PurchaseRefusal
  values: Omit<PurchaseFormValues, 'key'>
}

const COOKIE = 'admit_one_refusal'
const MAX_AGE_S = 60 * 60
// Browsers keep about 4 KB a cookie; past this the typed values are left out and only the reason is kept.
const MAX_VALUE_LENGTH = 3500

/**
 * Carries a refusal to the page that explains it in a signed cookie, not in a
 * session row: in a flash sale most buyers are refused, and a refusal should
 * cost no more than a page view, with no write at all. Signed, so that no one
 * can make the site show a refusal of their own; it holds only what this
 * browser's own buyer typed.
 */
export function refusalCookie(secret: string) {
  const key = createHmac('sha256', secret).update('admit-one refusal cookie').digest()
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url')

  return {
    remember(reply: FastifyReply, refusal: Refusal): void {
      let payload = Buffer.from(JSON.stringify(refusal)).toString('base64url')
      if (payload.length > MAX_VALUE_LENGTH) {
        const bare: Refusal = {
          eventId: refusal.eventId,
          // A sentence per ticket type: the first few are reason enough (the message was cut at 1000 characters before reasons).
          reason:
            refusal.reason.code === 'ticket-types' ? { ...refusal.reason, problems: refusal.reason.problems.slice(0, 5) } : refusal.reason,
          values: { name: '', email: '', quantities: {} },
        }
        payload = Buffer.from(JSON.stringify(bare)).toString('base64url')
      }
      reply.setCookie(COOKIE, `${payload}.${sign(payload)}`, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: 'auto',
        maxAge: MAX_AGE_S,
      })
    },

    read(request: FastifyRequest): Refusal | undefined {
      const value = request.cookies[COOKIE]
      const dot = value?.lastIndexOf('.') ?? -1
      if (!value || dot < 1) return undefined
      const payload = value.slice(0, dot)
      const given = Buffer.from(value.slice(dot + 1))
      const expected = Buffer.from(sign(payload))
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
      try {
        return parseRefusal(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')))
      } catch {
        return undefined
      }
    },

    forget(request: FastifyRequest, reply: FastifyReply): void {
      if (request.cookies[COOKIE] !== undefined) reply.clearCookie(COOKIE, { path: '/' })
    },
  }
}

/** What we signed, read back with its shape checked all the same; a cookie from before reasons (a sentence) is none. */
function parseRefusal(value: unknown): Refusal | undefined {
  const { eventId, reason: given, values } = (value ?? {}) as Partial<Refusal>
  const reason = asPurchaseRefusal(given)
  if (typeof eventId !== 'number' || !reason || typeof values !== 'object' || values === null) return undefined
  const quantities = typeof values.quantities === 'object' && values.quantities !== null ? values.quantities : {}
  return {
    eventId,
    reason,
    values: {
      name: typeof values.name === 'string' ? values.name : '',
      email: typeof values.email === 'string' ? values.email : '',
      quantities: Object.fromEntries(Object.entries(quantities).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      ...(typeof values.code === 'string' && { code: values.code }),
    },
  }
}
