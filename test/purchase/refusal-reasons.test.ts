import { createHmac } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { type PurchaseRefusal, asPurchaseRefusal, purchaseRefusalText } from '../../src/features/purchase/purchase.refusals.js'
import { refusalCookie } from '../../src/features/purchase/refusal-cookie.js'

describe('purchase refusals', () => {
  it('are plain data, said in the words the pages have always used', () => {
    const cases: [PurchaseRefusal, string][] = [
      [{ code: 'event-sold-out' }, 'This event is sold out.'],
      [{ code: 'event-few-left', left: 1 }, 'Only 1 ticket is left for this event.'],
      [{ code: 'over-order-limit', max: 10 }, 'One order may hold at most 10 tickets.'],
      [
        {
          code: 'ticket-types',
          problems: [
            { code: 'few-left', ticketType: 'Front row', asked: 2, left: 1 },
            { code: 'sales-ended', ticketType: 'Early' },
          ],
        },
        'Front row: you asked for 2, only 1 is left. Early: sales have ended.',
      ],
      [{ code: 'offer-expired' }, 'This offer has expired, and its tickets went back to the waiting list.'],
      [
        { code: 'over-buyer-orders', max: 1 },
        'Each buyer may place at most 1 order for this event, and the email address you gave has reached that.',
      ],
    ]
    for (const [reason, text] of cases) {
      expect(purchaseRefusalText(JSON.parse(JSON.stringify(reason)) as PurchaseRefusal)).toBe(text)
    }
  })

  it('are read back only when they are ours', () => {
    expect(asPurchaseRefusal({ code: 'event-sold-out' })).toEqual({ code: 'event-sold-out' })
    expect(asPurchaseRefusal({ code: 'toString' })).toBeUndefined()
    expect(asPurchaseRefusal('This event is sold out.')).toBeUndefined()
    expect(asPurchaseRefusal(null)).toBeUndefined()
  })
})

describe('the refusal cookie', () => {
  const secret = 'a-test-secret-of-enough-length-0123456789'
  const cookies = refusalCookie(secret)

  function remembered(refusal: Parameters<typeof cookies.remember>[1]): string {
    let value = ''
    cookies.remember({ setCookie: (_name: string, set: string) => (value = set) } as unknown as FastifyReply, refusal)
    return value
  }
  const requestWith = (value: string) => ({ cookies: { admit_one_refusal: value } }) as unknown as FastifyRequest

  it('keeps the reason and its parameters, not a sentence', () => {
    const refusal = {
      eventId: 7,
      reason: { code: 'event-few-left', left: 3 } as const,
      values: { name: 'Sam', email: 's@example.test', quantities: { 1: '4' } },
    }
    const value = remembered(refusal)
    expect(Buffer.from(value.split('.')[0]!, 'base64url').toString()).not.toContain('Only 3')
    expect(cookies.read(requestWith(value))).toEqual(refusal)
  })

  it('keeps the reason, and the first few of its sentences, when the typed values do not fit', () => {
    const problems = Array.from({ length: 30 }, (_, i) => ({ code: 'sold-out' as const, ticketType: `${'Type '.repeat(30)}${i}` }))
    const value = remembered({
      eventId: 7,
      reason: { code: 'ticket-types', problems },
      values: { name: 'x'.repeat(3000), email: '', quantities: {} },
    })
    expect(value.length).toBeLessThan(4000)
    expect(cookies.read(requestWith(value))).toEqual({
      eventId: 7,
      reason: { code: 'ticket-types', problems: problems.slice(0, 5) },
      values: { name: '', email: '', quantities: {} },
    })
  })

  it('ignores a cookie from before reasons, which held the sentence', () => {
    const payload = Buffer.from(
      JSON.stringify({ eventId: 7, message: 'This event is sold out.', values: { name: '', email: '', quantities: {} } }),
    ).toString('base64url')
    const key = createHmac('sha256', secret).update('admit-one refusal cookie').digest()
    const signature = createHmac('sha256', key).update(payload).digest('base64url')
    expect(cookies.read(requestWith(`${payload}.${signature}`))).toBeUndefined()
  })
})
