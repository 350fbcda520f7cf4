import type { FastifyRequest } from 'fastify'

// Query parameters that are secrets by themselves: an order's access key opens
// the order (and cancels it), the setup token creates the first admin.
const SECRET_PARAMS = /([?&](?:key|token)=)[^&#]*/gi

// A staff link's token is its path: it opens an event's door until revoked.
const SECRET_PATHS = /^(\/door\/)[^/?#]+/

/** The URL with secret query values (and the token of a staff link) replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PATHS, '$1[redacted]').replace(SECRET_PARAMS, '$1[redacted]')
}

/** Fastify's request log fields, with the URL's secrets redacted. */
export function requestLogFields(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}
