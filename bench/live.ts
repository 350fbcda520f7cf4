/**
 * `npm run bench:live`: fan-out of live availability to 1,000 sockets on one event.
 *
 * The app runs in a child process of its own (so that its memory is the
 * server's alone) and commits changes there on command: an UPDATE of the
 * ticket type's `sold`, then `app.eventChanges.notify()`, exactly where the
 * purchase calls it. This process holds the 1,000 WebSocket clients and
 * measures, for every commit and every client, the delay from the commit to
 * the first message that shows it. Both processes read the same wall clock
 * (performance.timeOrigin + performance.now()).
 *
 * Phases:
 * - paced: one change every 400 ms, slower than the 250 ms coalescing pace, so
 *   each change travels alone: the delay of the fan-out itself.
 * - storm: 500 changes a second for 5 s, more than the purchase path commits:
 *   the delay includes waiting for the next coalesced round. (A writer that
 *   never yields to the event loop would starve every timer, the coalescing
 *   one too; purchases arrive over HTTP and yield.)
 * - on PostgreSQL, cross-instance: a second app instance in this process
 *   commits and notifies; the server hears it through LISTEN/NOTIFY.
 *
 *   npm run bench:live                                       # SQLite
 *   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:live   # and PostgreSQL
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { WebSocket } from 'ws'
import { buildApp } from '../src/app.js'
import type { Config } from '../src/config.js'
import type { Db } from '../src/db/database.js'

const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? 1000)
/** The per-address connection limit is 200: the clients spread over loopback addresses, 100 each. */
const CLIENTS_PER_ADDRESS = 100
const CAPACITY = 1_000_000
const PACED = { changes: 40, intervalMs: 400 }
/** Well above the purchase rate `npm run bench` measured on this kind of machine (about 200/s on SQLite). */
const STORM = { durationMs: 5_000, perSecond: 500 }

interface Commit {
  sold: number
  at: number
}

type Command =
  | { cmd: 'start'; databaseUrl: string; dataDir: string }
  | { cmd: 'paced' }
  | { cmd: 'storm' }
  | { cmd: 'memory' }
  | { cmd: 'stop' }

type Reply =
  | { kind: 'started'; port: number; eventId: number; ticketTypeId: number }
  | { kind: 'commits'; commits: Commit[]; peakRss: number }
  | { kind: 'memory'; rss: number; heapUsed: number }
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
  }
}

/** One committed change, then the notification, as the purchase does it. */
async function commitChange(db: Db, ticketTypeId: number): Promise<Commit> {
  const row = await db
    .updateTable('ticketTypes')
    .set((eb) => ({ sold: eb('sold', '+', 1) }))
    .where('id', '=', ticketTypeId)
    .returning('sold')
    .executeTakeFirstOrThrow()
  return { sold: row.sold, at: now() }
}

async function paced(change: () => Promise<Commit>): Promise<Commit[]> {
  const commits: Commit[] = []
  for (let i = 0; i < PACED.changes; i++) {
    commits.push(await change())
    await sleep(PACED.intervalMs)
  }
  return commits
}

async function storm(change: () => Promise<Commit>): Promise<Commit[]> {
  const commits: Commit[] = []
  const start = Date.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < (STORM.durationMs * STORM.perSecond) / 1000; i++) {
    await sleep(start + (i * 1000) / STORM.perSecond - Date.now())
    pending.push(change().then((commit) => void commits.push(commit)))
  }
  await Promise.all(pending)
  return commits
}

/** The child: the app under test, and the one place that commits changes for the single-instance phases. */
async function serve() {
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  let ticketTypeId = 0
  let eventId = 0
  const send = (reply: Reply) => process.send!(reply)
  const change = async () => {
    const commit = await commitChange(app!.db, ticketTypeId)
    app!.eventChanges.notify(eventId)
    return commit
  }
  const withPeakRss = async (run: () => Promise<Commit[]>) => {
    let peakRss = process.memoryUsage().rss
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
    const commits = await run()
    await sleep(1_000)
    clearInterval(sampler)
    send({ kind: 'commits', commits, peakRss })
  }
  process.on('message', async (command: Command) => {
    switch (command.cmd) {
      case 'start': {
        app = await buildApp(benchConfig(command.databaseUrl, command.dataDir))
        await app.listen({ port: 0, host: '127.0.0.1' })
        ;({ eventId, ticketTypeId } = await seed(app.db))
        const address = app.server.address()
        send({ kind: 'started', port: typeof address === 'object' && address ? address.port : 0, eventId, ticketTypeId })
        break
      }
      case 'paced':
        return withPeakRss(() => paced(change))
      case 'storm':
        return withPeakRss(() => storm(change))
      case 'memory': {
        const { rss, heapUsed } = process.memoryUsage()
        send({ kind: 'memory', rss, heapUsed })
        break
      }
      case 'stop':
        await app?.close()
        send({ kind: 'stopped' })
        process.exit(0)
    }
  })
}

async function seed(db: Db): Promise<{ eventId: number; ticketTypeId: number }> {
  const at = Date.now()
  const owner = await db
    .insertInto('users')
    .values({ email: 'bench@example.test', name: 'Bench Organiser', passwordHash: 'x', role: 'organiser', status: 'active', organiserRequestedAt: null, createdAt: at })
    .returning('id')
    .executeTakeFirstOrThrow()
  const event = await db
    .insertInto('events')
    .values({
      ownerId: owner.id,
      title: 'Fan-out night',
      description: 'Benchmark',
      venue: 'Loopback Hall',
      startsAt: at + 86_400_000,
      endsAt: at + 90_000_000,
      timeZone: 'UTC',
      imageUrl: null,
      capacity: null,
      status: 'published',
      publishedAt: at - 60_000,
      cancelledAt: null,
      createdAt: at,
      updatedAt: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const type = await db
    .insertInto('ticketTypes')
    .values({ eventId: event.id, name: 'Standard', priceMinor: 2500, capacity: CAPACITY, maxPerOrder: 10, salesStartAt: null, salesEndAt: null, createdAt: at })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { eventId: event.id, ticketTypeId: type.id }
}

/** What one client saw: the remaining count of each message and when it arrived. */
class Client {
  readonly arrivals: { remaining: number; at: number }[] = []
  constructor(readonly ws: WebSocket) {}
}

async function connectClients(port: number, eventId: number): Promise<Client[]> {
  const clients: Client[] = []
  const firstStates: Promise<void>[] = []
  for (let i = 0; i < CLIENTS; i++) {
    const localAddress = `127.0.0.${2 + Math.floor(i / CLIENTS_PER_ADDRESS)}`
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, { localAddress })
    const client = new Client(ws)
    clients.push(client)
    firstStates.push(
      new Promise((resolve, reject) => {
        ws.on('error', reject)
        ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', events: [eventId] })))
        ws.on('message', (data) => {
          const at = now()
          const message = JSON.parse(String(data)) as { type: string; event: { ticketTypes: { remaining: number }[] } }
          if (message.type !== 'state') return
          client.arrivals.push({ remaining: message.event.ticketTypes[0]!.remaining, at })
          resolve()
        })
      }),
    )
  }
  await Promise.all(firstStates)
  return clients
}

interface PhaseFigures {
  phase: string
  changes: number
  messagesPerClient: number
  p50: number
  p99: number
  max: number
  missed: number
  peakRssMb: number | null
}

/** For each commit and each client, the delay to the first message showing that commit (or a later one). */
function measure(phase: string, commits: Commit[], clients: Client[], since: number, peakRss: number | null): PhaseFigures {
  const ordered = [...commits].sort((a, b) => a.sold - b.sold)
  const delays: number[] = []
  let missed = 0
  let messages = 0
  for (const client of clients) {
    const arrivals = client.arrivals.filter((arrival) => arrival.at >= since)
    messages += arrivals.length
    let next = 0
    for (const commit of ordered) {
      const shows = CAPACITY - commit.sold
      while (next < arrivals.length && arrivals[next]!.remaining > shows) next++
      if (next === arrivals.length) missed++
      else delays.push(arrivals[next]!.at - commit.at)
    }
  }
  delays.sort((a, b) => a - b)
  const pick = (q: number) => round(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? NaN)
  return {
    phase,
    changes: commits.length,
    messagesPerClient: round(messages / clients.length),
    p50: pick(0.5),
    p99: pick(0.99),
    max: round(delays.at(-1) ?? NaN),
    missed,
    peakRssMb: peakRss === null ? null : mb(peakRss),
  }
}

async function runOn(label: string, databaseUrl: string, dataDir: string) {
  console.log(`\n== ${label}`)
  const server = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: 'inherit' })
  const ask = (command: Command) => request(server, command)
  try {
    const started = (await ask({ cmd: 'start', databaseUrl, dataDir })) as Extract<Reply, { kind: 'started' }>
    const idle = (await ask({ cmd: 'memory' })) as Extract<Reply, { kind: 'memory' }>
    const connectStart = Date.now()
    const clients = await connectClients(started.port, started.eventId)
    console.log(`${clients.length} clients connected and subscribed in ${Date.now() - connectStart} ms`)
    await sleep(1_000)
    const connected = (await ask({ cmd: 'memory' })) as Extract<Reply, { kind: 'memory' }>

    const phases: PhaseFigures[] = []
    for (const phase of ['paced', 'storm'] as const) {
      const since = now()
      const result = (await ask({ cmd: phase })) as Extract<Reply, { kind: 'commits' }>
      phases.push(measure(phase, result.commits, clients, since, result.peakRss))
      console.log(phases.at(-1))
    }

    if (databaseUrl.startsWith('postgres')) {
      // Instance A, in this process, on the same database: the server (B) hears of its changes only through NOTIFY.
      const other = await buildApp(benchConfig(databaseUrl, dataDir))
      await other.ready()
      const since = now()
      const commits = await paced(async () => {
        const commit = await commitChange(other.db, started.ticketTypeId)
        other.eventChanges.notify(started.eventId)
        return commit
      })
      await sleep(1_000)
      phases.push(measure('paced, other instance', commits, clients, since, null))
      console.log(phases.at(-1))
      await other.close()
    }

    for (const client of clients) client.ws.terminate()
    return { label, idle, connected, phases }
  } finally {
    await ask({ cmd: 'stop' }).catch(() => server.kill())
  }
}

function request(child: ChildProcess, command: Command): Promise<Reply> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply) => resolve(reply as Reply))
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)))
    child.send(command)
  })
}

async function main() {
  const runs = []
  const dir = mkdtempSync(path.join(os.tmpdir(), 'admit-one-bench-live-'))
  try {
    runs.push(await runOn('SQLite', `sqlite:${path.join(dir, 'bench.sqlite')}`, dir))
    const postgresUrl = process.env.BENCH_POSTGRES_URL
    if (postgresUrl) {
      const name = `admit_one_bench_live_${randomBytes(4).toString('hex')}`
      await adminQuery(postgresUrl, `create database ${name}`)
      const url = new URL(postgresUrl)
      url.pathname = `/${name}`
      try {
        runs.push(await runOn('PostgreSQL', url.toString(), dir))
      } finally {
        await adminQuery(postgresUrl, `drop database if exists ${name} with (force)`)
      }
    } else {
      console.log('PostgreSQL skipped: set BENCH_POSTGRES_URL to include it.')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  console.log(`\nNode ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${mb(os.totalmem())} MB RAM, ${CLIENTS} clients`)
  console.log('| Database | Phase | Changes | Messages per client | p50 ms | p99 ms | max ms | Missed | Server RSS peak MB |')
  console.log('|---|---|---|---|---|---|---|---|---|')
  for (const run of runs) {
    for (const phase of run.phases) {
      console.log(
        `| ${run.label} | ${phase.phase} | ${phase.changes} | ${phase.messagesPerClient} | ${phase.p50} | ${phase.p99} | ${phase.max} | ${phase.missed} | ${phase.peakRssMb ?? '–'} |`,
      )
    }
  }
  console.log('\n| Database | Server RSS idle MB | with clients MB | heap used with clients MB |')
  console.log('|---|---|---|---|')
  for (const run of runs) console.log(`| ${run.label} | ${mb(run.idle.rss)} | ${mb(run.connected.rss)} | ${mb(run.connected.heapUsed)} |`)
}

async function adminQuery(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

function round(value: number) {
  return Math.round(value * 10) / 10
}

function mb(bytes: number) {
  return Math.round(bytes / 1024 / 1024)
}

if (process.argv[2] === 'serve') {
  void serve()
} else {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
