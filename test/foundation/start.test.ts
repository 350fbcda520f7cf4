import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/lib/paths.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describeEachDatabase('the server started from the command line on a new install', (kind) => {
  let database: TestDatabase | undefined
  let child: ChildProcess | undefined
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    await database?.drop()
  })

  /** src/server.ts as `npm start` runs it, with only the environment a newcomer would set; resolves with its stdout once it listens. */
  async function start(env: Record<string, string>): Promise<string> {
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = server
    let stdout = ''
    let stderr = ''
    server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    return new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('Server listening at')) resolve(stdout)
      })
      server.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stdout}${stderr}`)))
    })
  }

  it('prints the setup link once as the plain line the README shows, and keeps its data under DATA_DIR', async () => {
    database = await createTestDatabase(kind)
    const dataDir = path.join(database.dir, 'site-data')
    const port = await freePort()
    const env = { DATA_DIR: dataDir, PORT: String(port), ...(kind === 'postgres' && { DATABASE_URL: database.url }) }
    const plainLine =
      /^No admin account yet\. Create the first one at http:\/\/localhost:(\d+)(\/setup\?token=[\w-]+) \(a one-time link; use your site's address if it is not this one\)\.$/gm

    const stdout = await start(env)

    const lines = [...stdout.matchAll(plainLine)]
    expect(lines).toHaveLength(1)
    expect(lines[0]![1]).toBe(String(port))
    expect((await fetch(`http://127.0.0.1:${port}${lines[0]![2]}`)).status).toBe(200)
    // Without DATABASE_URL the SQLite database is DATA_DIR/admit-one.sqlite; the generated session secret is there in any case.
    expect(existsSync(path.join(dataDir, 'admit-one.sqlite'))).toBe(kind === 'sqlite')
    expect(existsSync(path.join(dataDir, 'session-secret'))).toBe(true)
  })
})
