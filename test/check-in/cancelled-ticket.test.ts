import { expect, it } from 'vitest'
import { type Scanner, scanTicket } from '../../src/features/check-in/check-in.service.js'
import { TicketCancellationRefused, cancelTickets } from '../../src/features/orders/ticket-cancellation.js'
import { useTestApp } from '../helpers/app.js'
import { ticketIdsOf } from '../helpers/cancel-tickets.js'
import { slowAdmission } from '../helpers/check-then-act.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { placePaidOrder } from '../helpers/paid-orders.js'
import { createUser } from '../helpers/personas.js'

/**
 * The door and the organiser's cancellation of one ticket of an order, when
 * they meet: a scan that read the ticket standing and writes its admission
 * after the ticket was cancelled lets nobody in (the admission's UPDATE
 * matches only a ticket that stands, under the order's lock the cancellation
 * takes too); a cancellation that meets a ticket let in since its form was
 * read cancels nothing.
 */

describeEachDatabase('a ticket cancelled on its own, at the door', (kind) => {
  const t = useTestApp(kind)

  async function paidOrderOfTwo() {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    const order = await placePaidOrder(t.db, event.id, ticketTypes[0]!.id, { quantity: 2, buyerEmail: 'pair@example.test' })
    const codes = await doorCodesOfOrder(t.db, order.id)
    const ticketIds = await ticketIdsOf(t.db, order.id)
    const secret = (await t.db.selectFrom('events').select('checkInSecret').where('id', '=', event.id).executeTakeFirstOrThrow())
      .checkInSecret
    const scanner: Scanner = { event: { id: event.id, checkInSecret: secret }, actorId: null, actorLabel: 'Gate', paidAtDoor: [] }
    const actor = { userId: organiser.id, label: organiser.email, isAdmin: false, ip: null }
    const cancel = (ticketIds: number[]) =>
      cancelTickets(t.db, { id: order.id, code: order.code, eventId: event.id, buyerEmail: 'pair@example.test', locale: 'en' }, ticketIds, {
        actor,
        siteUrl: 'http://admit-one.test',
        nameOf: (id) => codes[ticketIds.indexOf(id)] ?? String(id),
      })
    return { order, codes, ticketIds, scanner, cancel }
  }

  it('turns away a scan that read the ticket standing and would admit it after it was cancelled', async () => {
    const { codes, ticketIds, scanner, cancel } = await paidOrderOfTwo()
    const scan = scanTicket(
      t.db,
      scanner,
      { code: codes[0]!, nonce: null, gate: 'North', mode: 'entry', scannedAt: null },
      slowAdmission(150),
    )
    // The scan has read the ticket and waits before it writes (a slow network): the organiser cancels it meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await cancel([ticketIds[0]!])).kind).toBe('tickets')

    expect(await scan).toMatchObject({ kind: 'cancelled', alone: true })
    expect(await t.db.selectFrom('checkIns').select('id').execute()).toEqual([])
    const tickets = await t.db
      .selectFrom('tickets')
      .select(['checkedInAt', 'cancelledAt'])
      .where('id', '=', ticketIds[0]!)
      .executeTakeFirstOrThrow()
    expect(tickets.checkedInAt).toBeNull()
    expect(tickets.cancelledAt).not.toBeNull()
  })

  it('cancels nothing when a ticket chosen was let in since: all of them or none', async () => {
    const { order, codes, ticketIds, scanner, cancel } = await paidOrderOfTwo()
    expect((await scanTicket(t.db, scanner, { code: codes[1]!, nonce: null, gate: 'North', mode: 'entry', scannedAt: null })).kind).toBe(
      'admitted',
    )

    const refused = await cancel(ticketIds).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(TicketCancellationRefused)
    expect((refused as TicketCancellationRefused).reason).toEqual({ code: 'checked-in', tickets: [codes[1]] })
    expect(
      await t.db.selectFrom('tickets').select('id').where('orderId', '=', order.id).where('cancelledAt', 'is not', null).execute(),
    ).toEqual([])
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('paid')
    const mails = await t.db.selectFrom('outbox').select('data').where('kind', 'in', ['tickets-cancelled', 'order-cancelled']).execute()
    expect(mails.filter((mail) => (JSON.parse(mail.data) as { orderId: number }).orderId === order.id)).toEqual([])
  })
})
