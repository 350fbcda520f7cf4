import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { createUser } from '../helpers/personas.js'

/** Notes the SQL text of every query run through it, compiled as the database will get it. */
class SqlTexts implements KyselyPlugin {
  readonly texts: string[] = []
  constructor(private readonly db: Db) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.texts.push(this.db.getExecutor().compileQuery(args.node, args.queryId).sql)
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

/**
 * Each SQL text is prepared once and then reused (better-sqlite3's statement
 * cache, PostgreSQL's named statements; src/db/database.ts), so a purchase
 * must run the same texts whatever its values. A value written into the text
 * (an unpaid order's deadline, once) made every purchase a new statement to
 * prepare, and filled both caches with texts never used again.
 */
describeEachDatabase('a purchase’s SQL texts', (kind) => {
  const t = useTestApp(kind)
  let eventId: number
  let typeId: number

  beforeAll(async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id)
    eventId = event.id
    typeId = ticketTypes[0]!.id
  })

  async function textsOfPurchase(payment: { method: string; deadline: number | null }): Promise<string[]> {
    const recorder = new SqlTexts(t.db)
    await placeOrder(t.db.withPlugin(recorder), eventId, typeId, { payment })
    expect(recorder.texts.length).toBeGreaterThan(3)
    return recorder.texts
  }

  it('are the same for two unpaid orders with different deadlines', async () => {
    const now = Date.now()
    const first = await textsOfPurchase({ method: 'bank-transfer', deadline: now + 3_600_000 })
    const second = await textsOfPurchase({ method: 'bank-transfer', deadline: now + 7_200_000 })
    expect(second).toEqual(first)
  })

  it('are the same for two reservations at the door', async () => {
    const first = await textsOfPurchase({ method: 'at-door', deadline: null })
    const second = await textsOfPurchase({ method: 'at-door', deadline: null })
    expect(second).toEqual(first)
  })
})
