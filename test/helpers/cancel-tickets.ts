import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { TestBrowser } from './browser.js'

/** The organiser's page that cancels some tickets of an order. */
export function cancelTicketsUrl(eventId: number, code: string): string {
  return `/events/${eventId}/orders/${code}/cancel-tickets`
}

/** The form's fields that tick these tickets, and the amount typed (none: the field left empty). */
export function ticking(ticketIds: number[], amount = ''): Record<string, string> {
  return { ...Object.fromEntries(ticketIds.map((id) => [`ticket_${id}`, 'yes'])), amount }
}

/**
 * The organiser cancels some tickets of an order through the real pages, as a
 * browser with JavaScript off: opens the form, ticks them (and types the
 * amount), is shown what will happen, and confirms with the page's own
 * hidden fields. Returns the page that asked to confirm and the confirming answer.
 */
export async function cancelTicketsAsOrganiser(
  browser: TestBrowser,
  eventId: number,
  code: string,
  ticketIds: number[],
  amount = '',
): Promise<{ review: LightMyRequestResponse; done: LightMyRequestResponse }> {
  const url = cancelTicketsUrl(eventId, code)
  const review = await browser.submit(url, url, ticking(ticketIds, amount))
  expect(review.statusCode, review.body.slice(0, 2000)).toBe(200)
  expect(review.body).toContain('name="confirm" value="yes"')
  const done = await browser.post(url)
  return { review, done }
}

/** The ids of the order's tickets, in ticket order. */
export async function ticketIdsOf(db: Db, orderId: number): Promise<number[]> {
  const rows = await db.selectFrom('tickets').select('id').where('orderId', '=', orderId).orderBy('id').execute()
  return rows.map((row) => row.id)
}

/** The order's tickets cancelled on their own, by id. */
export async function cancelledTicketsOf(db: Db, orderId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('tickets')
    .select('id')
    .where('orderId', '=', orderId)
    .where('cancelledAt', 'is not', null)
    .orderBy('id')
    .execute()
  return rows.map((row) => row.id)
}
