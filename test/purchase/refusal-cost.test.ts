import { beforeAll, expect, it, vi } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'
import { queriesDuring } from '../helpers/queries.js'

/**
 * In a flash sale most buyers arrive after the last ticket. Their refusal must
 * cost no more than a page view: one read, no transaction, no session row.
 */
describeEachDatabase('a refusal after a sell-out', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
    // The outbox sender's rounds (every 5 s) query the same database: one
    // during the refusal would be counted as the refusal's (it failed a full
    // run once). A refusal wakes no sender, so stopping it hides nothing.
    await t.app.mail.stop()
  })

  async function soldOutWithAWaitingBuyer() {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, { ticketTypes: [{ name: 'Floor', capacity: 5 }] })
    const browser = new TestBrowser(t.app)
    // The buyer opened the form while tickets were left; they went meanwhile.
    await browser.get(`/buy-tickets/${event.id}`)
    await t.db.updateTable('ticketTypes').set({ sold: 5 }).where('id', '=', ticketTypes[0]!.id).execute()
    await t.db.updateTable('events').set({ sold: 5 }).where('id', '=', event.id).execute()
    const fields = { [`qty_${ticketTypes[0]!.id}`]: '1', name: 'Late Buyer', email: 'late@example.test' }
    return { event, browser, fields }
  }

  async function sessionRows() {
    return Number(
      (
        await t.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  }

  it('reads once, opens no transaction and stores no session, yet explains itself', async () => {
    const { event, browser, fields } = await soldOutWithAWaitingBuyer()
    const sessionsBefore = await sessionRows()
    const transactions = vi.spyOn(t.db, 'transaction')
    try {
      const { result: response, queries } = await queriesDuring(t.db, () => browser.post(`/purchase/${event.id}`, fields))
      expect(response.statusCode).toBe(303)
      expect(response.headers.location).toBe('/purchase/fail')
      expect(queries).toHaveLength(1)
      expect(queries[0]!.sql).toMatch(/^select /i)
      expect(transactions).not.toHaveBeenCalled()
    } finally {
      transactions.mockRestore()
    }
    expect(await sessionRows()).toBe(sessionsBefore)
    expect(browser.sessionCookie).toBeUndefined()

    const fail = await browser.get('/purchase/fail')
    expect(fail.body).toContain('Floor is sold out.')
  })

  it('reads no more than a view of the event page', async () => {
    const { event, browser, fields } = await soldOutWithAWaitingBuyer()
    const refusal = await queriesDuring(t.db, () => browser.post(`/purchase/${event.id}`, fields))
    const view = await queriesDuring(t.db, () => browser.get(`/event/${event.id}`))
    expect(view.result.statusCode).toBe(200)
    expect(refusal.queries.length).toBeLessThanOrEqual(view.queries.length)
  })

  it('shows a refusal only from the cookie it signed: an edited one is ignored', async () => {
    const { event, browser, fields } = await soldOutWithAWaitingBuyer()
    await browser.post(`/purchase/${event.id}`, fields)
    const cookie = browser.cookies.get('admit_one_refusal')!
    const [payload, signature] = [cookie.slice(0, cookie.lastIndexOf('.')), cookie.slice(cookie.lastIndexOf('.') + 1)]
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { message: string }
    forged.message = 'Call 0800 123 to pay by phone.'
    browser.cookies.set('admit_one_refusal', `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`)
    const fail = await browser.get('/purchase/fail')
    expect(fail.statusCode).toBe(303)
    expect(fail.headers.location).toBe('/attendee')
  })
})
