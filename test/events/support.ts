import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { Db } from '../../src/db/database.js'
import type { Actor } from '../../src/features/audit/actor.js'
import type { EventsContext } from '../../src/features/organiser/event.service.js'
import { instantToLocalInput } from '../../src/lib/time.js'
import type { AppHandle } from '../helpers/app.js'
import type { TestBrowser } from '../helpers/browser.js'
import { useLoginAs } from '../helpers/login.js'
import type { Persona } from '../helpers/personas.js'

/** Helpers of the organiser tests: the forms as an organiser fills them in. */

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
    'paymentMethod-at-door': '1',
    ...overrides,
  }
}

export function ticketTypeFields(overrides: Record<string, string> = {}): Record<string, string> {
  return { name: 'Standard', price: '25.00', capacity: '100', maxPerOrder: '10', salesStartAt: '', salesEndAt: '', ...overrides }
}

/**
 * What the event services need to act as this persona: for tests that call a
 * service with what a route read earlier, as a request racing another would.
 */
export function servicesAs(t: AppHandle, persona: Persona): { ctx: EventsContext; actor: Actor } {
  return {
    ctx: { db: t.db, afterCommit: t.app.afterCommit },
    actor: { userId: persona.id, label: persona.email, isAdmin: false, ip: null },
  }
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

/** The details of the first audit entry of `action` about `subjectId`, as the service wrote them. */
export async function auditDetails(db: Db, action: string, subjectId: number): Promise<Record<string, unknown>> {
  const row = await db
    .selectFrom('auditLog')
    .select('details')
    .where('action', '=', action)
    .where('subjectId', '=', subjectId)
    .orderBy('id')
    .executeTakeFirstOrThrow()
  return JSON.parse(row.details) as Record<string, unknown>
}

/**
 * useLoginAs(t, 'organiser') under its old name, for test/purchase/buyer-caps.test.ts:
 * that folder is being restructured elsewhere, and moves to useLoginAs with it.
 */
export function useOrganiser(t: AppHandle): { readonly organiser: Persona; readonly browser: TestBrowser } {
  const me = useLoginAs(t, 'organiser')
  return {
    get organiser() {
      return me.user
    },
    get browser() {
      return me.browser
    },
  }
}
