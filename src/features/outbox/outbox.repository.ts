import { PostgresAdapter } from 'kysely'
import type { Db, Trx } from '../../db/database.js'
import type { OutboxRow } from '../../db/schema.js'
import { randomSecret } from '../../lib/random.js'
import { DEFAULT_LOCALE } from '../../i18n/locale.js'
import type { MailMessage, OutboxTask } from './outbox.messages.js'

/** Rows per INSERT: far below SQLite's 32,766 bound variables at ten columns a message. */
const MESSAGES_PER_INSERT = 500

/**
 * Puts messages in the outbox. Takes the transaction of the change that
 * causes them, never the database: the messages commit with the change or
 * not at all. A message to nobody (a buyer at the box office who gave no
 * address) is not written.
 */
export async function enqueueMail(trx: Trx, messages: MailMessage | MailMessage[]): Promise<void> {
  const rows = outboxRows((Array.isArray(messages) ? messages : [messages]).filter((message) => message.to !== ''))
  for (let start = 0; start < rows.length; start += MESSAGES_PER_INSERT) {
    await trx
      .insertInto('outbox')
      .values(rows.slice(start, start + MESSAGES_PER_INSERT))
      .execute()
  }
}

/**
 * As enqueueMail, and the outbox id of each message, in the order given: for
 * a feature that follows how far its messages have gone.
 */
export async function enqueueMailWithIds(trx: Trx, messages: MailMessage[]): Promise<number[]> {
  const rows = outboxRows(messages)
  const ids = new Map<string, number>()
  for (let start = 0; start < rows.length; start += MESSAGES_PER_INSERT) {
    const inserted = await trx
      .insertInto('outbox')
      .values(rows.slice(start, start + MESSAGES_PER_INSERT))
      .returning(['id', 'messageKey'])
      .execute()
    // Matched by each row's random key: neither database promises to return a multi-row INSERT's rows in order.
    for (const row of inserted) ids.set(row.messageKey, row.id)
  }
  return rows.map((row) => ids.get(row.messageKey)!)
}

function outboxRows(messages: MailMessage[]) {
  const now = Date.now()
  return messages.map((message) => ({
    kind: message.kind,
    recipient: message.to,
    data: JSON.stringify(message.data),
    state: 'pending' as const,
    nextAttemptAt: now,
    leaseUntil: null,
    lastError: null,
    createdAt: now,
    sentAt: null,
    messageKey: randomSecret(18),
    locale: message.locale ?? DEFAULT_LOCALE,
  }))
}

/**
 * Puts a task in the outbox, in the transaction of the change that causes
 * it: a call to another system (a refund at the payment provider) that must
 * happen once the change commits, and happen even if the process dies. The
 * sender runs it as it sends a message (OutboxSender.addTask), at least
 * once; the task makes repeats harmless (an idempotency key).
 */
export async function enqueueTask(trx: Trx, task: OutboxTask): Promise<void> {
  const now = Date.now()
  await trx
    .insertInto('outbox')
    .values({
      kind: task.kind,
      recipient: task.to,
      data: JSON.stringify(task.data),
      state: 'pending',
      nextAttemptAt: now,
      leaseUntil: null,
      lastError: null,
      createdAt: now,
      sentAt: null,
      messageKey: randomSecret(18),
    })
    .execute()
}

/**
 * Takes up to `limit` due messages for this sender: pending, due, and not
 * held by another sender (no lease, or one that ran out: its sender died).
 * One statement, so that a message is never taken twice: on PostgreSQL the
 * rows are locked and rows another instance is taking are skipped (SKIP
 * LOCKED), so several instances share the outbox without waiting on each
 * other; on SQLite the statement holds the write lock. The try is counted
 * here, so that a message that crashes its sender every time still runs out
 * of tries.
 */
export async function claimDueMessages(db: Db, limit: number, leaseMs: number, now = Date.now()): Promise<OutboxRow[]> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  return db
    .updateTable('outbox')
    .set((eb) => ({ leaseUntil: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('state', '=', 'pending')
        .where('nextAttemptAt', '<=', now)
        .where((eb) => eb.or([eb('leaseUntil', 'is', null), eb('leaseUntil', '<', now)]))
        .orderBy('id')
        .limit(limit)
        .$if(postgres, (query) => query.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute()
}

export async function markSent(db: Db, id: number, now = Date.now()): Promise<void> {
  await db.updateTable('outbox').set({ state: 'sent', sentAt: now, leaseUntil: null, lastError: null }).where('id', '=', id).execute()
}

/** After a failed try: again at `retryAt`, or never when `retryAt` is null (failed for good). */
export async function markFailedTry(db: Db, id: number, error: string, retryAt: number | null): Promise<void> {
  await db
    .updateTable('outbox')
    .set(
      retryAt === null
        ? { state: 'failed', leaseUntil: null, lastError: error }
        : { state: 'pending', nextAttemptAt: retryAt, leaseUntil: null, lastError: error },
    )
    .where('id', '=', id)
    .execute()
}

/** The newest messages first, for the admin's outbox page. */
export async function recentMessages(db: Db, limit: number): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit).execute()
}

/** How many messages are in each state, for the outbox page's summary. */
export async function countByState(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('state')
    .execute()
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]))
}
