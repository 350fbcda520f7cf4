import csrfProtection from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHmac } from 'node:crypto'
import type { RateLimits } from '../config.js'
import { TooManyRequests } from '../lib/errors.js'
import { randomSecret } from '../lib/random.js'
import { SESSION_MAX_AGE_MS } from './session.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set to false only for a state-changing route that cannot carry a form token. */
    csrf?: boolean
  }
}

/** Whose form a CSRF token is for: the logged-in account, or nobody yet. */
export function csrfUserInfo(request: FastifyRequest): string {
  return request.session.userId === undefined ? 'anonymous' : `user:${request.session.userId}`
}

/**
 * The most a request body may hold, for Fastify and the form parser. Forms are
 * small, but an event description may be 20,000 characters, and a non-Latin
 * one takes up to nine bytes a character once form-encoded.
 */
export const BODY_LIMIT_BYTES = 256 * 1024

/**
 * The CSP and helmet's other headers. `formTargets`: the origins, besides
 * this one, that a form's answer may send the browser to (a payment
 * provider's page, after the buy form's 303); browsers that enforce
 * form-action on redirects refuse any other.
 */
function headerOptions(formTargets: readonly string[]): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // No inline script, ever: every script is a file under public/.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Event images are https URLs chosen by organisers; QR codes are inline SVG.
        imgSrc: ["'self'", 'data:', 'https:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'", ...formTargets],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
  }
}

/** The headers helmet's middleware sets for these options, captured from one dry run of it. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {})
  return headers
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const CSRF_COOKIE = 'admit_one_csrf'
const CSRF_COOKIE_OPTIONS = { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: SESSION_MAX_AGE_MS / 1000 } as const

/**
 * A new CSRF secret, for when the session changes hands (login, logout): a
 * secret planted in the browser before, and the tokens its planter made for
 * it, are worth nothing after. A form drawn later in this request uses it too.
 */
export function renewCsrfSecret(request: FastifyRequest, reply: FastifyReply): void {
  const secret = randomSecret(18)
  request.cookies[CSRF_COOKIE] = secret
  reply.setCookie(CSRF_COOKIE, secret, CSRF_COOKIE_OPTIONS)
}

/** Helmet's security headers and CSP, form parsing with a size limit, CSRF tokens and rate limits. */
export default fp(
  async (app, options: { rateLimits: RateLimits; secret: string; formTargets: readonly string[] }) => {
    // Every response gets the same headers, so they are worked out once here.
    // (@fastify/helmet runs helmet's middleware anew on every request, which
    // re-parses the CSP each time: about 6 % of an event page view, profiled.)
    const headers = securityHeaders(headerOptions(options.formTargets))
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers)
      done()
    })

    await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES })

    // Double-submit: the secret in a cookie, so that a visitor who only reads
    // pages with forms stores nothing on the server. A token is bound to the
    // account it was made for (see csrfUserInfo), so one made by an attacker
    // for themselves, planted with its cookie, is worthless in a victim's session.
    await app.register(csrfProtection, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: CSRF_COOKIE,
      cookieOpts: CSRF_COOKIE_OPTIONS,
      getUserInfo: csrfUserInfo,
      csrfOpts: { hmacKey: createHmac('sha256', options.secret).update('admit-one csrf').digest('base64url') },
    })
    app.addHook('preHandler', (request, reply, done) => {
      // A URL no route answers changes nothing: it gets the 404 page, not a "form expired" 403.
      const noRoute = request.routeOptions.url === undefined
      if (SAFE_METHODS.has(request.method) || noRoute || request.routeOptions.config.csrf === false) {
        done()
        return
      }
      app.csrfProtection(request, reply, done)
    })

    await app.register(rateLimit, {
      global: true,
      max: options.rateLimits.globalPerMinute,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) => new TooManyRequests(context.ttl / 1000),
      // Stylesheets and scripts are cached and cheap; counting them would let a
      // crowd behind one address (a venue's Wi-Fi) hit the limit by loading pages.
      allowList: (request) => request.routeOptions.url === '/public/*',
    })
  },
  { name: 'security', dependencies: ['session'] },
)
