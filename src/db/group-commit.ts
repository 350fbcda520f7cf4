import { SqliteAdapter } from 'kysely'
import type { Db, Trx } from './database.js'

/**
 * Runs `work` in a transaction of its own, as db.transaction() does, but on
 * SQLite shares the commit with the other work queued at the same moment.
 *
 * With synchronous=FULL every SQLite commit waits for the disk to sync its
 * log, and better-sqlite3 waits on the event loop's thread: one sync per
 * purchase bounds a flash sale by the disk, not by the purchases. Here the
 * work that arrives while the thread is busy is run one after another inside
 * one transaction, each in a savepoint of its own, and committed with one
 * sync. Each work still commits whole or not at all: one that throws is
 * rolled back to its savepoint and its caller gets the error, the others are
 * untouched. No caller hears of success before the commit is on disk, and a
 * failed commit fails every work in it.
 *
 * PostgreSQL needs none of this (its concurrent commits already share the
 * log's syncs), so there it is db.transaction().
 */
export function inGroupCommit<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return db.transaction().execute(work)
  let group = groups.get(db)
  if (!group) groups.set(db, (group = new CommitGroup(db)))
  return group.run(work)
}

/**
 * One statement that needs no transaction of its own, committed as cheaply
 * as the database allows: with the work of the same moment on SQLite (one
 * sync), and on PostgreSQL as the statement's own implicit transaction (no
 * BEGIN and COMMIT round trips).
 */
export function writeShared<T>(db: Db, statement: (db: Db | Trx) => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return statement(db)
  return inGroupCommit(db, statement)
}

/** Enough to share one sync among every buyer of a busy moment, few enough that one batch never holds the database for long. */
const MAX_WORK_PER_COMMIT = 64

const groups = new WeakMap<Db, CommitGroup>()

interface Queued {
  work: (trx: Trx) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

class CommitGroup {
  private queue: Queued[] = []
  private flushing = false

  constructor(private readonly db: Db) {}

  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.flushing) return
    this.flushing = true
    // After the I/O callbacks of this turn of the event loop: every request
    // that arrived with this one has queued its work by then.
    setImmediate(() => void this.flush())
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_WORK_PER_COMMIT)
    try {
      if (batch.length === 1) await this.runAlone(batch[0]!)
      else await this.runTogether(batch)
    } finally {
      this.flushing = false
      if (this.queue.length > 0) this.schedule()
    }
  }

  private async runAlone(queued: Queued): Promise<void> {
    try {
      queued.resolve(await this.db.transaction().execute(queued.work))
    } catch (error) {
      queued.reject(error)
    }
  }

  private async runTogether(batch: Queued[]): Promise<void> {
    const outcomes: Outcome[] = []
    let trx
    try {
      trx = await this.db.startTransaction().execute()
      for (const queued of batch) {
        const inner = await trx.savepoint('work').execute()
        try {
          outcomes.push({ ok: true, value: await queued.work(inner) })
        } catch (error) {
          await inner.rollbackToSavepoint('work').execute()
          outcomes.push({ ok: false, error })
        }
        await inner.releaseSavepoint('work').execute()
      }
      await trx.commit().execute()
    } catch (error) {
      // The commit (or a savepoint) failed: nothing of this batch is kept.
      await trx
        ?.rollback()
        .execute()
        .catch(() => {})
      for (const queued of batch) queued.reject(error)
      return
    }
    batch.forEach((queued, index) => {
      const outcome = outcomes[index]!
      if (outcome.ok) queued.resolve(outcome.value)
      else queued.reject(outcome.error)
    })
  }
}
