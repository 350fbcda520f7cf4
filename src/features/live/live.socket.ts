import type { WebSocket } from 'ws'
import { type CurrentUser, mayManage } from '../../plugins/auth.js'
import { LIMITS } from './live.protocol.js'

/** The account a socket was opened under, and the session that vouched for it at the upgrade. */
export interface Login {
  user: CurrentUser
  sessionId: string
}

/** One browser's connection: who opened it (from the session at the upgrade) and what it follows. */
export class LiveSocket {
  readonly subscriptions = new Set<number>()
  /** The last message sent per event, so that an unchanged state is not sent again. */
  readonly lastSent = new Map<number, string>()
  /** Whether the client answered the last ping. */
  alive = true
  /** Since when the socket follows nothing; null while it follows something. */
  idleSince: number | null
  private tokens: number = LIMITS.messageBurst
  private tokensAt: number

  /**
   * `doorEvents`: the events whose door counts this socket may see (its
   * account or its staff links are door staff of them), as they stood when
   * it opened.
   */
  constructor(
    readonly ws: WebSocket,
    private loggedIn: Login | null,
    readonly ip: string,
    now = Date.now(),
    readonly doorEvents: ReadonlySet<number> = new Set(),
  ) {
    this.idleSince = now
    this.tokensAt = now
  }

  get login(): Login | null {
    return this.loggedIn
  }

  /** Sold counts and revenue are for the event's owner and for admins. */
  seesSalesOf(ownerId: number): boolean {
    return mayManage(this.loggedIn?.user ?? null, { ownerId })
  }

  /**
   * The session it was opened under ended, or its account changed: no figures
   * from now on, and the page's script reconnects as whoever the cookie says now.
   */
  endSession(): void {
    this.loggedIn = null
    this.close(1008, 'session ended')
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN
  }

  close(code: number, reason: string): void {
    if (this.open) this.ws.close(code, reason)
  }

  /** A token bucket: a burst of messages is fine, a steady flood is not. */
  takeToken(now = Date.now()): boolean {
    this.tokens = Math.min(LIMITS.messageBurst, this.tokens + (now - this.tokensAt) / 1000)
    this.tokensAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
