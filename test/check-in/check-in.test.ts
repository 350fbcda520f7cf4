import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs, useLoginAs } from '../helpers/login.js'
import { type OrderFixture, placeOrder } from '../helpers/orders.js'
import { payByHand, placePaidOrder } from '../helpers/paid-orders.js'
import { createUser } from '../helpers/personas.js'
import { isSignedBy, parseDoorCode, signDoorCode } from '../../src/lib/door-code.js'
import { redactUrl } from '../../src/lib/log-safety.js'
import { settleAll } from '../../src/features/upkeep/settle.js'
import type { Db } from '../../src/db/database.js'

describe('door codes', () => {
  it('are signed per event, verified without a lookup, and read in any case with stray spaces', () => {
    const code = signDoorCode('secret-a', 12, 345)
    expect(code).toMatch(/^12-345-[0-9A-HJKMNP-TV-Z]{16}$/)
    const parsed = parseDoorCode(` ${code.toLowerCase()} `)!
    expect(parsed).toMatchObject({ eventId: 12, ticketId: 345 })
    expect(isSignedBy(parsed, 'secret-a')).toBe(true)
    expect(isSignedBy(parsed, 'secret-b')).toBe(false)
    // One character changed, or the ticket id changed under the same signature.
    const last = code.at(-1) === '0' ? '1' : '0'
    expect(isSignedBy(parseDoorCode(code.slice(0, -1) + last)!, 'secret-a')).toBe(false)
    expect(isSignedBy(parseDoorCode(code.replace('-345-', '-346-'))!, 'secret-a')).toBe(false)
    for (const junk of ['', 'hello', '12-345', '12-345-SHORT', "1' or '1'='1", `0-1-${'A'.repeat(16)}`])
      expect(parseDoorCode(junk)).toBeNull()
  })
})

/** Every row the door could write, to show that a refused scan wrote none. */
async function doorState(db: Db) {
  return {
    tickets: await db.selectFrom('tickets').select(['id', 'checkedInAt', 'checkedInBy', 'checkedInGate']).orderBy('id').execute(),
    checkIns: await db.selectFrom('checkIns').selectAll().orderBy('id').execute(),
    orders: await db.selectFrom('orders').select(['id', 'status']).orderBy('id').execute(),
  }
}

function answerOf(html: string): string | undefined {
  return /data-scan-answer="([a-z-]+)"/.exec(html)?.[1]
}

describeEachDatabase('the check-in page', (kind) => {
  const t = useTestApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number
  let otherEventId: number
  let ticketTypeId: number
  let reentryTypeId: number

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Night Market',
      ticketTypes: [
        { name: 'Standard', capacity: 100 },
        { name: 'Weekend pass', capacity: 100 },
      ],
    })
    eventId = event.id
    ticketTypeId = ticketTypes[0]!.id
    reentryTypeId = ticketTypes[1]!.id
    await t.db.updateTable('ticketTypes').set({ allowReentry: 1 }).where('id', '=', reentryTypeId).execute()
    otherEventId = (await createEvent(t.db, organiser.user.id, { title: 'Other Night' })).event.id
  })

  async function ticketOf(order: { id: number }) {
    return (await doorCodesOfOrder(t.db, order.id))[0]!
  }

  async function scan(browser: TestBrowser, code: string, fields: Record<string, string> = {}) {
    const page = await browser.get(`/events/${eventId}/check-in`)
    expect(page.statusCode).toBe(200)
    return browser.post(`/events/${eventId}/check-in`, { code, gate: 'North', ...fields })
  }

  /** A phone's queued scans, as public/check-in.js sends them: JSON, with the form's CSRF token in a header. */
  function uploadScans(browser: TestBrowser, payload: string) {
    return t.app.inject({
      method: 'POST',
      url: `/events/${eventId}/check-in/scans`,
      headers: { cookie: browser.cookieHeader(), 'content-type': 'application/json', 'csrf-token': browser.csrfToken! },
      payload,
    })
  }

  it('admits a ticket once: the second scan says when, by whom and at which gate', async () => {
    const order = await placePaidOrder(t.db, eventId, ticketTypeId, { buyerName: 'Ada Lovelace' })
    const code = await ticketOf(order)
    const first = await scan(organiser.browser, code)
    expect(first.statusCode).toBe(200)
    expect(answerOf(first.body)).toBe('admitted')
    expect(first.body).toContain('Ada Lovelace')
    expect(first.body).toContain('Standard')
    const second = await scan(organiser.browser, code.toLowerCase(), { gate: 'South' })
    expect(answerOf(second.body)).toBe('already')
    expect(second.body).toContain(`by ${organiser.user.name} at North`)
    const ticket = await t.db.selectFrom('tickets').selectAll().where('orderId', '=', order.id).executeTakeFirstOrThrow()
    expect(ticket).toMatchObject({ checkedInBy: organiser.user.name, checkedInGate: 'North' })
    expect(await t.db.selectFrom('checkIns').select('action').where('ticketId', '=', ticket.id).execute()).toEqual([{ action: 'in' }])
  })

  it('gives a forged code, another event’s code, a cancelled order’s and a used one each their own answer, and writes nothing', async () => {
    const used = await ticketOf(await placePaidOrder(t.db, eventId, ticketTypeId))
    expect(answerOf((await scan(organiser.browser, used)).body)).toBe('admitted')
    const fresh = await ticketOf(await placeOrder(t.db, eventId, ticketTypeId))
    const forged = fresh.slice(0, -1) + (fresh.at(-1) === '0' ? '1' : '0')
    const otherEvents = await ticketOf(await placeOrder(t.db, otherEventId, (await firstTypeOf(t.db, otherEventId)).id))
    const cancelled = await ticketOf(await placeOrder(t.db, eventId, ticketTypeId, { status: 'cancelled' }))

    const before = await doorState(t.db)
    const answers: Record<string, string | undefined> = {}
    for (const [what, code] of Object.entries({ forged, otherEvents, cancelled, used, garbage: 'not a ticket' })) {
      const response = await scan(organiser.browser, code)
      expect(response.statusCode).toBe(200)
      answers[what] = answerOf(response.body)
    }
    expect(answers).toEqual({ forged: 'unknown', otherEvents: 'wrong-event', cancelled: 'cancelled', used: 'already', garbage: 'unknown' })
    expect(await doorState(t.db)).toEqual(before)
    expect((await scan(organiser.browser, otherEvents)).body).toContain('This ticket is for Other Night')
  })

  it('answers a resent form (the same nonce) with its first answer, and records one check-in', async () => {
    const order = await placePaidOrder(t.db, eventId, ticketTypeId)
    const code = await ticketOf(order)
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const fields = { code, gate: 'North', nonce: 'resent-form-nonce-1' }
    const first = await organiser.browser.post(`/events/${eventId}/check-in`, fields)
    const again = await organiser.browser.post(`/events/${eventId}/check-in`, fields)
    expect([answerOf(first.body), answerOf(again.body)]).toEqual(['admitted', 'admitted'])
    const ticketId = parseDoorCode(code)!.ticketId
    expect(await t.db.selectFrom('checkIns').select('id').where('ticketId', '=', ticketId).execute()).toHaveLength(1)
  })

  it('answers a scan sent again with the ticket as it is now: undone, out, inside again since, or cancelled', async () => {
    const order = await placePaidOrder(t.db, eventId, reentryTypeId, { buyerName: 'Replayed Rita' })
    const code = await ticketOf(order)
    const ticketId = parseDoorCode(code)!.ticketId
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const upload = async (nonce: string, mode = 'entry') => {
      const response = await uploadScans(organiser.browser, JSON.stringify({ scans: [{ code, nonce, gate: 'Queue', mode }] }))
      expect(response.statusCode).toBe(200)
      return (response.json() as { answers: { kind: string; replayed: boolean; lines: string[] }[] }).answers[0]!
    }
    const inside = async () =>
      (await t.db.selectFrom('tickets').select('checkedInAt').where('id', '=', ticketId).executeTakeFirstOrThrow()).checkedInAt
    const actions = async () =>
      (await t.db.selectFrom('checkIns').select('action').where('ticketId', '=', ticketId).orderBy('id').execute()).map((row) => row.action)

    expect(await upload('replay-first-entry')).toMatchObject({ kind: 'admitted', replayed: false })
    expect(await upload('replay-first-entry')).toMatchObject({ kind: 'admitted', replayed: true })
    expect((await organiser.browser.post(`/events/${eventId}/check-ins/${ticketId}/undo`, {})).statusCode).toBe(303)
    const undone = await upload('replay-first-entry')
    expect(undone.kind).toBe('taken-out')
    expect(undone.lines.join(' ')).toContain(`${organiser.user.email} undid that check-in`)
    expect(await inside()).toBeNull()
    expect(await actions()).toEqual(['in', 'undo'])

    expect(await upload('replay-second-entry')).toMatchObject({ kind: 'admitted', replayed: false })
    expect(await upload('replay-first-entry')).toMatchObject({ kind: 'already' })
    expect(await upload('replay-exit', 'exit')).toMatchObject({ kind: 'checked-out', replayed: false })
    const out = await upload('replay-second-entry')
    expect(out.kind).toBe('taken-out')
    expect(out.lines.join(' ')).toContain('they went out')
    expect(await upload('replay-exit', 'exit')).toMatchObject({ kind: 'checked-out', replayed: true })
    expect(await upload('replay-third-entry')).toMatchObject({ kind: 'admitted', replayed: false })
    expect(await upload('replay-exit', 'exit')).toMatchObject({ kind: 'already' })
    expect(await inside()).not.toBeNull()
    expect(await actions()).toEqual(['in', 'undo', 'in', 'out', 'in'])

    await t.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', order.id).execute()
    expect(await upload('replay-third-entry')).toMatchObject({ kind: 'cancelled' })
    expect(await actions()).toEqual(['in', 'undo', 'in', 'out', 'in'])
  })

  it('asks for a code when the field is empty, keeping the gate', async () => {
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const response = await organiser.browser.post(`/events/${eventId}/check-in`, { code: '  ', gate: 'Side door' })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('Scan a ticket’s QR code, or type the code printed under it.')
    expect(response.body).toContain('value="Side door"')
  })

  it('checks out a re-entry ticket and admits it again; refuses to check out a ticket without re-entry', async () => {
    const pass = await ticketOf(await placePaidOrder(t.db, eventId, reentryTypeId))
    const standard = await ticketOf(await placePaidOrder(t.db, eventId, ticketTypeId))
    expect(answerOf((await scan(organiser.browser, pass, { mode: 'exit' })).body)).toBe('not-inside')
    expect(answerOf((await scan(organiser.browser, pass)).body)).toBe('admitted')
    expect(answerOf((await scan(organiser.browser, pass, { mode: 'exit' })).body)).toBe('checked-out')
    expect(answerOf((await scan(organiser.browser, pass)).body)).toBe('admitted')
    expect(answerOf((await scan(organiser.browser, standard)).body)).toBe('admitted')
    expect(answerOf((await scan(organiser.browser, standard, { mode: 'exit' })).body)).toBe('no-reentry')
    const ticketId = parseDoorCode(pass)!.ticketId
    const actions = await t.db.selectFrom('checkIns').select('action').where('ticketId', '=', ticketId).orderBy('id').execute()
    expect(actions.map((row) => row.action)).toEqual(['in', 'out', 'in'])
  })

  it('lets the organiser undo a check-in, audited; the ticket can then be checked in again', async () => {
    const order = await placePaidOrder(t.db, eventId, ticketTypeId, { buyerName: 'Undo Me' })
    const code = await ticketOf(order)
    expect(answerOf((await scan(organiser.browser, code)).body)).toBe('admitted')
    const ticketId = parseDoorCode(code)!.ticketId
    const orders = await organiser.browser.get(`/events/${eventId}/orders?q=${encodeURIComponent('Undo Me')}`)
    expect(orders.body).toContain('Checked in')
    expect(orders.body).toContain(`/events/${eventId}/check-ins/${ticketId}/undo`)
    const undone = await organiser.browser.post(`/events/${eventId}/check-ins/${ticketId}/undo`, { back: `/events/${eventId}/orders` })
    expect(undone.statusCode).toBe(303)
    const ticket = await t.db.selectFrom('tickets').select('checkedInAt').where('id', '=', ticketId).executeTakeFirstOrThrow()
    expect(ticket.checkedInAt).toBeNull()
    const audit = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'ticket.check_in_undone')
      .where('subjectId', '=', ticketId)
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.actorLabel).toBe(organiser.user.email)
    expect(answerOf((await scan(organiser.browser, code)).body)).toBe('admitted')
  })

  it('refuses the buyer’s cancellation once a ticket of the order is checked in', async () => {
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${eventId}`)
    const bought = await buyer.post(`/purchase/${eventId}`, {
      [`qty_${ticketTypeId}`]: '2',
      name: 'Late Canceller',
      email: 'late@example.test',
    })
    expect(bought.statusCode).toBe(303)
    const order = await t.db.selectFrom('orders').selectAll().where('buyerEmail', '=', 'late@example.test').executeTakeFirstOrThrow()
    // Bought to pay at the door, and paid there.
    await payByHand(t.db, order.id)
    expect(answerOf((await scan(organiser.browser, await ticketOf(order))).body)).toBe('admitted')

    const page = await buyer.get(`/orders/${order.code}?key=${order.accessKey}`)
    expect(page.body).toContain('A ticket of this order has been used at the door')
    expect(page.body).not.toContain('Cancel this order…')
    expect(page.body).toContain('status-badge--checked-in')
    const cancel = await buyer.post(`/orders/${order.code}/cancel`, { key: order.accessKey })
    expect(cancel.statusCode).toBe(303)
    const after = await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()
    expect(after.status).toBe('paid')
  })

  it('keeps refusing the cancellation after a re-entry ticket went out again, and allows it once the organiser undid the admission', async () => {
    const order = await placePaidOrder(t.db, eventId, reentryTypeId, { buyerEmail: 'outside@example.test' })
    const code = await ticketOf(order)
    expect(answerOf((await scan(organiser.browser, code)).body)).toBe('admitted')
    expect(answerOf((await scan(organiser.browser, code, { mode: 'exit' })).body)).toBe('checked-out')
    const stored = await t.db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow()
    const buyer = new TestBrowser(t.app)
    const page = await buyer.get(`/orders/${stored.code}?key=${stored.accessKey}`)
    expect(page.body).toContain('A ticket of this order has been used at the door')
    // A form token for this browser, from a page that has a form.
    await buyer.get(`/buy-tickets/${eventId}`)
    expect((await buyer.post(`/orders/${stored.code}/cancel`, { key: stored.accessKey })).statusCode).toBe(303)
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('paid')

    // Let in again by mistake and undone: the undo takes back that admission only; the first one still counts.
    const ticketId = parseDoorCode(code)!.ticketId
    expect(answerOf((await scan(organiser.browser, code)).body)).toBe('admitted')
    await organiser.browser.post(`/events/${eventId}/check-ins/${ticketId}/undo`, {})
    await buyer.post(`/orders/${stored.code}/cancel`, { key: stored.accessKey })
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('paid')
  })

  it('allows the cancellation again once the organiser undid the only admission', async () => {
    const order = await placePaidOrder(t.db, eventId, ticketTypeId, { buyerEmail: 'mistake@example.test' })
    const code = await ticketOf(order)
    expect(answerOf((await scan(organiser.browser, code)).body)).toBe('admitted')
    await organiser.browser.post(`/events/${eventId}/check-ins/${parseDoorCode(code)!.ticketId}/undo`, {})
    const stored = await t.db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow()
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/orders/${stored.code}/cancel?key=${stored.accessKey}`)
    expect((await buyer.post(`/orders/${stored.code}/cancel`, { key: stored.accessKey })).statusCode).toBe(303)
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('cancelled')
  })

  it('answers what a hand-made request can send without a 500: huge ids, control characters, reused nonces, too many scans', async () => {
    const pass = await ticketOf(await placePaidOrder(t.db, eventId, reentryTypeId))
    const other = await ticketOf(await placePaidOrder(t.db, eventId, reentryTypeId))
    for (const code of [`9999999999-1-${'A'.repeat(16)}`, `${eventId}-9999999999-${'A'.repeat(16)}`]) {
      expect(answerOf((await scan(organiser.browser, code)).body)).toBe('unknown')
    }
    const control = await scan(organiser.browser, `${eventId}-1\u0000-x`)
    expect(control.statusCode).toBe(422)
    expect(control.body).toContain('invisible control characters')
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const upload = (payload: string) => uploadScans(organiser.browser, payload)
    const withNul = await upload(JSON.stringify({ scans: [{ code: pass, nonce: 'nul-gate-nonce-1', gate: 'a\u0000b', mode: 'entry' }] }))
    expect(withNul.statusCode).toBe(200)
    expect((withNul.json() as { answers: { kind: string }[] }).answers[0]!.kind).toBe('admitted')
    const gate = await t.db
      .selectFrom('tickets')
      .select('checkedInGate')
      .where('id', '=', parseDoorCode(pass)!.ticketId)
      .executeTakeFirstOrThrow()
    expect(gate.checkedInGate).toBe('Door')
    // The entry's nonce again, for a check-out of another ticket: a new scan all the same.
    expect(answerOf((await scan(organiser.browser, other)).body)).toBe('admitted')
    const exit = await upload(JSON.stringify({ scans: [{ code: other, nonce: 'nul-gate-nonce-1', gate: 'Out', mode: 'exit' }] }))
    expect(exit.statusCode).toBe(200)
    expect((exit.json() as { answers: { kind: string }[] }).answers[0]!.kind).toBe('checked-out')
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ code: pass, nonce: `too-many-nonce-${i}`, mode: 'entry' }))
    expect((await upload(JSON.stringify({ scans: tooMany }))).statusCode).toBe(422)
    expect((await upload('{"scans": [')).statusCode).toBe(400)
  })

  it('takes a queue of scans as JSON with the CSRF token in a header, answering each in order, and refuses it without the token', async () => {
    const inside = await ticketOf(await placePaidOrder(t.db, eventId, ticketTypeId))
    const fresh = await ticketOf(await placePaidOrder(t.db, eventId, ticketTypeId, { buyerName: 'Queued Quinn' }))
    expect(answerOf((await scan(organiser.browser, inside)).body)).toBe('admitted')
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const scans = [
      { code: fresh, nonce: 'queued-nonce-0001', gate: 'Back', mode: 'entry', scannedAt: Date.now() - 60_000 },
      { code: inside, nonce: 'queued-nonce-0002', gate: 'Back', mode: 'entry', scannedAt: Date.now() - 30_000 },
    ]
    const upload = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/events/${eventId}/check-in/scans`,
        headers: { cookie: organiser.browser.cookieHeader(), 'content-type': 'application/json', ...headers },
        payload: JSON.stringify({ scans }),
      })
    expect((await upload({})).statusCode).toBe(403)
    const response = await upload({ 'csrf-token': organiser.browser.csrfToken! })
    expect(response.statusCode).toBe(200)
    const body = response.json() as { answers: { nonce: string; kind: string; lines: string[] }[]; counts: { admitted: number } }
    expect(body.answers.map((answer) => [answer.nonce, answer.kind])).toEqual([
      ['queued-nonce-0001', 'admitted'],
      ['queued-nonce-0002', 'already'],
    ])
    expect(body.answers[0]!.lines).toContain('Queued Quinn')
    const again = (await upload({ 'csrf-token': organiser.browser.csrfToken! })).json() as typeof body
    expect(again.answers.map((answer) => answer.kind)).toEqual(['admitted', 'already'])
    const scannedAt = await t.db
      .selectFrom('checkIns')
      .select('scannedAt')
      .where('nonce', '=', 'queued-nonce-0001')
      .executeTakeFirstOrThrow()
    expect(scannedAt.scannedAt).toBe(scans[0]!.scannedAt)
    const malformed = await uploadScans(organiser.browser, JSON.stringify({ scans: 'nope' }))
    expect(malformed.statusCode).toBe(422)
  })

  it('prints a door list of every valid ticket: name, type and door code', async () => {
    const order = await placeOrder(t.db, eventId, ticketTypeId, { buyerName: 'Listed Lin', quantity: 2 })
    const cancelled = await placeOrder(t.db, eventId, ticketTypeId, { buyerName: 'Gone Gary', status: 'cancelled' })
    const list = await organiser.browser.get(`/events/${eventId}/door-list`)
    expect(list.statusCode).toBe(200)
    for (const code of await doorCodesOfOrder(t.db, order.id)) expect(list.body).toContain(code)
    expect(list.body).toContain('Listed Lin')
    expect(list.body).not.toContain('Gone Gary')
    expect(list.body).not.toContain((await doorCodesOfOrder(t.db, cancelled.id))[0])
  })
})

/** The "Paid — let in" form under an answer that says what to collect: its action and hidden fields. */
function collectFormOf(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form method="post" action="([^"]+)"[^>]*data-collect-form>([\s\S]*?)<\/form>/.exec(html)
  if (!form) return undefined
  const fields: Record<string, string> = {}
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[input[1]!] = input[2]!
  return { action: form[1]!, fields }
}

describeEachDatabase('payment at the door', (kind) => {
  const t = useTestApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number
  let ticketTypeId: number
  let cashier: LoggedIn

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, {
      title: 'Pay Here Gig',
      ticketTypes: [{ name: 'Standard', priceMinor: 2500, capacity: 100 }],
    })
    eventId = event.id
    ticketTypeId = ticketTypes[0]!.id
    const staff = await createUser(t.db, 'attendee', { name: 'Cass Cashier' })
    await organiser.browser.get(`/events/${eventId}/door-staff`)
    expect((await organiser.browser.post(`/events/${eventId}/door-staff`, { email: staff.email })).statusCode).toBe(303)
    cashier = await loginAs(t, staff)
  })

  async function scan(browser: TestBrowser, code: string) {
    await browser.get(`/events/${eventId}/check-in`)
    return browser.post(`/events/${eventId}/check-in`, { code, gate: 'Box office' })
  }

  /** An order of the fixture's, left waiting for its payment by `method` (the fixture's are paid at the door). */
  async function unpaidOrder(method: 'at-door' | 'card' | 'bank-transfer', fixture: OrderFixture = {}) {
    const order = await placeOrder(t.db, eventId, ticketTypeId, fixture)
    if (method !== 'at-door') {
      await t.db
        .updateTable('orders')
        .set({ paymentMethod: method, paymentDeadline: Date.now() + 3_600_000 })
        .where('id', '=', order.id)
        .execute()
    }
    return order
  }

  /** The "your order is paid" mails written for the order. */
  async function paidMailsOf(orderId: number): Promise<number> {
    const mails = await t.db.selectFrom('outbox').select('data').where('kind', '=', 'order-paid').execute()
    return mails.filter((mail) => (JSON.parse(mail.data) as { orderId?: number }).orderId === orderId).length
  }

  async function paymentsOf(orderId: number) {
    return t.db.selectFrom('payments').select(['method', 'state', 'amountMinor', 'recordedBy']).where('orderId', '=', orderId).execute()
  }

  it('refuses a ticket not paid yet by card or transfer, and one whose order expired unpaid, each with its reason, writing nothing', async () => {
    const card = await doorCodesOfOrder(t.db, (await unpaidOrder('card')).id)
    const transfer = await doorCodesOfOrder(t.db, (await unpaidOrder('bank-transfer')).id)
    const lapsing = await unpaidOrder('bank-transfer', { buyerName: 'Late Larry' })
    await t.db
      .updateTable('orders')
      .set({ paymentDeadline: Date.now() - 1000 })
      .where('id', '=', lapsing.id)
      .execute()
    await t.db
      .updateTable('events')
      .set({ nextExpiryAt: Date.now() - 1000 })
      .where('id', '=', eventId)
      .execute()
    // The upkeep round's lazy expiry, as the app runs it.
    expect(await settleAll(t.db)).toContain(eventId)
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', lapsing.id).executeTakeFirstOrThrow()).status).toBe('expired')
    const expired = await doorCodesOfOrder(t.db, lapsing.id)

    const before = await doorState(t.db)
    const answers = []
    for (const code of [card[0]!, transfer[0]!, expired[0]!]) {
      const response = await scan(organiser.browser, code)
      expect(response.statusCode).toBe(200)
      expect(collectFormOf(response.body)).toBeUndefined()
      answers.push([answerOf(response.body), /scan-answer--([a-z]+)/.exec(response.body)?.[1]])
      if (code === expired[0]) expect(response.body).toContain('Expired: not paid in time.')
      else expect(response.body).toContain('This order is not paid yet')
    }
    expect(answers).toEqual([
      ['not-paid', 'stop'],
      ['not-paid', 'stop'],
      ['expired', 'stop'],
    ])
    expect(await doorState(t.db)).toEqual(before)
  })

  it('settles before it answers: a transfer past its deadline that the upkeep round has not reached yet is expired at the door, not "not paid"', async () => {
    const lapsing = await unpaidOrder('bank-transfer', { buyerName: 'Lapsed Lena' })
    await t.db
      .updateTable('orders')
      .set({ paymentDeadline: Date.now() - 1000 })
      .where('id', '=', lapsing.id)
      .execute()
    await t.db
      .updateTable('events')
      .set({ nextExpiryAt: Date.now() - 1000 })
      .where('id', '=', eventId)
      .execute()
    const [code] = await doorCodesOfOrder(t.db, lapsing.id)

    const response = await scan(organiser.browser, code!)

    expect(answerOf(response.body)).toBe('expired')
    expect(response.body).toContain('Expired: not paid in time.')
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', lapsing.id).executeTakeFirstOrThrow()).status).toBe('expired')
  })

  it('answers a ticket paid at the door with the whole order’s total to collect; "Paid — let in" records the payment by the door staff, then admits', async () => {
    const order = await unpaidOrder('at-door', { buyerName: 'Pat Payer', quantity: 2 })
    const [first, second] = await doorCodesOfOrder(t.db, order.id)
    const before = await doorState(t.db)
    const asked = await scan(cashier.browser, first!)
    expect(answerOf(asked.body)).toBe('collect')
    expect(asked.body).toContain('scan-answer--look')
    expect(asked.body).toContain(`Collect €50.00 (order ${order.code}) before letting in: it pays for all 2 tickets of the order.`)
    expect(asked.body).toContain('Pat Payer')
    expect(await doorState(t.db)).toEqual(before)
    expect(await paymentsOf(order.id)).toEqual([])

    const form = collectFormOf(asked.body)!
    expect(form.action).toBe(`/events/${eventId}/check-in/collect`)
    expect(form.fields).toMatchObject({ code: first, gate: 'Box office' })
    expect(asked.body).toContain('>Paid — let in</button>')
    const paid = await cashier.browser.post(form.action, form.fields)
    expect(paid.statusCode).toBe(200)
    expect(answerOf(paid.body)).toBe('admitted')

    const stored = await t.db.selectFrom('orders').select(['status', 'paidAt']).where('id', '=', order.id).executeTakeFirstOrThrow()
    expect(stored.status).toBe('paid')
    expect(await paymentsOf(order.id)).toEqual([{ method: 'at-door', state: 'paid', amountMinor: 5000, recordedBy: cashier.user.email }])
    const admitted = await t.db
      .selectFrom('checkIns')
      .select(['action', 'actorLabel', 'gate', 'at'])
      .where('ticketId', '=', parseDoorCode(first!)!.ticketId)
      .execute()
    expect(admitted).toEqual([{ action: 'in', actorLabel: 'Cass Cashier', gate: 'Box office', at: expect.any(Number) }])
    // The payment came first, the admission after it.
    expect(admitted[0]!.at).toBeGreaterThanOrEqual(stored.paidAt!)
    const audit = await t.db
      .selectFrom('auditLog')
      .select(['actorId', 'actorLabel', 'details'])
      .where('action', '=', 'order.marked_paid')
      .where('subjectId', '=', order.id)
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: cashier.user.id, actorLabel: cashier.user.email })
    expect(await paidMailsOf(order.id)).toBe(1)

    // The form sent again: its first answer, and nothing paid twice. The order's other ticket is paid with it.
    expect(answerOf((await cashier.browser.post(form.action, form.fields)).body)).toBe('admitted')
    expect(answerOf((await scan(cashier.browser, second!)).body)).toBe('admitted')
    expect(await paymentsOf(order.id)).toHaveLength(1)
    expect(await paidMailsOf(order.id)).toBe(1)
  })

  it('takes no money at the door for an order cancelled meanwhile, nor for one to be paid by card (a hand-made request)', async () => {
    const cancelled = await unpaidOrder('at-door')
    const [code] = await doorCodesOfOrder(t.db, cancelled.id)
    const form = collectFormOf((await scan(organiser.browser, code!)).body)!
    await t.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', cancelled.id).execute()
    expect(answerOf((await organiser.browser.post(form.action, form.fields)).body)).toBe('cancelled')
    expect(await paymentsOf(cancelled.id)).toEqual([])

    const card = await unpaidOrder('card')
    const [cardCode] = await doorCodesOfOrder(t.db, card.id)
    const forged = await organiser.browser.post(form.action, { ...form.fields, code: cardCode!, nonce: 'hand-made-collect-1' })
    expect(answerOf(forged.body)).toBe('not-paid')
    expect(await paymentsOf(card.id)).toEqual([])
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', card.id).executeTakeFirstOrThrow()).status).toBe('pending')
  })

  it('answers a queued scan of a ticket paid at the door with what to collect, to settle at the desk, and lets nobody in', async () => {
    const order = await unpaidOrder('at-door', { buyerName: 'Offline Olga' })
    const card = await unpaidOrder('card')
    const [code] = await doorCodesOfOrder(t.db, order.id)
    const [cardCode] = await doorCodesOfOrder(t.db, card.id)
    await organiser.browser.get(`/events/${eventId}/check-in`)
    const response = await t.app.inject({
      method: 'POST',
      url: `/events/${eventId}/check-in/scans`,
      headers: { cookie: organiser.browser.cookieHeader(), 'content-type': 'application/json', 'csrf-token': organiser.browser.csrfToken! },
      payload: JSON.stringify({
        scans: [
          { code, nonce: 'offline-collect-1', gate: 'Desk', mode: 'entry', scannedAt: Date.now() - 60_000 },
          { code: cardCode, nonce: 'offline-collect-2', gate: 'Desk', mode: 'entry', scannedAt: Date.now() - 30_000 },
        ],
      }),
    })
    expect(response.statusCode).toBe(200)
    const answers = (response.json() as { answers: { kind: string; tone: string; lines: string[]; collect: unknown }[] }).answers
    expect(answers.map((answer) => answer.kind)).toEqual(['collect', 'not-paid'])
    expect(answers[0]).toMatchObject({ tone: 'look', collect: { code, button: 'Paid — let in' } })
    expect(answers[0]!.lines).toContain(`Collect €25.00 (order ${order.code}) before letting in: it pays for this ticket.`)
    expect(answers[1]!.collect).toBeNull()
    const tickets = await t.db.selectFrom('tickets').select('checkedInAt').where('orderId', 'in', [order.id, card.id]).execute()
    expect(tickets.map((ticket) => ticket.checkedInAt)).toEqual([null, null])
    expect(await paymentsOf(order.id)).toEqual([])
  })

  it('lists each ticket with its payment on the door list, and expects the tickets paid at the door in its counts', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { ticketTypes: [{ name: 'Entry', priceMinor: 1500 }] })
    const type = ticketTypes[0]!.id
    const paid = await placePaidOrder(t.db, event.id, type, { buyerName: 'Paid Paula' })
    const atDoor = await placeOrder(t.db, event.id, type, { buyerName: 'Door Dora', quantity: 2 })
    const card = await placeOrder(t.db, event.id, type, { buyerName: 'Card Carl' })
    await t.db.updateTable('orders').set({ paymentMethod: 'card' }).where('id', '=', card.id).execute()
    await placeOrder(t.db, event.id, type, { buyerName: 'Gone Gina', status: 'cancelled' })

    const list = await organiser.browser.get(`/events/${event.id}/door-list`)
    expect(list.statusCode).toBe(200)
    const rows = [...list.body.matchAll(/<tr><td[^>]*>.*?<\/tr>/g)].map((row) => row[0])
    const paymentOf = (name: string) =>
      rows.filter((row) => row.includes(name)).map((row) => /data-payment>(?:<strong>)?([^<]+)</.exec(row)?.[1])
    expect(paymentOf('Paid Paula')).toEqual(['Paid'])
    expect(paymentOf('Door Dora')).toEqual(['To collect €30.00 for the order', 'To collect €30.00 for the order'])
    expect(paymentOf('Card Carl')).toEqual(['Not paid'])
    expect(rows.some((row) => row.includes('Gone Gina'))).toBe(false)
    for (const code of [...(await doorCodesOfOrder(t.db, paid.id)), ...(await doorCodesOfOrder(t.db, atDoor.id))])
      expect(list.body).toContain(code)

    const page = await organiser.browser.get(`/events/${event.id}/check-in`)
    expect(/data-live-expected>(\d+)</.exec(page.body)?.[1]).toBe('3')
  })
})

describeEachDatabase('door staff', (kind) => {
  const t = useTestApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number
  let otherEventId: number
  let code: string

  beforeAll(async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.user.id, { title: 'Staffed Show' })
    eventId = event.id
    const other = await createUser(t.db, 'organiser')
    otherEventId = (await createEvent(t.db, other.id, { title: 'Someone Else’s Show' })).event.id
    code = (await doorCodesOfOrder(t.db, (await placePaidOrder(t.db, eventId, ticketTypes[0]!.id, { quantity: 3 })).id))[0]!
  })

  it('lets the organiser add an existing account, which then sees this event’s check-in page and no other', async () => {
    const staff = await createUser(t.db, 'attendee', { name: 'Sam Steward' })
    await organiser.browser.get(`/events/${eventId}/door-staff`)
    const unknown = await organiser.browser.post(`/events/${eventId}/door-staff`, { email: 'nobody@example.test' })
    expect(unknown.statusCode).toBe(422)
    expect(unknown.body).toContain('value="nobody@example.test"')
    expect(unknown.body).toContain('There is no active account with this email address')
    expect((await organiser.browser.post(`/events/${eventId}/door-staff`, { email: staff.email.toUpperCase() })).statusCode).toBe(303)

    const door = await loginAs(t, staff)
    expect((await door.browser.get(`/events/${eventId}/check-in`)).statusCode).toBe(200)
    expect((await door.browser.get('/door')).body).toContain('Staffed Show')
    const admitted = await door.browser.post(`/events/${eventId}/check-in`, { code, gate: 'Foyer' })
    expect(answerOf(admitted.body)).toBe('admitted')
    const ticket = await t.db
      .selectFrom('tickets')
      .select(['checkedInBy'])
      .where('id', '=', parseDoorCode(code)!.ticketId)
      .executeTakeFirstOrThrow()
    expect(ticket.checkedInBy).toBe('Sam Steward')

    // Another event's door, its door list and its uploads: as if there were none. Nor the organiser's pages.
    expect((await door.browser.get(`/events/${otherEventId}/check-in`)).statusCode).toBe(404)
    expect((await door.browser.post(`/events/${otherEventId}/check-in`, { code })).statusCode).toBe(404)
    expect((await door.browser.get(`/events/${otherEventId}/door-list`)).statusCode).toBe(404)
    expect((await door.browser.get(`/events/${eventId}/orders`)).statusCode).toBe(403)
    expect((await door.browser.get(`/events/${eventId}/door-staff`)).statusCode).toBe(403)
  })

  it('answers 404 to anonymous visitors and to other organisers', async () => {
    expect((await new TestBrowser(t.app).get(`/events/${eventId}/check-in`)).statusCode).toBe(404)
    const stranger = await loginAs(t, 'organiser')
    expect((await stranger.browser.get(`/events/${eventId}/check-in`)).statusCode).toBe(404)
    expect((await stranger.browser.get(`/events/${eventId}/door-staff`)).statusCode).toBe(404)
  })

  it('makes a staff link that opens this event’s door in any browser, until the organiser revokes it', async () => {
    await organiser.browser.get(`/events/${eventId}/door-staff`)
    const made = await organiser.browser.post(`/events/${eventId}/door-staff/links`, { label: 'North gate phone' })
    expect(made.statusCode).toBe(200)
    const link = /data-staff-link>([^<]+)</.exec(made.body)![1]!
    const path = new URL(link).pathname
    const stored = await t.db.selectFrom('doorStaff').selectAll().where('label', '=', 'North gate phone').executeTakeFirstOrThrow()
    expect(stored.tokenHash).not.toContain(path.split('/').at(-1))

    const phone = new TestBrowser(t.app)
    const opened = await phone.get(path)
    expect(opened.statusCode).toBe(303)
    expect(opened.headers.location).toBe(`/events/${eventId}/check-in`)
    const page = await phone.get(`/events/${eventId}/check-in`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('as North gate phone')
    const second = (await doorCodesOfOrder(t.db, await orderOfTicket(t.db, parseDoorCode(code)!.ticketId)))[1]!
    expect(answerOf((await phone.post(`/events/${eventId}/check-in`, { code: second })).body)).toBe('admitted')
    expect((await phone.get(`/events/${otherEventId}/check-in`)).statusCode).toBe(404)
    expect((await phone.get(`/events/${eventId}/orders`)).statusCode).toBe(303)
    // The door list holds every valid code: not for a link, which may be passed on.
    expect((await phone.get(`/events/${eventId}/door-list`)).statusCode).toBe(404)
    expect(redactUrl(path)).toBe('/door/[redacted]')

    await organiser.browser.get(`/events/${eventId}/door-staff`)
    expect((await organiser.browser.post(`/events/${eventId}/door-staff/${stored.id}/revoke`)).statusCode).toBe(303)
    expect((await phone.get(`/events/${eventId}/check-in`)).statusCode).toBe(404)
    const upload = await t.app.inject({
      method: 'POST',
      url: `/events/${eventId}/check-in/scans`,
      headers: { cookie: phone.cookieHeader(), 'content-type': 'application/json', 'csrf-token': phone.csrfToken! },
      payload: JSON.stringify({ scans: [{ code: second, nonce: 'after-revoke-1', mode: 'entry' }] }),
    })
    expect(upload.statusCode).toBe(404)
    expect((await new TestBrowser(t.app).get(path)).statusCode).toBe(404)
    const audit = await t.db.selectFrom('auditLog').select('action').where('subjectType', '=', 'door_staff').orderBy('id').execute()
    expect(audit.map((row) => row.action)).toEqual(['door_staff.added', 'door_staff.link_created', 'door_staff.revoked'])
  })
})

async function firstTypeOf(db: Db, eventId: number) {
  return db.selectFrom('ticketTypes').select('id').where('eventId', '=', eventId).orderBy('id').executeTakeFirstOrThrow()
}

async function orderOfTicket(db: Db, ticketId: number): Promise<number> {
  return (await db.selectFrom('tickets').select('orderId').where('id', '=', ticketId).executeTakeFirstOrThrow()).orderId
}
