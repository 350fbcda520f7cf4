import { expect } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { TestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { type CardBuyer, showsPaid } from '../helpers/card-payments.js'

/** Helpers of the payment tests that buy through the real forms. */

/** Bank details an event needs before it can offer a transfer. */
export const BANK_DETAILS = 'Concert Hall Ltd, IBAN DE89 3704 0044 0532 0130 00'

/**
 * Orders through the buy form, as a browser with JavaScript off does, paying
 * by `method` (a transfer or at the door: no payment page); the order placed.
 */
export async function orderWith(
  app: TestApp,
  db: Db,
  buy: { eventId: number; ticketTypeId: number; method: string; quantity?: number; email?: string },
): Promise<{ id: number; code: string; accessKey: string; browser: TestBrowser }> {
  const browser = new TestBrowser(app)
  const bought = await browser.submit(`/buy-tickets/${buy.eventId}`, `/purchase/${buy.eventId}`, {
    [`qty_${buy.ticketTypeId}`]: String(buy.quantity ?? 1),
    name: 'Form Buyer',
    email: buy.email ?? `${buy.method}-${Math.random().toString(36).slice(2)}@example.test`,
    payment: buy.method,
  })
  const code = /^\/purchase\/success\?order=([0-9A-Z]{10})$/.exec(bought.headers.location ?? '')?.[1]
  if (bought.statusCode !== 303 || !code) throw new Error(`the purchase answered ${bought.statusCode}: ${bought.body.slice(0, 300)}`)
  const order = await db.selectFrom('orders').select(['id', 'code', 'accessKey']).where('code', '=', code).executeTakeFirstOrThrow()
  return { ...order, browser }
}

/** Back from the payment page to the order page, which confirms the payment: paid. */
export async function returnPaid(buyer: CardBuyer, returnUrl: string): Promise<void> {
  const page = await fetch(returnUrl, { headers: { cookie: buyer.cookie } })
  expect(showsPaid(await page.text())).toBe(true)
}

/** Each order's state, by id. */
export async function statusesOf(db: Db, orderIds: number[]): Promise<string[]> {
  const rows = await db.selectFrom('orders').select(['id', 'status']).where('id', 'in', orderIds).execute()
  return orderIds.map((id) => rows.find((row) => row.id === id)?.status ?? 'missing')
}
