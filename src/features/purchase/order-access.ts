import type { FastifyRequest } from 'fastify'
import { timingSafeEqual } from 'node:crypto'
import type { Db } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import { knownBrowserTag } from '../../plugins/session.js'
import { type OrderWithTickets, findOrderByCode } from './order.repository.js'

/** An order's code as URLs carry it. */
export const ORDER_CODE = /^[0-9A-Z]{10}$/

/**
 * The order named in the URL (`:code`), if this request may see it: by its
 * secret key (the kept link), because this browser bought it, or because it
 * is the logged-in buyer's. Anyone else gets 404, as if it did not exist.
 * The order page, its cancellation and its printable tickets all ask this.
 */
export async function accessibleOrder(db: Db, request: FastifyRequest, key: unknown): Promise<OrderWithTickets> {
  const code = (request.params as { code?: string }).code ?? ''
  const found = ORDER_CODE.test(code) ? await findOrderByCode(db, code) : undefined
  if (!found) throw new NotFound()
  const byKey = typeof key === 'string' && key !== '' && sameSecret(key, found.order.accessKey)
  const bySession = boughtInThisBrowser(request, found)
  const byAccount = request.user !== null && request.user.id === found.order.userId
  if (!byKey && !bySession && !byAccount) throw new NotFound()
  return found
}

export function boughtInThisBrowser(request: FastifyRequest, found: OrderWithTickets): boolean {
  return found.order.buyerBrowser !== null && found.order.buyerBrowser === knownBrowserTag(request)
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
