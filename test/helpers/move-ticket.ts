import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { TestBrowser } from './browser.js'

/** The organiser's page that moves a ticket of an order to another ticket type. */
export function moveTicketUrl(eventId: number, code: string): string {
  return `/events/${eventId}/orders/${code}/move-ticket`
}

/**
 * The organiser moves a ticket through the real pages, as a browser with
 * JavaScript off: opens the page with the ticket chosen, picks the type, is
 * shown what will happen, and confirms with the page's own hidden fields.
 * Returns the three pages.
 */
export async function moveTicketAsOrganiser(
  browser: TestBrowser,
  eventId: number,
  code: string,
  ticketId: number,
  typeId: number,
): Promise<{ choose: LightMyRequestResponse; review: LightMyRequestResponse; done: LightMyRequestResponse }> {
  const url = moveTicketUrl(eventId, code)
  const choose = await browser.get(`${url}?ticket=${ticketId}`)
  expect(choose.statusCode, choose.body.slice(0, 2000)).toBe(200)
  const review = await browser.post(url, { type: String(typeId) })
  expect(review.statusCode, review.body.slice(0, 3000)).toBe(200)
  expect(review.body).toContain('name="confirm" value="yes"')
  const done = await browser.post(url)
  return { choose, review, done }
}
