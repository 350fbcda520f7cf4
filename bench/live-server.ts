/**
 * One app instance under test for bench/live.ts, in a process of its own. It
 * runs compiled, as dist/bench/live-server.js next to the production build
 * (bench/live.ts writes it there), so that `../src/app.js` is dist/src/app.js
 * and the process's memory is the app's alone, without the TypeScript loader.
 *
 * It takes commands over the IPC channel and commits changes on command: an
 * UPDATE of the ticket type's `sold`, then `app.eventChanges.notify()`,
 * exactly where the purchase calls it.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { buildApp } from '../src/app.js'
import { type Config, MAIL_TIMING } from '../src/config.js'
import { type BenchEvent, seedOnSaleEvent } from './seed.js'
import type { Db } from '../src/db/database.js'

const RSS_SAMPLE_MS = 50

export interface Commit {
  sold: number
  /** performance.timeOrigin + performance.now(): the same wall clock in every process. */
  at: number
}

export type { BenchEvent } from './seed.js'

/** Changes one after another, each after the last has committed, then a pause. */
export interface Paced {
  changes: number
  intervalMs: number
}

/** Changes started at a steady rate, whether or not the previous ones have committed. */
export interface Storm {
  durationMs: number
  perSecond: number
}

export type Command =
  /** Builds the app on this database (migrating it) and listens on a port of its own. */
  | { cmd: 'start'; databaseUrl: string; dataDir: string }
  /** An organiser, a published event and one ticket type of this capacity. */
  | { cmd: 'seed'; capacity: number }
  | { cmd: 'paced'; event: BenchEvent; pace: Paced }
  | { cmd: 'storm'; event: BenchEvent; pace: Storm }
  /** Memory now, and the peak RSS since the last `memory` command. */
  | { cmd: 'memory' }
  | { cmd: 'stop' }

export type Reply =
  | { kind: 'started'; port: number }
  | { kind: 'seeded'; event: BenchEvent }
  | { kind: 'commits'; commits: Commit[] }
  | { kind: 'memory'; rss: number; heapUsed: number; peakRss: number }
  | { kind: 'stopped' }

const now = () => performance.timeOrigin + performance.now()

function benchConfig(databaseUrl: string, dataDir: string): Config {
  return {
    nodeEnv: 'production',
    host: '127.0.0.1',
    port: 0,
    databaseUrl,
    dataDir,
    sessionSecret: randomBytes(32).toString('base64url'),
    trustProxy: false,
    publicUrl: null,
    logLevel: 'warn',
    sqliteSynchronous: 'full',
    rateLimits: { globalPerMinute: 1_000_000, authPer15Minutes: 1_000, purchasePerMinute: 1_000_000 },
    maxTicketsPerOrder: 50,
    timeouts: { requestMs: 30_000, idleMs: 75_000 },
    mail: { ...MAIL_TIMING, smtpUrl: null, from: 'tickets@localhost' },
    stripe: null,
  }
}

/** One committed change, as the purchase commits it. */
async function commitChange(db: Db, ticketTypeId: number): Promise<Commit> {
  const row = await db
    .updateTable('ticketTypes')
    .set((eb) => ({ sold: eb('sold', '+', 1) }))
    .where('id', '=', ticketTypeId)
    .returning('sold')
    .executeTakeFirstOrThrow()
  return { sold: row.sold, at: now() }
}

async function paced(change: () => Promise<Commit>, pace: Paced): Promise<Commit[]> {
  const commits: Commit[] = []
  for (let i = 0; i < pace.changes; i++) {
    commits.push(await change())
    await sleep(pace.intervalMs)
  }
  return commits
}

async function storm(change: () => Promise<Commit>, pace: Storm): Promise<Commit[]> {
  const commits: Commit[] = []
  const start = Date.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < (pace.durationMs * pace.perSecond) / 1000; i++) {
    await sleep(start + (i * 1000) / pace.perSecond - Date.now())
    pending.push(change().then((commit) => void commits.push(commit)))
  }
  await Promise.all(pending)
  return commits
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

async function serve() {
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  const send = (reply: Reply) => process.send!(reply)
  const change = (event: BenchEvent) => async () => {
    const commit = await commitChange(app!.db, event.ticketTypeId)
    app!.eventChanges.notify(event.eventId)
    return commit
  }
  let peakRss = process.memoryUsage.rss()
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS).unref()

  process.on('message', async (command: Command) => {
    switch (command.cmd) {
      case 'start': {
        app = await buildApp(benchConfig(command.databaseUrl, command.dataDir))
        await app.listen({ port: 0, host: '127.0.0.1' })
        const address = app.server.address()
        send({ kind: 'started', port: typeof address === 'object' && address ? address.port : 0 })
        break
      }
      case 'seed':
        send({ kind: 'seeded', event: await seedOnSaleEvent(app!.db, command.capacity, 'Fan-out night') })
        break
      case 'paced':
        send({ kind: 'commits', commits: await paced(change(command.event), command.pace) })
        break
      case 'storm':
        send({ kind: 'commits', commits: await storm(change(command.event), command.pace) })
        break
      case 'memory': {
        const { rss, heapUsed } = process.memoryUsage()
        send({ kind: 'memory', rss, heapUsed, peakRss: Math.max(peakRss, rss) })
        peakRss = rss
        break
      }
      case 'stop':
        await app?.close()
        send({ kind: 'stopped' })
        process.exit(0)
    }
  })
}

void serve()
