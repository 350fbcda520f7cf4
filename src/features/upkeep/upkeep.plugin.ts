import fp from 'fastify-plugin'
import { settleAll } from './settle.js'

/** How often the round settles the events nobody looked at: what the mail sender's poll was when the round was its. */
const ROUND_MS = 5_000

export interface Upkeep {
  /** One round now, awaited (after one in progress): for tests. */
  runRound(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    upkeep: Upkeep
  }
}

/**
 * The background round of upkeep, in the app process: every ROUND_MS it
 * settles every event with something that ran out (settleAll), so that an
 * offer nobody looks at still lapses and goes to the next person in time. The
 * live pages of each event it changed are told, and the sender wakes for the
 * messages it wrote. Pages settle an event themselves before they count it;
 * this round only covers the events no page read.
 */
export default fp(
  async (app) => {
    let timer: NodeJS.Timeout | undefined
    let running: Promise<void> | undefined
    let stopped = true

    async function runRound(): Promise<void> {
      while (running) await running
      running = (async () => {
        for (const eventId of await settleAll(app.db)) app.afterCommit({ eventChanged: eventId, mailQueued: true })
      })()
      try {
        await running
      } finally {
        running = undefined
      }
    }

    function scheduleNext(): void {
      if (stopped) return
      timer = setTimeout(() => {
        runRound()
          .catch((error: unknown) => app.log.error({ err: error }, 'upkeep: the round failed'))
          .finally(scheduleNext)
      }, ROUND_MS)
      // The round alone never keeps the process alive (a CLI or a test that is done may exit).
      timer.unref()
    }

    app.decorate('upkeep', { runRound })
    app.addHook('onReady', async () => {
      stopped = false
      scheduleNext()
    })
    // Waits for a round in progress; runs before the database closes (onClose hooks run in reverse order of registration).
    app.addHook('onClose', async () => {
      stopped = true
      clearTimeout(timer)
      await running
    })
  },
  { name: 'upkeep', dependencies: ['db', 'after-commit'] },
)
