import { expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { CHECK_THEN_ACT } from '../helpers/check-then-act.js'
import { makeCode } from '../helpers/codes.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type SaleOutcome, buyAllAtOnce, prepareBuyers, succeeded } from '../helpers/flash-sale.js'
import { createUser } from '../helpers/personas.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'

/**
 * A code's uses are taken by a guarded UPDATE in the purchase's transaction,
 * after its ticket types: buyers who submit at the same moment against a
 * live server (and two instances on PostgreSQL) never pass its limit, and
 * each buyer refused says why. A control that takes the uses on what was
 * read before the transaction (check-then-act) shows that the test catches it.
 */

const BUYERS = 200
const USES = 10

function useSale(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  return async (instances: number, overrides: ServerOptions = {}) => {
    const { urls, db } = await listen(instances, overrides)
    const owner = await createUser(db, 'organiser')
    // Room for everyone: only the code's limit stands in the way.
    const { event, ticketTypes } = await createEvent(db, owner.id, {
      ticketTypes: [
        { name: 'General', priceMinor: 2000, capacity: 2000, maxPerOrder: 4 },
        { name: 'Balcony', priceMinor: 3000, capacity: 20, maxPerOrder: 4 },
      ],
    })
    return { urls, db, eventId: event.id, general: ticketTypes[0]!.id, balcony: ticketTypes[1]!.id }
  }
}

/** Everything that must hold of a code after a sale, as broken rules (none when all hold), so that the control can show which breaks. */
async function codeViolations(db: Db, codeId: number, outcomes: SaleOutcome[], refusal: RegExp): Promise<string[]> {
  const violations: string[] = []
  const code = await db.selectFrom('codes').selectAll().where('id', '=', codeId).executeTakeFirstOrThrow()
  const orders = await db.selectFrom('orders').select('id').where('codeId', '=', codeId).execute()
  const tickets = await db.selectFrom('tickets').select('id').where('codeId', '=', codeId).execute()
  const live = code.countedPer === 'ticket' ? tickets.length : orders.length
  if (code.maxUses !== null && live > code.maxUses) violations.push(`used past its limit: ${live} uses of ${code.maxUses}`)
  if (code.used !== live) violations.push(`used counter ${code.used} differs from ${live} uses in the orders`)
  const winners = outcomes.filter(succeeded)
  if (winners.length !== orders.length) violations.push(`${orders.length} orders with the code for ${winners.length} successful buyers`)
  const serverErrors = outcomes.filter((outcome) => outcome.status >= 500)
  if (serverErrors.length > 0) violations.push(`${serverErrors.length} responses were 5xx`)
  for (const outcome of outcomes.filter((candidate) => !succeeded(candidate))) {
    if (outcome.status !== 409 || !refusal.test(outcome.body)) {
      violations.push(`a refused buyer was not told why: ${outcome.status} ${outcome.location ?? outcome.body.slice(0, 80)}`)
      break
    }
  }
  return violations
}

describeEachDatabase('a code’s uses under simultaneous buyers', (kind) => {
  const start = useSale(kind)

  async function raceForTenUses(instances: number, overrides: ServerOptions = {}) {
    const sale = await start(instances, overrides)
    const code = await makeCode(sale.db, sale.eventId, 'TENUSES', { maxUses: USES })
    const buyers = await prepareBuyers(sale.urls, sale.eventId, BUYERS, { page: () => `/buy-tickets/${sale.eventId}?code=tenuses` })
    expect(buyers[0]!.shown).toMatchObject({ code: 'tenuses', codeShown: 'TENUSES', [`price_${sale.general}`]: '1600' })
    const outcomes = await buyAllAtOnce(buyers, sale.eventId, sale.general)
    return { ...sale, code, buyers, outcomes }
  }

  it(`${BUYERS} buyers use a ${USES}-use code at once: exactly ${USES} uses, every other buyer told it is used up`, async () => {
    const { db, code, outcomes } = await raceForTenUses(1)
    expect(await codeViolations(db, code.id, outcomes, /This code has been used up\./)).toEqual([])
    expect(outcomes.filter(succeeded)).toHaveLength(USES)
  })

  it.runIf(kind === 'postgres')(`${BUYERS} buyers split between two instances: exactly ${USES} uses`, async () => {
    const { db, code, buyers, outcomes } = await raceForTenUses(2)
    expect(new Set(buyers.map((buyer) => buyer.baseUrl)).size).toBe(2)
    expect(await codeViolations(db, code.id, outcomes, /This code has been used up\./)).toEqual([])
    expect(outcomes.filter(succeeded)).toHaveLength(USES)
  })

  it('control: with the code’s guard switched to check-then-act, the same test catches uses past the limit', async () => {
    const { db, code, outcomes } = await raceForTenUses(1, { seams: { capacityGuard: CHECK_THEN_ACT } })
    const violations = await codeViolations(db, code.id, outcomes, /This code has been used up\./)
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^used past its limit/))
  })

  it.runIf(kind === 'postgres')('control: two instances without the guard pass the limit too', async () => {
    const { db, code, outcomes } = await raceForTenUses(2, { seams: { capacityGuard: CHECK_THEN_ACT } })
    const violations = await codeViolations(db, code.id, outcomes, /This code has been used up\./)
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^used past its limit/))
  })

  it(`counted per ticket, orders of 1 to 4 tickets at once never pass its ${USES} tickets`, async () => {
    const sale = await start(kind === 'postgres' ? 2 : 1)
    const code = await makeCode(sale.db, sale.eventId, 'PERTICKET', { maxUses: USES, countedPer: 'ticket' })
    const buyers = await prepareBuyers(sale.urls, sale.eventId, BUYERS, { page: () => `/buy-tickets/${sale.eventId}?code=perticket` })
    const outcomes = await buyAllAtOnce(buyers, sale.eventId, sale.general)
    expect(
      await codeViolations(sale.db, code.id, outcomes, /This code has been used up\.|can be used for only \d+ more tickets?\./),
    ).toEqual([])
    const used = (await sale.db.selectFrom('codes').select('used').where('id', '=', code.id).executeTakeFirstOrThrow()).used
    expect(used).toBeLessThanOrEqual(USES)
    expect(used).toBeGreaterThan(USES - 4)
  })

  it('a reserved code’s tickets are not sold without it while the other types and the event sell out, and its holders buy them meanwhile', async () => {
    const sale = await start(kind === 'postgres' ? 2 : 1)
    // 40 tickets in all; of the balcony's 20, 10 kept aside for the code's holders.
    await sale.db.updateTable('events').set({ capacity: 40 }).where('id', '=', sale.eventId).execute()
    const code = await makeCode(sale.db, sale.eventId, 'BALCONY', {
      maxUses: 10,
      countedPer: 'ticket',
      ticketTypeIds: [sale.balcony],
      reserved: true,
      discount: 'none',
      amount: 0,
    })
    const general = await prepareBuyers(sale.urls, sale.eventId, 100)
    const balcony = await prepareBuyers(sale.urls, sale.eventId, 50)
    const holders = await prepareBuyers(sale.urls, sale.eventId, 5, {
      page: () => `/buy-tickets/${sale.eventId}?code=balcony`,
      quantity: () => 2,
    })
    const outcomes = await Promise.all([
      buyAllAtOnce(general, sale.eventId, sale.general),
      buyAllAtOnce(balcony, sale.eventId, sale.balcony, (index) => `balcony${index}@example.test`),
      buyAllAtOnce(holders, sale.eventId, sale.balcony, (index) => `holder${index}@example.test`),
    ])
    expect(outcomes[2].map((outcome) => outcome.status)).toEqual([303, 303, 303, 303, 303])
    expect(outcomes.flat().filter((outcome) => outcome.status >= 500)).toEqual([])
    const ticketsOf = async (typeId: number, withCode: boolean) =>
      Number(
        (
          await sale.db
            .selectFrom('tickets')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('ticketTypeId', '=', typeId)
            .where('codeId', withCode ? 'is not' : 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      )
    expect(await ticketsOf(sale.balcony, true)).toBe(10)
    expect(await ticketsOf(sale.general, false)).toBeGreaterThan(0)
    expect((await ticketsOf(sale.general, false)) + (await ticketsOf(sale.balcony, false))).toBe(30)
    expect(await sale.db.selectFrom('events').select(['sold', 'held']).where('id', '=', sale.eventId).executeTakeFirstOrThrow()).toEqual({
      sold: 40,
      held: 0,
    })
    expect(await sale.db.selectFrom('codes').select(['used', 'kept']).where('id', '=', code.id).executeTakeFirstOrThrow()).toEqual({
      used: 10,
      kept: 0,
    })
  })
})
