import { sql } from 'kysely'
import { expect, it, vi } from 'vitest'
import type { Trx } from '../../src/db/database.js'
import { inGroupCommit } from '../../src/db/group-commit.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'

describeEachDatabase('work committed together (inGroupCommit)', (kind) => {
  const t = useTestApp(kind)

  const keep = (sid: string) => (trx: Trx) =>
    trx
      .insertInto('sessions')
      .values({ sid, data: '{}', userId: null, expiresAt: Date.now() + 60_000 })
      .execute()
  const kept = async (prefix: string) =>
    (await t.db.selectFrom('sessions').select('sid').where('sid', 'like', `${prefix}%`).orderBy('sid').execute()).map((row) => row.sid)

  it('commits each work whole or not at all: one that throws leaves the others untouched', async () => {
    const transactions = vi.spyOn(t.db, 'startTransaction')
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          inGroupCommit(t.db, async (trx) => {
            await keep(`whole-${i}`)(trx)
            if (i === 3) throw new Error('refused')
            return i
          }),
        ),
      )
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        ...Array(6).fill('fulfilled'),
      ])
      expect(outcomes[3]).toMatchObject({ reason: new Error('refused') })
      expect(await kept('whole-')).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9].map((i) => `whole-${i}`))
      // On SQLite the ten shared one transaction, so one commit and one sync of the log.
      if (kind === 'sqlite') expect(transactions).toHaveBeenCalledTimes(1)
    } finally {
      transactions.mockRestore()
    }
  })

  // On PostgreSQL this is db.transaction(); the way to fail a commit here (deferred foreign keys) is SQLite's pragma.
  it.skipIf(kind !== 'sqlite')('tells no one of success before the commit, and fails every work of a commit that fails', async () => {
    const outcomes = await Promise.allSettled([
      inGroupCommit(t.db, keep('doomed-a')),
      inGroupCommit(t.db, async (trx) => {
        await sql`pragma defer_foreign_keys = on`.execute(trx)
        // A ticket of no order: checked, and refused, only at COMMIT.
        await trx
          .insertInto('tickets')
          .values({ orderId: 999_999, ticketTypeId: 999_999, code: 'NOORDER000000000', priceMinor: 1 })
          .execute()
      }),
      inGroupCommit(t.db, keep('doomed-b')),
    ])
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(await kept('doomed-')).toEqual([])
    // And the next work commits as usual.
    await inGroupCommit(t.db, keep('after'))
    expect(await kept('after')).toEqual(['after'])
  })
})
