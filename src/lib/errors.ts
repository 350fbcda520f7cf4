import type { MessageKey } from '../i18n/catalogue.js'
import { type Message, type Translate, say } from '../i18n/translate.js'
import { MAX_INT32 } from './numbers.js'

/**
 * Domain errors: small named classes that the error handler turns into HTML
 * pages (src/plugins/errors.ts). Throw them from services and routes; never
 * build error responses by hand. An error names its words by key (a heading,
 * and a message with its parameters); the page looks them up in the
 * request's language.
 */
export class DomainError extends Error {
  readonly statusCode: number = 400
  /** The error page's heading. */
  readonly titleKey: MessageKey = 'errors.domain.title'
  /** The sentence under the heading, by key; null when the error carries a sentence of its own (its message). */
  readonly detail: Message | null

  /** A Message names the sentence by key (and its key is what the log shows); a string is a sentence already made. */
  constructor(message: string | Message = '', options?: ErrorOptions) {
    super(typeof message === 'string' ? message : message.key, options)
    this.detail = typeof message === 'string' ? null : message
  }
}

/** The heading and the sentence of an error's page, in the words of `t`. */
export function errorWords(t: Translate, error: DomainError): { title: string; message: string } {
  return { title: t(error.titleKey), message: error.detail ? say(t, error.detail) : error.message }
}

export class NotFound extends DomainError {
  override readonly statusCode = 404
  override readonly titleKey = 'errors.notFound.title'
  constructor(message: string | Message = { key: 'errors.notFound.message' }) {
    super(message)
  }
}

export class Forbidden extends DomainError {
  override readonly statusCode = 403
  override readonly titleKey = 'errors.forbidden.title'
  constructor(message: string | Message = { key: 'errors.forbidden.message' }) {
    super(message)
  }
}

/** An organiser's page asked for by someone whose request to organise events waits for an admin (the approval sign-up policy). */
export class AwaitingApproval extends DomainError {
  override readonly statusCode = 403
  override readonly titleKey = 'errors.awaitingApproval.title'
  constructor() {
    super({ key: 'errors.awaitingApproval.message' })
  }
}

export class Conflict extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'errors.conflict.title'
}

export class TooManyRequests extends DomainError {
  override readonly statusCode = 429
  override readonly titleKey = 'errors.tooManyRequests.title'
  constructor(readonly retryAfterSeconds: number) {
    super({ key: 'errors.tooManyRequests.message', params: waitParams(retryAfterSeconds) })
  }
}

/**
 * The database could not be reached, or dropped the connection a request was
 * using (a restart, a failover, an administrator ending connections). What
 * that request did in a transaction was rolled back by the database; a retry
 * in a moment gets a new connection.
 */
export class DatabaseUnavailable extends DomainError {
  override readonly statusCode = 503
  override readonly titleKey = 'errors.databaseUnavailable.title'
  readonly retryAfterSeconds = 10
  constructor(options: { cause: unknown }) {
    super({ key: 'errors.databaseUnavailable.message' }, options)
  }
}

/** A wait in whole seconds under a minute, else in whole minutes, rounded up. */
function waitParams(seconds: number): { unit: 'seconds' | 'minutes'; count: number } {
  if (seconds < 60) return { unit: 'seconds', count: Math.max(1, Math.ceil(seconds)) }
  return { unit: 'minutes', count: Math.ceil(seconds / 60) }
}

/** A route's numeric id parameter, or NotFound for anything else ("12abc", "-1", "1e3", 2^31). */
export function idParam(params: unknown, name = 'id'): number {
  const raw = (params as Record<string, unknown> | null)?.[name]
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_INT32) throw new NotFound()
  return Number(raw)
}
