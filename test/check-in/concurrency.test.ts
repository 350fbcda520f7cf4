import { expect, it } from 'vitest'
import { type AdmissionGuard, GUARDED, scanTicket } from '../../src/features/check-in/check-in.service.js'
import type { Db } from '../../src/db/database.js'
import { createStaffLink } from '../../src/features/check-in/door-staff.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { OrderCheckedIn } from '../../src/features/orders/order.errors.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import { describeEachDatabase, type DatabaseKind } from '../helpers/database.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'
import { slowAdmission } from '../helpers/check-then-act.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { payByHand } from '../helpers/paid-orders.js'
import { createUser } from '../helpers/personas.js'

const SCANS = 50

/** A phone at the door: the session a staff link gave it, and the check-in form's CSRF token. */
interface Phone {
  baseUrl: string
  cookie: string
  csrf: string
}

function cookiesOf(response: Response, earlier = ''): string {
  const fresh = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!)
  const names = new Set(fresh.map((cookie) => cookie.split('=')[0]))
  const kept = earlier === '' ? [] : earlier.split('; ').filter((cookie) => !names.has(cookie.split('=')[0]))
  return [...kept, ...fresh].join('; ')
}

/** Opens a staff link, then the check-in page, as a phone's browser would. */
async function openPhone(baseUrl: string, token: string, eventId: number): Promise<Phone> {
  const link = await fetch(`${baseUrl}/door/${token}`, { redirect: 'manual' })
  if (link.status !== 303) throw new Error(`the staff link answered ${link.status}`)
  let cookie = cookiesOf(link)
  const page = await fetch(`${baseUrl}/events/${eventId}/check-in`, { headers: { cookie } })
  const html = await page.text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (page.status !== 200 || !csrf) throw new Error(`the check-in page answered ${page.status} without a form`)
  cookie = cookiesOf(page, cookie)
  return { baseUrl, cookie, csrf }
}

/**
 * Servers on one fresh database, an event with one sold ticket (paid, or
 * `unpaid`: to pay at the door), and two phones with staff links, spread over the servers.
 */
function useDoor(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  return async (instances: number, overrides: ServerOptions = {}, { unpaid = false } = {}) => {
    const { urls, db } = await listen(instances, overrides)
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id)
    const order = await placeOrder(db, event.id, ticketTypes[0]!.id, { buyerName: 'Only Once' })
    if (!unpaid) await payByHand(db, order.id)
    const [code] = await doorCodesOfOrder(db, order.id)
    const change = { event: (await findEvent(db, event.id))!, actor: { userId: owner.id, label: owner.email, isAdmin: false, ip: null } }
    const phones = await Promise.all(
      ['North gate', 'South gate'].map(async (label, i) =>
        openPhone(urls[i % urls.length]!, await createStaffLink(db, change, label), event.id),
      ),
    )
    return { db, eventId: event.id, orderId: order.id, code: code!, phones }
  }
}

/** Every scan is in flight before any answer is read; each has its own nonce, as separate scans do. */
async function scanAllAtOnce(phones: Phone[], eventId: number, code: string): Promise<string[]> {
  const responses = await Promise.all(
    Array.from({ length: SCANS }, (_, i) => {
      const phone = phones[i % phones.length]!
      return fetch(`${phone.baseUrl}/events/${eventId}/check-in`, {
        method: 'POST',
        headers: { cookie: phone.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: phone.csrf, code, nonce: `concurrent-scan-${i}`, gate: `Gate ${i % phones.length}` }),
      })
    }),
  )
  return Promise.all(
    responses.map(async (response) => {
      const html = await response.text()
      return `${response.status} ${/data-scan-answer="([a-z-]+)"/.exec(html)?.[1] ?? 'no answer'}`
    }),
  )
}

function tally(answers: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const answer of answers) counts[answer] = (counts[answer] ?? 0) + 1
  return counts
}

describeEachDatabase(`${SCANS} simultaneous scans of one ticket`, (kind) => {
  const start = useDoor(kind)

  // Each scan waits between its read and its write, in the guarded tests as in the control: only the guard differs.
  const slow = { seams: { admissionGuard: slowAdmission(50) } }

  it('from two staff sessions: one is admitted, every other scan is told it is already checked in', async () => {
    const { db, eventId, code, phones } = await start(1, slow)
    const answers = await scanAllAtOnce(phones, eventId, code)
    expect(tally(answers)).toEqual({ '200 admitted': 1, '200 already': SCANS - 1 })
    expect(await db.selectFrom('checkIns').select('action').execute()).toEqual([{ action: 'in' }])
  })

  it.runIf(kind === 'postgres')('from two staff sessions on two instances of one database: still one admission', async () => {
    const { db, eventId, code, phones } = await start(2, slow)
    expect(new Set(phones.map((phone) => phone.baseUrl)).size).toBe(2)
    const answers = await scanAllAtOnce(phones, eventId, code)
    expect(tally(answers)).toEqual({ '200 admitted': 1, '200 already': SCANS - 1 })
    expect(await db.selectFrom('checkIns').select('action').execute()).toEqual([{ action: 'in' }])
  })

  it('control: admitting on what was read before the write, the same test catches the second admission', async () => {
    const { db, eventId, code, phones } = await start(1, { seams: { admissionGuard: slowAdmission(50, { conditional: false }) } })
    const answers = await scanAllAtOnce(phones, eventId, code)
    expect(tally(answers)['200 admitted']).toBeGreaterThan(1)
    expect((await db.selectFrom('checkIns').select('action').execute()).length).toBeGreaterThan(1)
  })
})

const PRESSES = 20

/** "Paid — let in" pressed PRESSES times at once over the phones, each press its own (its own nonce), every one in flight before any answer is read. */
async function collectAllAtOnce(phones: Phone[], eventId: number, code: string): Promise<string[]> {
  const responses = await Promise.all(
    Array.from({ length: PRESSES }, (_, i) => {
      const phone = phones[i % phones.length]!
      return fetch(`${phone.baseUrl}/events/${eventId}/check-in/collect`, {
        method: 'POST',
        headers: { cookie: phone.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: phone.csrf, code, nonce: `concurrent-collect-${i}`, gate: `Gate ${i % phones.length}` }),
      })
    }),
  )
  return Promise.all(
    responses.map(
      async (response) => `${response.status} ${/data-scan-answer="([a-z-]+)"/.exec(await response.text())?.[1] ?? 'no answer'}`,
    ),
  )
}

/** What paying the order left: its payments, its "paid" mails and audit entries, and the ticket's admissions. */
async function paidOnce(db: Db, orderId: number) {
  const mails = await db.selectFrom('outbox').select('data').where('kind', '=', 'order-paid').execute()
  return {
    status: (await db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status,
    payments: await db
      .selectFrom('payments')
      .select(['method', 'state', 'amountMinor', 'recordedBy'])
      .where('orderId', '=', orderId)
      .execute(),
    mails: mails.filter((mail) => (JSON.parse(mail.data) as { orderId?: number }).orderId === orderId).length,
    audit: (
      await db.selectFrom('auditLog').select('id').where('action', '=', 'order.marked_paid').where('subjectId', '=', orderId).execute()
    ).length,
    checkIns: await db.selectFrom('checkIns').select('action').execute(),
  }
}

describeEachDatabase(`"Paid — let in" pressed ${PRESSES} times at once for an order paid at the door`, (kind) => {
  const start = useDoor(kind)
  const once = {
    status: 'paid',
    payments: [{ method: 'at-door', state: 'paid', amountMinor: 2500, recordedBy: expect.stringMatching(/^(North|South) gate$/) }],
    mails: 1,
    audit: 1,
    checkIns: [{ action: 'in' }],
  }

  // Each press waits between reading the order unpaid and paying it, so that every press reads it unpaid (see AdmissionGuard.beforeWrite).
  const slow = { seams: { admissionGuard: slowAdmission(50) } }

  it('from two staff sessions: the order is paid once (one payment, one mail) and its ticket let in once', async () => {
    const { db, eventId, orderId, code, phones } = await start(1, slow, { unpaid: true })
    const answers = await collectAllAtOnce(phones, eventId, code)
    expect(tally(answers)).toEqual({ '200 admitted': 1, '200 already': PRESSES - 1 })
    expect(await paidOnce(db, orderId)).toEqual(once)
  })

  it.runIf(kind === 'postgres')('from two staff sessions on two instances of one database: still paid once', async () => {
    const { db, eventId, orderId, code, phones } = await start(2, slow, { unpaid: true })
    expect(new Set(phones.map((phone) => phone.baseUrl)).size).toBe(2)
    const answers = await collectAllAtOnce(phones, eventId, code)
    expect(tally(answers)).toEqual({ '200 admitted': 1, '200 already': PRESSES - 1 })
    expect(await paidOnce(db, orderId)).toEqual(once)
  })
})

/** 20 orders of one ticket, each cancelled by its buyer and scanned at the door at the same instant. */
async function cancelWhileScanning(db: Db, eventId: number, guard: AdmissionGuard) {
  const event = (await findEvent(db, eventId))!
  const type = await db.selectFrom('ticketTypes').select('id').where('eventId', '=', eventId).executeTakeFirstOrThrow()
  const orders = []
  for (let i = 0; i < 20; i++) {
    const order = await placeOrder(db, eventId, type.id, { buyerEmail: `race${i}@example.test` })
    await payByHand(db, order.id)
    orders.push(order)
  }
  // The event's door secret was made when the first order's codes were read (useDoor).
  const scanner = {
    event: { id: eventId, checkInSecret: event.checkInSecret },
    actorId: null,
    actorLabel: 'Racer',
    paidAtDoor: ['at-door'],
  }
  const outcomes = await Promise.all(
    orders.map(async (order, i) => {
      const [code] = await doorCodesOfOrder(db, order.id)
      const audit = { actorId: null, actorLabel: `race${i}@example.test`, action: 'order.cancelled_by_buyer' }
      const cancel = () =>
        cancelOrder(
          db,
          { id: order.id, eventId: event.id, buyerEmail: `race${i}@example.test`, locale: 'en' },
          audit,
          'http://admit-one.test',
        )
      const scan = (gapMs: number) =>
        scanTicket(
          db,
          scanner,
          { code: code!, nonce: null, gate: 'Race', mode: 'entry', scannedAt: null },
          gapMs === 0 ? guard : { ...slowAdmission(gapMs), ...guard },
        )
      // Half the scans start first and wait between their read and their write, as over a slow network, so that
      // the cancellation commits in between (SQLite runs one transaction at a time: only such a gap opens the race).
      const [cancelled, answer] =
        i % 2 === 0
          ? await Promise.allSettled([cancel(), scan(0)])
          : await Promise.allSettled([scan(30), cancel()]).then(([scanned, cancelled]) => [cancelled, scanned] as const)
      return { cancelled, answer }
    }),
  )
  const rows = await db
    .selectFrom('orders')
    .innerJoin('tickets', 'tickets.orderId', 'orders.id')
    .select(['orders.status', 'tickets.checkedInAt'])
    .where('orders.eventId', '=', eventId)
    .where('orders.buyerEmail', 'like', 'race%')
    .execute()
  return { rows, outcomes, typeId: type.id }
}

describeEachDatabase('a check-in and the buyer’s cancellation of the same order at the same instant', (kind) => {
  const start = useDoor(kind)

  it('never both: the order is either cancelled with no ticket inside, or paid with its ticket admitted', async () => {
    const { db, eventId } = await start(1)
    const { rows, outcomes, typeId } = await cancelWhileScanning(db, eventId, GUARDED)
    expect(rows).toHaveLength(20)
    expect(rows.filter((row) => row.status === 'cancelled' && row.checkedInAt !== null)).toEqual([])
    for (const { cancelled, answer } of outcomes) {
      const admitted = answer.status === 'fulfilled' && answer.value.kind === 'admitted'
      const wasCancelled = cancelled.status === 'fulfilled' && cancelled.value === true
      expect(admitted !== wasCancelled, 'exactly one of the two won').toBe(true)
      if (!admitted) expect(answer).toMatchObject({ status: 'fulfilled', value: { kind: 'cancelled' } })
      if (!wasCancelled) expect(cancelled.status === 'rejected' && cancelled.reason instanceof OrderCheckedIn).toBe(true)
    }
    const sold = await db.selectFrom('ticketTypes').select('sold').where('id', '=', typeId).executeTakeFirstOrThrow()
    expect(sold.sold).toBe(1 + rows.filter((row) => row.status === 'paid').length)
  })

  it('control: without the order lock, the same test finds a cancelled order with a ticket inside', async () => {
    const { db, eventId } = await start(1)
    const { rows } = await cancelWhileScanning(db, eventId, { ...GUARDED, lockOrder: false })
    expect(rows.filter((row) => row.status === 'cancelled' && row.checkedInAt !== null).length).toBeGreaterThan(0)
  })
})
