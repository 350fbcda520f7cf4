import { EventEmitter } from 'node:events'
import fp from 'fastify-plugin'

/**
 * Features say `app.afterCommit({ eventChanged: eventId })` (after-commit.ts) right after a transaction
 * that changed what the public or the owner sees of an event commits (a
 * purchase, a cancellation, a capacity edit, publish, unpublish, cancel).
 * Never before the commit, and never for a rolled-back change. The live
 * availability feature listens here and fans the change out.
 */
export class EventChanges extends EventEmitter<{ changed: [eventId: number] }> {
  notify(eventId: number): void {
    this.emit('changed', eventId)
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    eventChanges: EventChanges
  }
}

export default fp(
  async (app) => {
    const changes = new EventChanges()
    changes.setMaxListeners(0)
    app.decorate('eventChanges', changes)
  },
  { name: 'event-changes' },
)
