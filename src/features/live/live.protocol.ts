import { MAX_INT32 } from '../../lib/numbers.js'

/**
 * What a live client may send, and how the server refuses the rest. Anything
 * else closes the socket with a code and a reason; nothing a client sends can
 * throw past this module.
 *
 *   {"type":"subscribe","events":[12,13]}    follow these events
 *   {"type":"unsubscribe","events":[12]}     stop following them
 */
export interface ClientMessage {
  type: 'subscribe' | 'unsubscribe'
  events: number[]
}

export interface Refusal {
  /** 1003: not something the server reads at all; 1008: readable, but against the protocol. */
  code: 1003 | 1008
  reason: string
}

export const LIMITS = {
  /** A subscribe carrying 100 ids is well under 1 KiB. */
  maxMessageBytes: 4 * 1024,
  /** A browse page lists 20 events; an organiser's dashboard rarely more. */
  maxSubscriptions: 100,
  /** Messages a client may send in a burst, refilled at one a second. */
  messageBurst: 20,
  /** Connections from one address: generous, because a venue or a mobile carrier puts many people behind one. */
  maxConnectionsPerIp: 200,
  /** A socket that follows nothing for this long is closed. */
  idleMs: 60_000,
  /** Every socket is pinged this often; one that did not answer the previous ping is dropped. */
  pingIntervalMs: 30_000,
  /** A client that stops reading while this much waits to be sent is dropped rather than buffered. */
  maxBufferedBytes: 1024 * 1024,
  /** The least time between two state messages for one event: a storm of purchases sends the latest state at this pace. */
  coalesceMs: 250,
}

const MAX_EVENT_ID = MAX_INT32

export function parseClientMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ClientMessage | Refusal {
  if (isBinary) return { code: 1003, reason: 'binary messages are not accepted' }
  let parsed: unknown
  try {
    parsed = JSON.parse(toText(data))
  } catch {
    return { code: 1003, reason: 'messages must be JSON' }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { code: 1008, reason: 'messages must be JSON objects' }
  const { type, events } = parsed as Record<string, unknown>
  if (type !== 'subscribe' && type !== 'unsubscribe') return { code: 1008, reason: 'type must be subscribe or unsubscribe' }
  if (!Array.isArray(events) || !events.every((id) => Number.isInteger(id) && id > 0 && id <= MAX_EVENT_ID)) {
    return { code: 1008, reason: 'events must be a list of event ids' }
  }
  if (events.length > LIMITS.maxSubscriptions) return { code: 1008, reason: 'too many events in one message' }
  return { type, events: [...new Set(events as number[])] }
}

function toText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8')
}

export function isRefusal(value: ClientMessage | Refusal): value is Refusal {
  return 'code' in value
}
