import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { TestBrowser } from '../helpers/browser.js'

/** Helpers of the tests of writing to ticket holders: the form as an organiser fills it in. */

/** The message form's fields: every ticket type and everyone at the door unless told. */
export function messageFields(overrides: Record<string, string> = {}): Record<string, string> {
  return { subject: 'Doors open early', body: 'Doors open at 18:00.\nBring your ticket.', audience: 'all', checkIn: 'any', ...overrides }
}

/** Opens the form, then sends it to the preview. */
export async function preview(browser: TestBrowser, eventId: number, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return browser.submit(`/events/${eventId}/messages/new`, `/events/${eventId}/messages/preview`, fields)
}

/** How many the preview says the message goes to. */
export function countOf(previewPage: LightMyRequestResponse): number {
  expect(previewPage.statusCode, previewPage.body.slice(0, 800)).toBe(200)
  const match = /It goes to (\d+) ticket holders?/.exec(previewPage.body)
  if (!match) throw new Error('the preview does not say how many it goes to')
  return Number(match[1])
}

/** Previews, then presses Send with the fields the preview's form carries. */
export async function previewAndSend(browser: TestBrowser, eventId: number, fields: Record<string, string>) {
  const previewed = await preview(browser, eventId, fields)
  expect(previewed.statusCode, previewed.body.slice(0, 800)).toBe(200)
  return browser.post(`/events/${eventId}/messages`)
}

/** The outbox's messages to ticket holders of the event's messages, oldest first. */
export async function holderMails(db: Db, eventId: number) {
  return db
    .selectFrom('outbox')
    .innerJoin('holderMessageRecipients as recipient', 'recipient.outboxId', 'outbox.id')
    .innerJoin('holderMessages as message', 'message.id', 'recipient.messageId')
    .select(['outbox.recipient', 'outbox.state', 'outbox.data', 'recipient.orderId', 'message.id as messageId'])
    .where('message.eventId', '=', eventId)
    .orderBy('outbox.id')
    .execute()
}

export async function messagesOf(db: Db, eventId: number) {
  return db.selectFrom('holderMessages').selectAll().where('eventId', '=', eventId).orderBy('id').execute()
}

/** The outbox's messages to ticket holders, of any event. */
export async function holderOutboxCount(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'holder-message')
    .executeTakeFirstOrThrow()
  return Number(n)
}
