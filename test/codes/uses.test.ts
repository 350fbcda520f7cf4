import { expect, it } from 'vitest'
import { CodeRefused } from '../../src/features/codes/code.rules.js'
import { cancelOrder } from '../../src/features/orders/cancellation.js'
import { cancelTickets } from '../../src/features/orders/ticket-cancellation.js'
import { PurchaseRefused } from '../../src/features/purchase/purchase.errors.js'
import { settle } from '../../src/features/upkeep/settle.js'
import { switchCode } from '../../src/features/codes/codes.service.js'
import { cancelEvent } from '../../src/features/organiser/event.service.js'
import { useTestApp } from '../helpers/app.js'
import { lapseDeadline } from '../helpers/card-payments.js'
import { CODE_MAKER, buyWithCode, codeNow, makeCode } from '../helpers/codes.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { payByHand } from '../helpers/paid-orders.js'
import { createUser } from '../helpers/personas.js'

/**
 * A code's uses are counted as tickets are: taken with the order, in its
 * transaction, and given back by whatever gives the order's tickets back (a
 * lapse, a cancellation of the order, or of some of its tickets when each
 * ticket is a use). A reserved code keeps its tickets aside in `held`.
 */

const TRANSFER = { method: 'bank-transfer', deadline: Date.now() + 7 * 24 * 3600_000 }

describeEachDatabase('a code’s uses', (kind) => {
  const t = useTestApp(kind)

  async function anEvent(types: { capacity?: number; priceMinor?: number; hidden?: boolean }[] = [{}], capacity: number | null = null) {
    const owner = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, owner.id, { capacity, ticketTypes: types })
    for (const [i, type] of types.entries()) {
      if (type.hidden) await t.db.updateTable('ticketTypes').set({ hidden: 1 }).where('id', '=', ticketTypes[i]!.id).execute()
    }
    return { event, types: ticketTypes }
  }

  const typeOf = (id: number) => t.db.selectFrom('ticketTypes').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const orderOf = (id: number) => t.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('takes 20 % off each ticket, keeps the price paid on each ticket and counts one use for the order', async () => {
    const { event, types } = await anEvent([{ priceMinor: 2500 }])
    const code = await makeCode(t.db, event.id, 'Summer20', { maxUses: 10 })
    const placed = await buyWithCode(t.db, event.id, 'summer20', [[types[0]!.id, 3]])

    const order = await orderOf(placed.id)
    expect(order.totalMinor).toBe(3 * 2000)
    expect(order.codeId).toBe(code.id)
    const tickets = await t.db.selectFrom('tickets').selectAll().where('orderId', '=', placed.id).execute()
    expect(tickets.map((ticket) => [ticket.priceMinor, ticket.discountMinor, ticket.codeId])).toEqual(
      Array.from({ length: 3 }, () => [2000, 500, code.id]),
    )
    expect((await codeNow(t.db, code)).used).toBe(1)
    const audit = await t.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'order.placed')
      .where('subjectId', '=', placed.id)
      .executeTakeFirstOrThrow()
    expect(JSON.parse(audit.details)).toMatchObject({ code: 'Summer20', discountMinor: 1500 })
  })

  it('counted per ticket, gives back the uses of tickets cancelled on their own, then the rest with the order', async () => {
    const { event, types } = await anEvent([{ priceMinor: 1000 }])
    const code = await makeCode(t.db, event.id, 'PERTICKET', { maxUses: 10, countedPer: 'ticket', discount: 'amount', amount: 300 })
    const placed = await buyWithCode(t.db, event.id, 'perticket', [[types[0]!.id, 4]])
    expect((await codeNow(t.db, code)).used).toBe(4)
    const order = await orderOf(placed.id)
    const ids = (await t.db.selectFrom('tickets').select('id').where('orderId', '=', placed.id).orderBy('id').execute()).map(
      (ticket) => ticket.id,
    )
    await cancelTickets(t.db, order, ids.slice(0, 1), { actor: CODE_MAKER, siteUrl: 'http://admit-one.test', nameOf: String })
    expect((await codeNow(t.db, code)).used).toBe(3)
    await cancelOrder(
      t.db,
      order,
      { actorId: null, actorLabel: 'x', action: 'order.cancelled_by_buyer', subjectType: 'order', subjectId: order.id },
      'http://admit-one.test',
    )
    expect((await codeNow(t.db, code)).used).toBe(0)
  })

  it('counted per order, keeps its use while some tickets stand, and gives it back with the order', async () => {
    const { event, types } = await anEvent([{ priceMinor: 1000 }])
    const code = await makeCode(t.db, event.id, 'PERORDER', { maxUses: 1 })
    const placed = await buyWithCode(t.db, event.id, 'PERORDER', [[types[0]!.id, 2]])
    await expect(buyWithCode(t.db, event.id, 'PERORDER', [[types[0]!.id, 1]])).rejects.toMatchObject({
      reason: { code: 'used-up', left: 0 },
    })
    const order = await orderOf(placed.id)
    const ids = (await t.db.selectFrom('tickets').select('id').where('orderId', '=', placed.id).orderBy('id').execute()).map(
      (ticket) => ticket.id,
    )
    await cancelTickets(t.db, order, ids.slice(0, 1), { actor: CODE_MAKER, siteUrl: 'http://admit-one.test', nameOf: String })
    expect((await codeNow(t.db, code)).used).toBe(1)
    await cancelTickets(t.db, order, ids.slice(1), { actor: CODE_MAKER, siteUrl: 'http://admit-one.test', nameOf: String })
    expect((await codeNow(t.db, code)).used).toBe(0)
    await buyWithCode(t.db, event.id, 'PERORDER', [[types[0]!.id, 1]])
    expect((await codeNow(t.db, code)).used).toBe(1)
  })

  it('an unpaid order that lapses gives its use back, and a payment arriving late takes it again while one is left', async () => {
    const { event, types } = await anEvent([{ priceMinor: 1000 }])
    const code = await makeCode(t.db, event.id, 'ONCE', { maxUses: 1 })
    const placed = await buyWithCode(t.db, event.id, 'ONCE', [[types[0]!.id, 1]], { payment: TRANSFER })
    expect((await codeNow(t.db, code)).used).toBe(1)
    await lapseDeadline(t.db, placed.id)
    const row = await t.db.selectFrom('events').selectAll().where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(await settle(t.db, row)).toBe(true)
    expect((await orderOf(placed.id)).status).toBe('expired')
    expect((await codeNow(t.db, code)).used).toBe(0)

    // The transfer arrives after all: the code had a use left, so the order takes it back and is paid.
    await payByHand(t.db, placed.id)
    expect((await orderOf(placed.id)).status).toBe('paid')
    expect((await codeNow(t.db, code)).used).toBe(1)
  })

  it('a late payment finds the code used up meanwhile: nothing is taken, and the order stays lapsed', async () => {
    const { event, types } = await anEvent([{ priceMinor: 1000 }])
    const code = await makeCode(t.db, event.id, 'ONLYONE', { maxUses: 1 })
    const placed = await buyWithCode(t.db, event.id, 'ONLYONE', [[types[0]!.id, 1]], { payment: TRANSFER })
    await lapseDeadline(t.db, placed.id)
    await settle(t.db, await t.db.selectFrom('events').selectAll().where('id', '=', event.id).executeTakeFirstOrThrow())
    await buyWithCode(t.db, event.id, 'ONLYONE', [[types[0]!.id, 1]])
    await expect(payByHand(t.db, placed.id)).rejects.toThrow(/tickets-gone/)
    expect((await orderOf(placed.id)).status).toBe('expired')
    expect((await codeNow(t.db, code)).used).toBe(1)
    expect((await typeOf(types[0]!.id)).sold).toBe(1)
  })

  it('a reserved code keeps its tickets aside from everyone else, sells them to its holders, and frees them when switched off', async () => {
    const { event, types } = await anEvent([{ capacity: 10, priceMinor: 1000 }])
    const typeId = types[0]!.id
    const code = await makeCode(t.db, event.id, 'PRESS', {
      maxUses: 4,
      countedPer: 'ticket',
      ticketTypeIds: [typeId],
      reserved: true,
      discount: 'none',
      amount: 0,
    })
    expect((await codeNow(t.db, code)).kept).toBe(4)
    expect((await typeOf(typeId)).held).toBe(4)

    await buyWithCode(t.db, event.id, null, [[typeId, 6]])
    await expect(buyWithCode(t.db, event.id, null, [[typeId, 1]])).rejects.toBeInstanceOf(PurchaseRefused)
    await buyWithCode(t.db, event.id, 'press', [[typeId, 3]])
    expect(await typeOf(typeId)).toMatchObject({ sold: 9, held: 1 })
    expect(await codeNow(t.db, code)).toMatchObject({ used: 3, kept: 1 })

    // A cancelled order of the code's gives its tickets back to the code's holders, not to everyone.
    const cancelling = await buyWithCode(t.db, event.id, 'press', [[typeId, 1]])
    expect(await codeNow(t.db, code)).toMatchObject({ used: 4, kept: 0 })
    const order = await orderOf(cancelling.id)
    await cancelOrder(
      t.db,
      order,
      { actorId: null, actorLabel: 'x', action: 'order.cancelled_by_buyer', subjectType: 'order', subjectId: order.id },
      'http://admit-one.test',
    )
    expect(await codeNow(t.db, code)).toMatchObject({ used: 3, kept: 1 })
    expect(await typeOf(typeId)).toMatchObject({ sold: 9, held: 1 })
    await expect(buyWithCode(t.db, event.id, null, [[typeId, 1]])).rejects.toBeInstanceOf(PurchaseRefused)

    expect(await switchCode(t.db, CODE_MAKER, event.id, code.id, false)).toBe(true)
    expect(await typeOf(typeId)).toMatchObject({ sold: 9, held: 0 })
    await expect(buyWithCode(t.db, event.id, 'press', [[typeId, 1]])).rejects.toBeInstanceOf(CodeRefused)
    await buyWithCode(t.db, event.id, null, [[typeId, 1]])
    expect((await typeOf(typeId)).sold).toBe(10)
  })

  it('a reserved code that ends gives its kept tickets back when the event is next settled', async () => {
    const { event, types } = await anEvent([{ capacity: 10, priceMinor: 1000 }])
    const typeId = types[0]!.id
    const code = await makeCode(t.db, event.id, 'SOON-OVER', {
      maxUses: 5,
      countedPer: 'ticket',
      ticketTypeIds: [typeId],
      reserved: true,
      validUntil: Date.now() + 60_000,
    })
    expect((await typeOf(typeId)).held).toBe(5)
    await t.db
      .updateTable('codes')
      .set({ validUntil: Date.now() - 1000 })
      .where('id', '=', code.id)
      .execute()
    const row = await t.db.selectFrom('events').selectAll().where('id', '=', event.id).executeTakeFirstOrThrow()
    expect(await settle(t.db, row)).toBe(true)
    expect((await typeOf(typeId)).held).toBe(0)
    expect((await codeNow(t.db, code)).kept).toBe(0)
  })

  it('cancelling the event gives every order’s uses back and ends its codes, which keep nothing aside', async () => {
    const { event, types } = await anEvent([{ capacity: 10, priceMinor: 1000 }])
    const typeId = types[0]!.id
    const code = await makeCode(t.db, event.id, 'PRESALE', { maxUses: 6, countedPer: 'ticket', ticketTypeIds: [typeId], reserved: true })
    await buyWithCode(t.db, event.id, 'presale', [[typeId, 2]])
    expect(await codeNow(t.db, code)).toMatchObject({ used: 2, kept: 4 })
    expect(await cancelEvent({ db: t.db, afterCommit: () => {} }, CODE_MAKER, event.id, 'http://admit-one.test')).toBeNull()
    expect(await codeNow(t.db, code)).toMatchObject({ used: 0, kept: 0, enabled: false })
    expect(await typeOf(typeId)).toMatchObject({ sold: 0, held: 0 })
  })
})
