import type { FastifyReply, FastifyRequest } from 'fastify'
import { renewCsrfSecret } from '../../plugins/security.js'

/** A new session id and a new CSRF secret at login, so that neither, planted before login, is worth anything after it. */
export async function logIn(request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  await request.session.regenerate()
  request.session.userId = userId
  renewCsrfSecret(request, reply)
}
