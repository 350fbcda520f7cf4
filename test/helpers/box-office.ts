import type { Db } from '../../src/db/database.js'
import type { TestBrowser, FormFields } from './browser.js'
import { logInOverHttp } from './login.js'
import type { Persona } from './personas.js'

/**
 * The box office's desk as a test uses it: opens the desk's form (its CSRF
 * token, its key and the prices it shows come with it, as a browser's
 * would) and sends it with the fields given.
 */
export async function sellAtDesk(browser: TestBrowser, eventId: number, fields: FormFields) {
  const page = await browser.get(`/events/${eventId}/box-office`)
  if (page.statusCode !== 200) throw new Error(`the desk answered ${page.statusCode}`)
  return browser.post(`/events/${eventId}/box-office`, fields)
}

/** The order a desk sale answered with (its redirect names it), with its tickets and payments. */
export async function soldOrder(db: Db, location: string | undefined) {
  const code = /\/box-office\/orders\/([0-9A-Z]{10})$/.exec(location ?? '')?.[1]
  if (!code) throw new Error(`not a sale's page: ${location}`)
  const order = await db.selectFrom('orders').selectAll().where('code', '=', code).executeTakeFirstOrThrow()
  const tickets = await db.selectFrom('tickets').selectAll().where('orderId', '=', order.id).orderBy('id').execute()
  const payments = await db.selectFrom('payments').selectAll().where('orderId', '=', order.id).execute()
  return { order, tickets, payments }
}

/** Makes `staff` door staff of the event, by account, as the organiser's form does. */
export async function addDoorStaff(db: Db, eventId: number, staff: Persona, addedBy: number): Promise<void> {
  await db
    .insertInto('doorStaff')
    .values({
      eventId,
      userId: staff.id,
      tokenHash: null,
      label: staff.name,
      createdBy: addedBy,
      createdAt: Date.now(),
      revokedAt: null,
    })
    .execute()
}

/** Lets (or stops) the event's door staff sell at the desk, and the desk sell outside the sales windows. */
export async function setDeskSettings(db: Db, eventId: number, settings: { staffMaySell?: boolean; deskIgnoresSalesWindows?: boolean }) {
  await db
    .updateTable('events')
    .set({
      ...(settings.staffMaySell !== undefined && { staffMaySell: settings.staffMaySell ? 1 : 0 }),
      ...(settings.deskIgnoresSalesWindows !== undefined && { deskIgnoresSalesWindows: settings.deskIgnoresSalesWindows ? 1 : 0 }),
    })
    .where('id', '=', eventId)
    .execute()
}

/** A desk opened over HTTP, as a browser would hold it: its session, the form's CSRF token, key and the prices it showed. */
export interface HttpDesk {
  baseUrl: string
  cookie: string
  fields: Record<string, string>
}

/**
 * Logs `user` in through the login form of a listening server, then opens the
 * event's desk: what a concurrency test's fetch needs to send the desk's form.
 */
export async function openDeskOverHttp(baseUrl: string, user: Persona, eventId: number): Promise<HttpDesk> {
  const desk = `/events/${eventId}/box-office`
  const { cookie } = await logInOverHttp(baseUrl, user, desk)
  const page = await fetch(`${baseUrl}${desk}`, { headers: { cookie } })
  const html = await page.text()
  if (page.status !== 200) throw new Error(`the desk answered ${page.status}`)
  const fields = Object.fromEntries(
    [...html.matchAll(/name="(_csrf|key|currency|price_\d+)" value="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
  )
  return { baseUrl, cookie, fields }
}
