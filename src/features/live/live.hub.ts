import type { FastifyBaseLogger } from 'fastify'
import { LIMITS } from './live.protocol.js'
import type { SessionHolder } from './live.sessions.js'
import type { LiveSocket } from './live.socket.js'
import { errorMessage, type LiveEventState, stateMessage, unavailableMessage } from './live.state.js'

/** Why the server closed a socket, as counted in the metrics. */
export type CloseReason =
  'protocol' | 'flood' | 'too_many_connections' | 'too_many_subscriptions' | 'idle' | 'unresponsive' | 'slow_reader' | 'session_ended'

export interface HubCounters {
  messageSent(): void
  stateLoaded(): void
  closed(reason: CloseReason): void
}

/** What the hub reads from the database. */
export interface LiveReads {
  state(eventId: number): Promise<LiveEventState | undefined>
  /** Of these session ids, those that still stand, with the account each belongs to now. */
  sessions(sessionIds: string[]): Promise<Map<string, SessionHolder>>
}

interface Pending {
  /** A change arrived that no state message has reflected yet. */
  dirty: boolean
  timer: NodeJS.Timeout | undefined
  /** Set while the state is being read, so that changes meanwhile wait for the next round. */
  flushing: boolean
  lastFlushAt: number
}

const RETRY_AFTER_FAILURE_MS = 2_000

/**
 * One answer for a draft and a missing event alike, as the event page's 404 is: ids cannot be probed for drafts.
 * Protocol text, like a close reason, not words for a person: public/live.js shows nothing, it stops following the event.
 */
const NOT_FOLLOWABLE = 'There is no such event.'

/**
 * The sockets of this instance and the events they follow. A change marks an
 * event dirty; the hub then reads its state once and sends it to every
 * follower, at most once per `LIMITS.coalesceMs` per event, so a storm of
 * purchases costs one query and one message per socket per round, and each
 * round carries the latest state. The first change after a quiet spell goes
 * out at once.
 *
 * A socket keeps the account it was opened under, so before a round sends
 * sales figures, and at every sweep, the sessions behind such sockets are read
 * again (one query for all of them): a socket whose session ended (logout, a
 * disabled account, expiry) or whose account changed role is closed, and the
 * page reconnects as whoever its cookie says now.
 */
export class LiveHub {
  readonly sockets = new Set<LiveSocket>()
  private readonly followers = new Map<number, Set<LiveSocket>>()
  private readonly pending = new Map<number, Pending>()
  private readonly perIp = new Map<string, number>()
  private closed = false

  constructor(
    private readonly reads: LiveReads,
    private readonly counters: HubCounters,
    private readonly log: FastifyBaseLogger,
  ) {}

  get subscriptionCount(): number {
    let count = 0
    for (const set of this.followers.values()) count += set.size
    return count
  }

  /** Admits a socket unless its address already holds too many. */
  add(socket: LiveSocket): boolean {
    const count = this.perIp.get(socket.ip) ?? 0
    if (count >= LIMITS.maxConnectionsPerIp) return false
    this.perIp.set(socket.ip, count + 1)
    this.sockets.add(socket)
    return true
  }

  remove(socket: LiveSocket): void {
    if (!this.sockets.delete(socket)) return
    const count = (this.perIp.get(socket.ip) ?? 1) - 1
    if (count > 0) this.perIp.set(socket.ip, count)
    else this.perIp.delete(socket.ip)
    this.unsubscribe(socket, [...socket.subscriptions])
  }

  /**
   * Follows the events and sends each one's current state (a reconnecting
   * client re-reads it this way), or an error for one it may not follow.
   */
  subscribe(socket: LiveSocket, eventIds: number[]): void {
    for (const eventId of eventIds) {
      if (!socket.subscriptions.has(eventId) && socket.subscriptions.size >= LIMITS.maxSubscriptions) {
        socket.close(1008, 'too many subscriptions')
        this.counters.closed('too_many_subscriptions')
        return
      }
      socket.subscriptions.add(eventId)
      socket.lastSent.delete(eventId)
      let set = this.followers.get(eventId)
      if (!set) this.followers.set(eventId, (set = new Set()))
      set.add(socket)
      this.changed(eventId)
    }
    if (socket.subscriptions.size > 0) socket.idleSince = null
  }

  unsubscribe(socket: LiveSocket, eventIds: number[], now = Date.now()): void {
    for (const eventId of eventIds) {
      socket.subscriptions.delete(eventId)
      socket.lastSent.delete(eventId)
      const set = this.followers.get(eventId)
      set?.delete(socket)
      if (set?.size === 0) {
        this.followers.delete(eventId)
        const pending = this.pending.get(eventId)
        if (pending && !pending.flushing) {
          clearTimeout(pending.timer)
          this.pending.delete(eventId)
        }
      }
    }
    if (socket.subscriptions.size === 0) socket.idleSince ??= now
  }

  /** An event changed (here or on another instance): its followers get the new state soon. */
  changed(eventId: number): void {
    if (this.closed || !this.followers.has(eventId)) return
    let pending = this.pending.get(eventId)
    if (!pending) this.pending.set(eventId, (pending = { dirty: false, timer: undefined, flushing: false, lastFlushAt: 0 }))
    pending.dirty = true
    this.schedule(eventId, pending, 0)
  }

  /** Everything followed may have changed unseen (the change feed was down): send it all again. */
  resync(): void {
    for (const eventId of this.followers.keys()) this.changed(eventId)
  }

  /**
   * Pings every socket; drops those that did not answer the last ping, those
   * idle for too long, and those whose session has ended.
   */
  async sweep(now = Date.now()): Promise<void> {
    for (const socket of this.sockets) {
      if (!socket.alive) {
        socket.ws.terminate()
        this.counters.closed('unresponsive')
        continue
      }
      if (socket.idleSince !== null && now - socket.idleSince >= LIMITS.idleMs) {
        socket.close(1000, 'idle: no events followed')
        this.counters.closed('idle')
        continue
      }
      socket.alive = false
      socket.ws.ping()
    }
    try {
      await this.recheckSessions(this.sockets)
    } catch (error) {
      // Rounds that send figures check again first, so this can wait for the next sweep.
      this.log.warn({ err: error }, 'live: reading the sessions of open sockets failed')
    }
  }

  close(): void {
    this.closed = true
    for (const pending of this.pending.values()) clearTimeout(pending.timer)
    this.pending.clear()
  }

  private schedule(eventId: number, pending: Pending, extraDelay: number): void {
    if (pending.flushing || pending.timer !== undefined) return
    const delay = Math.max(extraDelay, pending.lastFlushAt + LIMITS.coalesceMs - Date.now(), 0)
    pending.timer = setTimeout(() => void this.flush(eventId, pending), delay)
  }

  private async flush(eventId: number, pending: Pending): Promise<void> {
    pending.timer = undefined
    pending.dirty = false
    pending.flushing = true
    pending.lastFlushAt = Date.now()
    let retryDelay = 0
    try {
      if (!this.followers.has(eventId)) return
      const state = await this.reads.state(eventId)
      this.counters.stateLoaded()
      const cleared = state ? await this.recheckSessions(this.followers.get(eventId) ?? [], state.ownerId) : new Set<LiveSocket>()
      if (!this.closed) this.deliver(eventId, state, cleared)
    } catch (error) {
      if (this.closed) return
      this.log.warn({ err: error, eventId }, 'live: reading the state of an event failed')
      pending.dirty = true
      retryDelay = RETRY_AFTER_FAILURE_MS
    } finally {
      pending.flushing = false
      // The entry stays while the event is followed: it remembers when the last round went out.
      if (this.closed || !this.followers.has(eventId)) this.pending.delete(eventId)
      else if (pending.dirty) this.schedule(eventId, pending, retryDelay)
    }
  }

  /**
   * Reads again the sessions behind these sockets (those that would see the
   * sales of `ownerId`, when given) and ends the sockets whose session no
   * longer stands as it was at the upgrade. Returns the sockets found standing.
   */
  private async recheckSessions(sockets: Iterable<LiveSocket>, ownerId?: number): Promise<Set<LiveSocket>> {
    const checked: LiveSocket[] = []
    const sessionIds = new Set<string>()
    for (const socket of sockets) {
      if (socket.login === null || (ownerId !== undefined && !socket.seesSalesOf(ownerId))) continue
      checked.push(socket)
      sessionIds.add(socket.login.sessionId)
    }
    if (checked.length === 0) return new Set()
    const holders = await this.reads.sessions([...sessionIds])
    const standing = new Set<LiveSocket>()
    for (const socket of checked) {
      // Ended by another check while this one read: nothing left to compare.
      const login = socket.login
      if (login === null) continue
      const holder = holders.get(login.sessionId)
      if (holder && holder.userId === login.user.id && holder.role === login.user.role) {
        standing.add(socket)
      } else {
        socket.endSession()
        this.counters.closed('session_ended')
      }
    }
    return standing
  }

  /**
   * The state is built into at most two messages, whatever the number of
   * followers. Sales go only to sockets whose session was `cleared` this round.
   */
  private deliver(eventId: number, state: LiveEventState | undefined, cleared: Set<LiveSocket>): void {
    const followers = this.followers.get(eventId)
    if (!followers) return
    let publicPayload: string | undefined
    let salesPayload: string | undefined
    let doorPayload: string | undefined
    for (const socket of [...followers]) {
      const followedBefore = socket.lastSent.has(eventId)
      let payload: string
      if (state && socket.seesSalesOf(state.ownerId)) {
        // It started following while the sessions were read: its subscribe set up another round, checked.
        if (!cleared.has(socket)) continue
        payload = salesPayload ??= stateMessage(state, true)
      } else if (state && socket.doorEvents.has(eventId)) {
        payload = doorPayload ??= stateMessage(state, false, true)
      } else if (state?.public) {
        payload = publicPayload ??= stateMessage(state, false)
      } else if (followedBefore) {
        // It was public when this socket started following: say it is gone, show no figures.
        payload = unavailableMessage(eventId)
        if (!state) this.unsubscribe(socket, [eventId])
      } else {
        this.unsubscribe(socket, [eventId])
        this.sendTo(socket, errorMessage(eventId, NOT_FOLLOWABLE))
        continue
      }
      if (socket.lastSent.get(eventId) === payload) continue
      if (socket.subscriptions.has(eventId)) socket.lastSent.set(eventId, payload)
      this.sendTo(socket, payload)
    }
  }

  private sendTo(socket: LiveSocket, payload: string): void {
    if (!socket.open) return
    if (socket.ws.bufferedAmount > LIMITS.maxBufferedBytes) {
      socket.ws.terminate()
      this.counters.closed('slow_reader')
      return
    }
    socket.ws.send(payload)
    this.counters.messageSent()
  }
}
