import fp from 'fastify-plugin'
import type { ConfirmSeams } from './confirm.js'
import { stripeClient } from './methods/card.js'
import { Payments } from './payments.js'
import { refundSender } from './refunds.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The payment methods this site offers, and the confirming of payments (src/features/payments). */
    payments: Payments
  }
}

/**
 * Payments: Stripe's client when its keys are set (never logged), and the
 * outbox task that sends refunds. Registered after mail, whose sender runs
 * the task.
 */
export default fp(
  async (app, options: { seams?: ConfirmSeams }) => {
    const stripe = app.config.stripe ? stripeClient(app.config.stripe) : null
    const payments = new Payments(app.db, stripe, app.log, options.seams)
    app.decorate('payments', payments)
    app.mail.addTask(
      'refund',
      refundSender(app.db, (refund, payment) => {
        const send = payments.method(payment.method)?.sendRefund
        if (!send) throw new Error(`payment ${payment.id} was taken by ${payment.method}, which refunds by hand`)
        return send(refund, payment)
      }),
    )
  },
  { name: 'payments', dependencies: ['db', 'mail'] },
)
