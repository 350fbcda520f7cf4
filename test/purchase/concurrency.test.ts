import { expect, it } from 'vitest'
import { describeEachDatabase, type DatabaseKind } from '../helpers/database.js'
import { type ServerOptions, useListeningServers } from '../helpers/servers.js'
import { CHECK_THEN_ACT } from '../helpers/check-then-act.js'
import { createEvent } from '../helpers/fixtures.js'
import { buyAllAtOnce, failPagesOf, prepareBuyers, saleViolations } from '../helpers/flash-sale.js'
import { createUser } from '../helpers/personas.js'

const BUYERS = 240
const CAPACITY = 50

/** Real listening servers on one fresh database, with an event on sale. */
function useServers(kind: DatabaseKind) {
  const listen = useListeningServers(kind)
  return async (instances: number, overrides: ServerOptions = {}) => {
    const { urls, db } = await listen(instances, overrides)
    const owner = await createUser(db, 'organiser')
    const { event, ticketTypes } = await createEvent(db, owner.id, {
      ticketTypes: [{ name: 'Flash', capacity: CAPACITY, maxPerOrder: 4 }],
    })
    return { urls, db, eventId: event.id, ticketTypeId: ticketTypes[0]!.id }
  }
}

describeEachDatabase('a flash sale on one server', (kind) => {
  const start = useServers(kind)

  it(`sells exactly the capacity to ${BUYERS} simultaneous buyers of 1 to 4 tickets`, async () => {
    const { urls, db, eventId, ticketTypeId } = await start(1)
    const buyers = await prepareBuyers(urls, eventId, BUYERS)
    const outcomes = await buyAllAtOnce(buyers, eventId, ticketTypeId)

    expect(await saleViolations(db, eventId, ticketTypeId, outcomes)).toEqual([])
    const failPages = await failPagesOf(outcomes)
    expect(failPages.length).toBeGreaterThan(0)
    for (const page of failPages) expect(page).toMatch(/sold out|only \d+ (is|are) left/i)
  })

  it('control: with the capacity guard switched off, the same test catches the oversell', async () => {
    const { urls, db, eventId, ticketTypeId } = await start(1, { seams: { capacityGuard: CHECK_THEN_ACT } })
    const buyers = await prepareBuyers(urls, eventId, BUYERS)
    const outcomes = await buyAllAtOnce(buyers, eventId, ticketTypeId)

    const violations = await saleViolations(db, eventId, ticketTypeId, outcomes)
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^oversold/))
  })
})

describeEachDatabase('a flash sale across two app instances', (kind) => {
  const start = useServers(kind)

  it.runIf(kind === 'postgres')(`sells exactly the capacity when ${BUYERS} buyers are split between two instances`, async () => {
    const { urls, db, eventId, ticketTypeId } = await start(2)
    const buyers = await prepareBuyers(urls, eventId, BUYERS)
    const outcomes = await buyAllAtOnce(buyers, eventId, ticketTypeId)

    expect(new Set(buyers.map((buyer) => buyer.baseUrl)).size).toBe(2)
    expect(await saleViolations(db, eventId, ticketTypeId, outcomes)).toEqual([])
  })

  it.runIf(kind === 'postgres')('control: two instances without the guard oversell', async () => {
    const { urls, db, eventId, ticketTypeId } = await start(2, { seams: { capacityGuard: CHECK_THEN_ACT } })
    const buyers = await prepareBuyers(urls, eventId, BUYERS)
    const outcomes = await buyAllAtOnce(buyers, eventId, ticketTypeId)

    const violations = await saleViolations(db, eventId, ticketTypeId, outcomes)
    expect(violations, violations.join('\n')).toContainEqual(expect.stringMatching(/^oversold/))
  })
})
