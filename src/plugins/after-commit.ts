import fp from 'fastify-plugin'

/** What a committed transaction leaves to do: the live pages of an event to tell, messages in the outbox to send. */
export interface Committed {
  /** The event whose availability or state changed: its live pages are told. */
  eventChanged?: number
  /** The transaction enqueued mail (enqueueMail): the sender is woken rather than waiting for its next poll. */
  mailQueued?: boolean
}

/**
 * Said by a service or a route once its transaction has committed, never
 * before and never for a rolled-back change: `afterCommit({ eventChanged: id, mailQueued: true })`.
 */
export type AfterCommit = (committed: Committed) => void

declare module 'fastify' {
  interface FastifyInstance {
    afterCommit: AfterCommit
  }
}

/** `wakeMail` is the outbox sender's wake-up, given by the app, which knows the mail feature (infrastructure does not). */
export default fp(
  async (app, options: { wakeMail: () => void }) => {
    app.decorate('afterCommit', (committed: Committed) => {
      if (committed.eventChanged !== undefined) app.eventChanges.notify(committed.eventChanged)
      if (committed.mailQueued) options.wakeMail()
    })
  },
  { name: 'after-commit', dependencies: ['event-changes'] },
)
