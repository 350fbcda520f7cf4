import { MAX_INT32 } from './numbers.js'

/**
 * Domain errors: small named classes that the error handler turns into HTML
 * pages (src/plugins/errors.ts). Throw them from services and routes; never
 * build error responses by hand.
 */
export class DomainError extends Error {
  readonly statusCode: number = 400
  /** A heading for the error page; the message is the sentence under it. */
  readonly title: string = 'Something is not right'
}

export class NotFound extends DomainError {
  override readonly statusCode = 404
  override readonly title = 'Page not found'
  constructor(message = 'There is nothing here. The link may be old, or the page was removed.') {
    super(message)
  }
}

export class Forbidden extends DomainError {
  override readonly statusCode = 403
  override readonly title = 'Not allowed'
  constructor(message = 'Your account may not do this.') {
    super(message)
  }
}

/** An organiser's page asked for by someone whose request to organise events waits for an admin (the approval sign-up policy). */
export class AwaitingApproval extends DomainError {
  override readonly statusCode = 403
  override readonly title = 'Waiting for approval'
  constructor() {
    super(
      'You asked to organise events here, and an admin has yet to approve the request. We will email you when they do; these pages open to you then.',
    )
  }
}

export class Conflict extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'That cannot be done now'
}

export class TooManyRequests extends DomainError {
  override readonly statusCode = 429
  override readonly title = 'Too many attempts'
  constructor(readonly retryAfterSeconds: number) {
    super(`Please wait ${describeWait(retryAfterSeconds)} and try again.`)
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
  override readonly title = 'The service is briefly unavailable'
  readonly retryAfterSeconds = 10
  constructor(options: { cause: unknown }) {
    super('We could not reach our database for a moment. Please try again in a few seconds.', options)
  }
}

function describeWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? 'a minute' : `${minutes} minutes`
}

/** A route's numeric id parameter, or NotFound for anything else ("12abc", "-1", "1e3", 2^31). */
export function idParam(params: unknown, name = 'id'): number {
  const raw = (params as Record<string, unknown> | null)?.[name]
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_INT32) throw new NotFound()
  return Number(raw)
}
