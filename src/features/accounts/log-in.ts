import type { FastifyRequest } from 'fastify'

/** A new session id at login, so that an id planted before login is worthless after it. */
export async function logIn(request: FastifyRequest, userId: number): Promise<void> {
  await request.session.regenerate()
  request.session.userId = userId
}
