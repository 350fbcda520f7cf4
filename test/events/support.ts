import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, expect } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { OrderStatus } from '../../src/db/schema.js'
import type { Actor, EventsContext } from '../../src/features/organiser/event.service.js'
import { instantToLocalInput } from '../../src/lib/time.js'
import type { AppHandle } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { type Persona, createUser } from '../helpers/personas.js'

/** Helpers of the organiser tests: the forms as an organiser fills them in, and orders placed straight in the database. */

export const DAY = 24 * 60 * 60 * 1000
export const ZONE = 'Europe/Berlin'

/** A valid event form, starting `daysAhead` days from now in Berlin. */
export function eventFields(overrides: Record<string, string> = {}, daysAhead = 30): Record<string, string> {
  const start = Date.now() + daysAhead * DAY
  return {
    title: 'Autumn Jazz Night',
    description: 'An evening of jazz.\n\nDoors open at 19:00.',
    venue: 'Town Hall, Main Street 1',
    timeZone: ZONE,
    startsAt: instantToLocalInput(start, ZONE),
    endsAt: instantToLocalInput(start + 3 * 60 * 60 * 1000, ZONE),
    imageUrl: '',
    capacity: '',
    allowBuyerCancellation: '1',
    ...overrides,
  }
}

export function ticketTypeFields(overrides: Record<string, string> = {}): Record<string, string> {
  return { name: 'Standard', price: '25.00', capacity: '100', maxPerOrder: '10', salesStartAt: '', salesEndAt: '', ...overrides }
}

export async function loggedIn(browser: TestBrowser, persona: Persona): Promise<TestBrowser> {
  await browser.login(persona.email, persona.password)
  return browser
}

/** The organiser of a test file, created and logged in once before its tests. */
export function useOrganiser(t: AppHandle): { readonly organiser: Persona; readonly browser: TestBrowser } {
  let organiser: Persona | undefined
  let browser: TestBrowser | undefined
  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
    browser = await loggedIn(new TestBrowser(t.app), organiser)
  })
  return {
    get organiser() {
      if (!organiser) throw new Error('the organiser is created in beforeAll')
      return organiser
    },
    get browser() {
      if (!browser) throw new Error('the organiser logs in in beforeAll')
      return browser
    },
  }
}

/**
 * What the event services need to act as this persona: for tests that call a
 * service with what a route read earlier, as a request racing another would.
 */
export function servicesAs(t: AppHandle, persona: Persona): { ctx: EventsContext; actor: Actor } {
  return { ctx: { db: t.db, changes: t.app.eventChanges }, actor: { id: persona.id, email: persona.email, isAdmin: false, ip: null } }
}

export function expectRedirect(response: LightMyRequestResponse, location: string | RegExp): void {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303)
  if (typeof location === 'string') expect(response.headers.location).toBe(location)
  else expect(String(response.headers.location)).toMatch(location)
}

/** Creates a draft through the form; returns its id. */
export async function createDraft(browser: TestBrowser, overrides: Record<string, string> = {}): Promise<number> {
  const response = await browser.submit('/create-event', '/create-event', eventFields(overrides))
  expectRedirect(response, /^\/edit-event\/\d+$/)
  return Number(String(response.headers.location).split('/').pop())
}

export async function addTicketType(browser: TestBrowser, eventId: number, overrides: Record<string, string> = {}): Promise<void> {
  const url = `/events/${eventId}/ticket-types/new`
  expectRedirect(await browser.submit(url, url, ticketTypeFields(overrides)), `/edit-event/${eventId}#ticket-types`)
}

let orderCounter = 0

/**
 * A paid (or cancelled) order with `quantity` tickets of one type, straight in
 * the database, with the sold counters moved as a purchase moves them. Paid in
 * EUR unless told: the site's currency when the tests begin.
 */
export async function placeOrder(
  db: Db,
  eventId: number,
  ticketTypeId: number,
  order: { buyerName?: string; buyerEmail?: string; quantity?: number; status?: OrderStatus; createdAt?: number; currency?: string } = {},
): Promise<{ id: number; code: string }> {
  orderCounter += 1
  const quantity = order.quantity ?? 1
  const status = order.status ?? 'paid'
  const type = await db.selectFrom('ticketTypes').select('priceMinor').where('id', '=', ticketTypeId).executeTakeFirstOrThrow()
  const code = `ORD${process.pid}X${orderCounter}`
  const created = await db
    .insertInto('orders')
    .values({
      code,
      accessKey: `key-${code}`,
      idempotencyKey: `idem-${code}`,
      eventId,
      userId: null,
      buyerName: order.buyerName ?? `Buyer ${orderCounter}`,
      buyerEmail: order.buyerEmail ?? `buyer${orderCounter}@example.test`,
      totalMinor: type.priceMinor * quantity,
      currency: order.currency ?? 'EUR',
      status,
      createdAt: order.createdAt ?? Date.now(),
      cancelledAt: status === 'cancelled' ? Date.now() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (let i = 0; i < quantity; i++) {
    await db
      .insertInto('tickets')
      .values({ orderId: created.id, ticketTypeId, code: `TKT${code}N${i}`, priceMinor: type.priceMinor })
      .execute()
  }
  if (status === 'paid') {
    await db.updateTable('ticketTypes').set((eb) => ({ sold: eb('sold', '+', quantity) })).where('id', '=', ticketTypeId).execute()
    await db.updateTable('events').set((eb) => ({ sold: eb('sold', '+', quantity) })).where('id', '=', eventId).execute()
  }
  return { id: created.id, code }
}

export async function auditActions(db: Db, subjectType: string, subjectId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('auditLog')
    .select('action')
    .where('subjectType', '=', subjectType)
    .where('subjectId', '=', subjectId)
    .orderBy('id')
    .execute()
  return rows.map((row) => row.action)
}
