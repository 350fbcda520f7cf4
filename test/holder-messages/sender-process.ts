import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'

/**
 * The app in a process of its own, configured from the environment as
 * src/server.ts is, with a sender that polls often and holds a message for a
 * short lease: the sender that five-hundred.test.ts kills (SIGKILL) in the
 * middle of a message to ticket holders. It serves no requests; it says
 * "ready" once its sender runs, and lives until it is killed.
 */
const config = loadConfig()
const app = await buildApp({ ...config, mail: { ...config.mail, pollMs: 50, leaseMs: Number(process.env.TEST_LEASE_MS ?? 3000) } })
await app.ready()
process.stdout.write('ready\n')
setInterval(() => {}, 60_000)
