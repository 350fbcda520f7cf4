/**
 * How long `npm start` takes to its first 200, as a newcomer meets it
 * (issue 15: under 2 s on a clean clone after `npm install`).
 *
 *   npx tsx bench/start.ts        (also part of `npm run bench`)
 *
 * It clones this repository's HEAD into a temporary folder, gives it this
 * checkout's node_modules (a symlink: `npm install` itself is not what is
 * measured, and the registry may be slow) and runs what `npm install` runs
 * afterwards, the `prepare` script. Then it times `npm start`, from spawning
 * npm to the first 200 from GET /, in three situations:
 *
 *   first start     a fresh DATA_DIR: the SQLite file is created and migrated
 *   again           the same database, nothing changed
 *   after a change  one source file edited: the start compiles first
 *
 * Each is run RUNS times and the median is reported, with the target beside
 * it, and written to bench/START-RESULTS.md (earlier runs kept).
 */
import { execFileSync, spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import { earlierRuns } from './results-file.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const RESULTS = path.join(ROOT, 'bench', 'START-RESULTS.md')
const RUNS = Number(process.env.BENCH_START_RUNS ?? 3)
const TARGET_MS = 2000
const PORT = 3900 + (process.pid % 100)

interface Situation {
  name: string
  /** Run before each timed start. */
  prepare: (clone: string, run: number) => void
}

const situations: Situation[] = [
  { name: 'first start (new database)', prepare: (clone) => rmSync(path.join(clone, 'data'), { recursive: true, force: true }) },
  { name: 'again (same database, nothing changed)', prepare: () => {} },
  {
    name: 'after a source change',
    prepare: (clone, run) => appendFileSync(path.join(clone, 'src', 'server.ts'), `\n// bench/start.ts edit ${run}\n`),
  },
]

async function main() {
  const clone = mkdtempSync(path.join(tmpdir(), 'admit-one-start-'))
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone])
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'))
    // What `npm install` runs after installing: the build, once.
    execFileSync('npm', ['run', '--silent', 'prepare'], { cwd: clone, stdio: 'inherit' })

    // One start that is not measured, so that the first measured one is not
    // also the first time the OS reads node_modules from disk.
    await timeStart(clone)
    rmSync(path.join(clone, 'data'), { recursive: true, force: true })

    const rows: { name: string; median: number; all: number[] }[] = []
    for (const situation of situations) {
      const all: number[] = []
      for (let run = 0; run < RUNS; run++) {
        situation.prepare(clone, run)
        all.push(await timeStart(clone))
      }
      const median = [...all].sort((a, b) => a - b)[Math.floor(all.length / 2)] ?? 0
      rows.push({ name: situation.name, median, all })
      console.log(`${situation.name}: median ${median} ms (${all.join(', ')} ms)`)
    }
    for (const row of rows.slice(0, 2)) {
      console.log(`  npm start, ${row.name}: ${row.median} ms (target < ${TARGET_MS} ms: ${row.median < TARGET_MS ? 'met' : 'NOT met'})`)
    }
    record(rows)
  } finally {
    rmSync(clone, { recursive: true, force: true })
  }
}

/** Spawns `npm start` in `clone`, waits for GET / to answer 200, stops it, and returns the milliseconds. */
async function timeStart(clone: string): Promise<number> {
  const started = performance.now()
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${stderr}`)
      if (performance.now() - started > 60_000) throw new Error(`no 200 after 60 s:\n${stderr}`)
      try {
        const response = await fetch(`http://127.0.0.1:${PORT}/`)
        await response.arrayBuffer()
        if (response.status === 200) return Math.round(performance.now() - started)
      } catch {
        // Not listening yet.
      }
      await sleep(10)
    }
  } finally {
    // npm starts node as its child: stop the whole group, and wait for the port to be free.
    process.kill(-child.pid!, 'SIGTERM')
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)))
    await sleep(200)
  }
}

function record(rows: { name: string; median: number; all: number[] }[]) {
  const cpu = cpus()
  const header = '# Start-up results\n\nWritten by `npx tsx bench/start.ts` (part of `npm run bench`). Do not edit by hand.\n\n'
  const run = [
    `- Measured: ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
    `- A clone of HEAD with this checkout's node_modules, after \`npm run prepare\` (what \`npm install\` runs); time from spawning \`npm start\` to the first 200 from GET /, median of ${RUNS}`,
    '',
    '| Situation | Median ms | Runs ms | Target |',
    '|---|---|---|---|',
    ...rows.map(
      (r, i) =>
        `| ${r.name} | ${r.median} | ${r.all.join(', ')} | ${i < 2 ? `< ${TARGET_MS} ms: ${r.median < TARGET_MS ? 'met' : 'not met'}` : 'none (compiles)'} |`,
    ),
    '',
  ].join('\n')
  writeFileSync(RESULTS, header + run + earlierRuns(RESULTS))
}

await main()
