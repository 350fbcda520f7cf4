import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'
import type { WebSocket } from 'ws'
import { LiveHub } from '../../src/features/live/live.hub.js'
import { LIMITS } from '../../src/features/live/live.protocol.js'
import { LiveSocket } from '../../src/features/live/live.socket.js'

/** A socket's server side without a network: what the sweep does to it is all that matters here. */
function fakeSocket(now: number) {
  const ws = { OPEN: 1, readyState: 1, bufferedAmount: 0, ping: vi.fn(), terminate: vi.fn(), close: vi.fn(), send: vi.fn() }
  return { ws, socket: new LiveSocket(ws as unknown as WebSocket, null, '192.0.2.1', now) }
}

function hub() {
  const counters = { messageSent: vi.fn(), stateLoaded: vi.fn(), closed: vi.fn() }
  const reads = { state: async () => undefined, sessions: async () => new Map() }
  return { counters, hub: new LiveHub(reads, counters, pino({ level: 'silent' })) }
}

describe('live keepalive and idle sockets', () => {
  it('pings every socket, and drops one that did not answer the previous ping', async () => {
    const { hub: live, counters } = hub()
    const answers = fakeSocket(0)
    const silent = fakeSocket(0)
    for (const { socket } of [answers, silent]) {
      live.add(socket)
      live.subscribe(socket, [1])
    }

    await live.sweep(1_000)
    expect(answers.ws.ping).toHaveBeenCalledTimes(1)
    expect(silent.ws.ping).toHaveBeenCalledTimes(1)
    answers.socket.alive = true // its pong arrived

    await live.sweep(2_000)
    expect(answers.ws.ping).toHaveBeenCalledTimes(2)
    expect(answers.ws.terminate).not.toHaveBeenCalled()
    expect(silent.ws.terminate).toHaveBeenCalledTimes(1)
    expect(counters.closed).toHaveBeenCalledWith('unresponsive')
    live.close()
  })

  it('closes a socket that has followed nothing for the idle time, and keeps one that follows an event', async () => {
    const { hub: live, counters } = hub()
    const idle = fakeSocket(0)
    const following = fakeSocket(0)
    live.add(idle.socket)
    live.add(following.socket)
    live.subscribe(following.socket, [7])

    await live.sweep(LIMITS.idleMs - 1)
    expect(idle.ws.close).not.toHaveBeenCalled()
    idle.socket.alive = true
    following.socket.alive = true

    await live.sweep(LIMITS.idleMs)
    expect(idle.ws.close).toHaveBeenCalledWith(1000, 'idle: no events followed')
    expect(following.ws.close).not.toHaveBeenCalled()
    expect(counters.closed).toHaveBeenCalledWith('idle')
    live.close()
  })

  it('counts an unsubscribe from everything as the start of idleness', async () => {
    const { hub: live } = hub()
    const { ws, socket } = fakeSocket(0)
    live.add(socket)
    live.subscribe(socket, [3])
    live.unsubscribe(socket, [3], 10_000)
    socket.alive = true

    await live.sweep(10_000 + LIMITS.idleMs - 1)
    expect(ws.close).not.toHaveBeenCalled()
    socket.alive = true
    await live.sweep(10_000 + LIMITS.idleMs)
    expect(ws.close).toHaveBeenCalledWith(1000, 'idle: no events followed')
    live.close()
  })
})
