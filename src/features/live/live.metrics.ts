import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { HubCounters } from './live.hub.js'

/**
 * Figures for the operator, in the Prometheus text format written by
 * prom-client. A registry per app, not prom-client's global one, so that two
 * apps in one process (the tests) keep their own counts.
 */
export function createLiveMetrics(current: { sockets(): number; subscriptions(): number }) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Gauge({
    name: 'admit_one_live_sockets_open',
    help: 'Live availability WebSocket connections open on this instance.',
    registers: [registry],
    collect() {
      this.set(current.sockets())
    },
  })
  new Gauge({
    name: 'admit_one_live_subscriptions',
    help: 'Events followed, summed over the open live sockets.',
    registers: [registry],
    collect() {
      this.set(current.subscriptions())
    },
  })
  const messagesSent = new Counter({
    name: 'admit_one_live_messages_sent_total',
    help: 'Messages sent to live sockets.',
    registers: [registry],
  })
  const stateReads = new Counter({
    name: 'admit_one_live_state_reads_total',
    help: 'Event states read from the database for live sockets (one per event per coalesced round).',
    registers: [registry],
  })
  const remoteChanges = new Counter({
    name: 'admit_one_live_remote_changes_total',
    help: 'Changes notified by other instances through PostgreSQL.',
    registers: [registry],
  })
  const closedByServer = new Counter({
    name: 'admit_one_live_sockets_closed_by_server_total',
    help: 'Live sockets the server closed, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  })

  const counters: HubCounters = {
    messageSent: () => messagesSent.inc(),
    stateLoaded: () => stateReads.inc(),
    closed: (reason) => closedByServer.inc({ reason }),
  }
  return {
    registry,
    counters,
    remoteChange: () => remoteChanges.inc(),
  }
}
