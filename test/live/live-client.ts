import type { FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeAll } from 'vitest'
import { WebSocket } from 'ws'
import type { AppHandle } from '../helpers/app.js'

export interface LiveTicketType {
  id: number
  remaining: number
  soldOut: boolean
  onSale: boolean
  /** On sale but for what is left: the event on sale and the type's sales window open. */
  salesOpen: boolean
  maxSelectable: number
  /** Sold out, and its waiting list takes names. */
  waitingList: boolean
  sold?: number
  held?: number
}

export interface LiveState {
  id: number
  status: string
  statusLabel: string
  remaining: number
  sold?: number
  orders?: number
  revenue?: string
  awaiting?: string
  dueAtDoor?: string
  ticketTypes: LiveTicketType[]
}

export type LiveMessage = { type: 'state'; event: LiveState } | { type: 'error'; event: number; message: string }

const WAIT_MS = 5_000

/** The listening server's /live URL: the tests talk to a real socket, as a browser would. */
export async function liveUrl(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return `ws://127.0.0.1:${port}/live`
}

/**
 * Puts this file's test app on a real port, and closes after each test every
 * client it opened. Call after useTestApp, so that the app exists first.
 */
export function useLiveClients(t: AppHandle) {
  let url = ''
  const clients: LiveClient[] = []
  beforeAll(async () => {
    url = await liveUrl(t.app)
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()))
  })
  return {
    get url() {
      return url
    },
    async connect(options: ConnectOptions = {}): Promise<LiveClient> {
      const client = await LiveClient.connect(url, options)
      clients.push(client)
      return client
    },
  }
}

export interface ConnectOptions {
  cookie?: string
  /** Sent with the upgrade, as a browser sends Origin; none by default, as from a script. */
  headers?: Record<string, string>
}

/** A WebSocket client that keeps every message it receives and can wait for the next one that matches. */
export class LiveClient {
  readonly messages: LiveMessage[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  private waiters: (() => void)[] = []

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as LiveMessage)
      for (const wake of this.waiters.splice(0)) wake()
    })
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  static async connect(url: string, options: ConnectOptions = {}): Promise<LiveClient> {
    const ws = new WebSocket(url, { headers: { ...options.headers, ...(options.cookie && { cookie: options.cookie }) } })
    const client = new LiveClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  subscribe(...events: number[]): void {
    this.send({ type: 'subscribe', events })
  }

  unsubscribe(...events: number[]): void {
    this.send({ type: 'unsubscribe', events })
  }

  /** Waits for a message after the first `from` that matches; fails the test if none comes in a few seconds. */
  async waitFor(match: (message: LiveMessage) => boolean, from = 0): Promise<LiveMessage> {
    const deadline = Date.now() + WAIT_MS
    for (;;) {
      const found = this.messages.slice(from).find(match)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching live message; received: ${JSON.stringify(this.messages)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** How the server closed the socket; fails the test if it stays open a few seconds. */
  async waitForClose(): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined
    const stillOpen = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the socket stayed open; received: ${JSON.stringify(this.messages)}`)), WAIT_MS)
    })
    try {
      return await Promise.race([this.closed, stillOpen])
    } finally {
      clearTimeout(timer)
    }
  }

  /** The next state of this event with this remaining count for its first ticket type. */
  async waitForRemaining(eventId: number, remaining: number, from = 0): Promise<LiveState> {
    const message = await this.waitFor(
      (m) => m.type === 'state' && m.event.id === eventId && m.event.ticketTypes[0]?.remaining === remaining,
      from,
    )
    return (message as { event: LiveState }).event
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close()
    await this.closed
  }
}

/** A committed sale, as the purchase feature would make it, then the notification it sends. */
export async function sell(app: FastifyInstance, ticketTypeId: number, eventId: number, quantity = 1): Promise<void> {
  await app.db
    .updateTable('ticketTypes')
    .set((eb) => ({ sold: eb('sold', '+', quantity) }))
    .where('id', '=', ticketTypeId)
    .execute()
  app.eventChanges.notify(eventId)
}

/** Waits long enough for a coalesced round to have gone out (several times the 250 ms pace). */
export function quietWindow(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000))
}
