import type { FastifyRequest } from 'fastify'

// Query parameters that are secrets by themselves: an order's access key opens
// the order (and cancels it), the setup token creates the first admin.
const SECRET_PARAMS = /([?&](?:key|token)=)[^&#]*/gi

/** The URL with secret query values replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]')
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
