import type { FastifyBaseLogger } from 'fastify'
import type { MailConfig } from '../../config.js'
import type { Db } from '../../db/database.js'
import type { OutboxRow } from '../../db/schema.js'
import type { SiteSettings } from '../settings/settings.repository.js'
import { type MailComposer, Uncomposable } from './mail.messages.js'
import { type MailDestination, type MailTransport, messageIdOf } from './mail.transport.js'
import { claimDueMessages, markFailedTry, markSent } from '../outbox/outbox.repository.js'

/** Messages one round takes at most, and sends at once. */
const BATCH = 10
/** The longest wait between two tries of a message, however many failed. */
const MAX_BACKOFF_MS = 60 * 60 * 1000

export interface SenderParts {
  db: Db
  config: MailConfig
  composer: MailComposer
  transport: MailTransport
  siteSettings: () => Promise<SiteSettings>
  log: FastifyBaseLogger
}

/**
 * Delivers the outbox, in the app process: no job runner to deploy. It runs
 * a round when woken (a request that enqueued a message wakes it after its
 * commit) and every `pollMs` besides (for messages enqueued by another
 * instance, retries that fell due, and leases of crashed senders that ran
 * out). A round claims due messages with a lease, sends them, and marks each
 * sent, or due again later with a doubled wait, or failed for good after its
 * last try.
 *
 * A message is sent at least once: if the process dies between the send and
 * the mark, the lease runs out and the message goes again, once.
 */
export class OutboxSender {
  private readonly tasks = new Map<string, (row: OutboxRow) => Promise<void>>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private again = false
  private stopped = true

  constructor(private readonly parts: SenderParts) {}

  /** Where messages go, in words for the start log. */
  get description(): string {
    return this.parts.transport.description
  }

  /** Where messages go, for the admin pages to say in the reader's words. */
  get destination(): MailDestination {
    return this.parts.transport.destination
  }

  /**
   * Runs outbox rows of this kind (enqueueTask) with `run` instead of
   * composing and mailing them: the same claim, lease, retries and backoff.
   * `run` throws to be tried again later.
   */
  addTask(kind: string, run: (row: OutboxRow) => Promise<void>): void {
    this.tasks.set(kind, run)
  }

  start(): void {
    this.stopped = false
    this.wake()
  }

  /** Runs a round soon; if one is running, another right after it. */
  wake(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    clearTimeout(this.timer)
    // After the current request's reply: a wake-up costs the request nothing.
    this.timer = setTimeout(() => this.round(), 0)
  }

  /** Waits for the round in progress (its sends and marks), then stops. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    this.parts.transport.close()
  }

  /** One round now, awaited: for tests and for the admin's "send now". */
  async runRound(): Promise<void> {
    while (this.running) await this.running
    this.running = this.sendDue()
    try {
      await this.running
    } finally {
      this.running = undefined
    }
  }

  private round(): void {
    this.runRound().then(
      () => this.next(),
      (error: unknown) => {
        this.parts.log.error({ err: error }, 'mail: the outbox round failed')
        this.next()
      },
    )
  }

  private next(): void {
    if (this.stopped) return
    const soon = this.again
    this.again = false
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.round(), soon ? 0 : this.parts.config.pollMs)
    // The poll alone never keeps the process alive (a CLI or a test that is done may exit).
    this.timer.unref()
  }

  /** Claims and sends rounds of due messages until none is left. */
  private async sendDue(): Promise<void> {
    const { db, config } = this.parts
    for (;;) {
      if (this.stopped) return
      const claimed = await claimDueMessages(db, BATCH, config.leaseMs)
      if (claimed.length === 0) return
      const site = await this.parts.siteSettings()
      await Promise.all(claimed.map((row) => this.deliver(row, site)))
      if (claimed.length < BATCH) return
    }
  }

  private async deliver(row: OutboxRow, site: SiteSettings): Promise<void> {
    const { db, config, composer, transport, log } = this.parts
    try {
      const task = this.tasks.get(row.kind)
      if (task) {
        await task(row)
      } else {
        const mail = await composer.compose(row, site)
        await transport.send({
          ...mail,
          id: row.id,
          kind: row.kind,
          from: { name: site.siteName, address: config.from },
          messageId: messageIdOf(row.messageKey, mail.siteUrl, config.from),
        })
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      const lastTry = error instanceof Uncomposable || row.attempts >= config.maxAttempts
      const retryAt = lastTry ? null : Date.now() + backoff(config.retryBaseMs, row.attempts)
      log.warn(
        { outboxId: row.id, kind: row.kind, attempts: row.attempts, err: error },
        lastTry ? 'mail: failed for good' : 'mail: will retry',
      )
      await markFailedTry(db, row.id, reason.slice(0, 1000), retryAt)
      return
    }
    await markSent(db, row.id)
  }
}

/** retryBaseMs after the first try, then doubled each time, at most an hour. */
export function backoff(baseMs: number, attempts: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS)
}
