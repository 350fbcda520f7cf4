import type { FastifyRequest } from 'fastify'

/**
 * The address people use to reach the site, for links that leave the page
 * (kept order links, links in e-mails). PUBLIC_URL says it; without it, the
 * address this request came to, as the proxy in front (if trusted) reports it.
 */
export function siteUrl(request: FastifyRequest): string {
  return request.server.config.publicUrl ?? `${request.protocol}://${request.host}`
}
