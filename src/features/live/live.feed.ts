import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'

export const CHANGE_CHANNEL = 'admit_one_event_changed'
/** How the feed's connection shows in pg_stat_activity. */
export const FEED_APPLICATION_NAME = 'admit-one-live-feed'

const RECONNECT_MIN_MS = 500
/**
 * A flash sale changes one event hundreds of times a second. Other instances
 * coalesce what they send their sockets anyway (LIMITS.coalesceMs), so one
 * NOTIFY per event in this window tells them as much for a fraction of the
 * queries. The first change after a quiet spell is not kept waiting: it is
 * notified at once, and opens the window.
 */
export const PUBLISH_COALESCE_MS = 50
const RECONNECT_MAX_MS = 30_000

export interface ChangeFeedHandlers {
  /** Another instance committed a change to this event. */
  remoteChange(eventId: number): void
  /** The feed was down, so notifications may have been missed. */
  reconnected(): void
}

/**
 * Changes between app instances on one PostgreSQL database, over LISTEN/NOTIFY
 * on a dedicated connection (the pool's connections come and go, a LISTEN must
 * stay). This instance sends its own NOTIFYs over the same connection, so it
 * can tell its own notifications (same backend pid) from other instances' and
 * skip them: its own sockets were already told directly.
 */
export class PgChangeFeed {
  private client: pg.Client | undefined
  private backendPid: number | undefined
  private reconnectTimer: NodeJS.Timeout | undefined
  private failures = 0
  private stopped = false
  /** Events notified within the last PUBLISH_COALESCE_MS; `changed` once another change waits for the window to end. */
  private readonly windows = new Map<number, { timer: NodeJS.Timeout; changed: boolean }>()
  /** NOTIFYs on their way, for a shutdown to wait for. */
  private readonly sending = new Set<Promise<void>>()

  constructor(
    private readonly databaseUrl: string,
    private readonly handlers: ChangeFeedHandlers,
    private readonly log: FastifyBaseLogger,
    /** Sends a NOTIFY some other way while the dedicated connection is down. */
    private readonly fallbackNotify: (channel: string, payload: string) => Promise<void>,
  ) {}

  get connected(): boolean {
    return this.backendPid !== undefined
  }

  async start(): Promise<void> {
    await this.connect()
  }

  /** Tells other instances that this event changed: at once, or at the end of the window a NOTIFY for it opened. */
  publish(eventId: number): void {
    if (this.stopped) return
    const window = this.windows.get(eventId)
    if (window) window.changed = true
    else this.notifyNow(eventId)
  }

  private notifyNow(eventId: number): void {
    const timer = setTimeout(() => {
      const ended = this.windows.get(eventId)
      this.windows.delete(eventId)
      if (ended?.changed && !this.stopped) this.notifyNow(eventId)
    }, PUBLISH_COALESCE_MS)
    this.windows.set(eventId, { timer, changed: false })
    const sent = this.send(eventId).finally(() => this.sending.delete(sent))
    this.sending.add(sent)
  }

  private async send(eventId: number): Promise<void> {
    const payload = String(eventId)
    try {
      if (this.client && this.connected) await this.client.query('select pg_notify($1, $2)', [CHANGE_CHANNEL, payload])
      else await this.fallbackNotify(CHANGE_CHANNEL, payload)
    } catch (error) {
      this.log.warn({ err: error, eventId }, 'live: telling other instances about a change failed')
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    // The last changes before a shutdown still reach the other instances.
    const waiting = [...this.windows].filter(([, window]) => window.changed).map(([eventId]) => eventId)
    for (const window of this.windows.values()) clearTimeout(window.timer)
    this.windows.clear()
    await Promise.all([...this.sending, ...waiting.map((eventId) => this.send(eventId))])
    clearTimeout(this.reconnectTimer)
    const client = this.client
    this.client = undefined
    this.backendPid = undefined
    await client?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    // Imported here, not at the top: an app on SQLite never runs a feed, and loading pg would slow its start.
    const { Client } = (await import('pg')).default
    const client = new Client({ connectionString: this.databaseUrl, keepAlive: true, application_name: FEED_APPLICATION_NAME })
    client.on('error', (error) => this.lost(client, error))
    client.on('end', () => this.lost(client))
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || message.processId === this.backendPid) return
      const eventId = Number(message.payload)
      if (Number.isSafeInteger(eventId) && eventId > 0) this.handlers.remoteChange(eventId)
    })
    this.client = client
    try {
      await client.connect()
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
      await client.query(`listen ${CHANGE_CHANNEL}`)
      if (this.stopped || this.client !== client) {
        await client.end().catch(() => {})
        return
      }
      this.backendPid = rows[0]?.pid
      const wasDown = this.failures > 0
      this.failures = 0
      if (wasDown) {
        this.log.info('live: change feed reconnected')
        this.handlers.reconnected()
      }
    } catch (error) {
      this.lost(client, error)
    }
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.stopped || this.client !== client) return
    this.client = undefined
    this.backendPid = undefined
    client.end().catch(() => {})
    this.failures += 1
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** (this.failures - 1))
    this.log.warn({ err: error, retryInMs: delay }, 'live: change feed connection lost')
    this.reconnectTimer = setTimeout(() => void this.connect(), delay)
  }
}
