import type { RateLimits } from '../../config.js'

export const FIFTEEN_MINUTES_MS = 15 * 60 * 1000

/** The per-IP limit of every form that checks or sets a password: login, registration, first-run setup. */
export function passwordFormLimit(limits: RateLimits) {
  return { max: limits.authPer15Minutes, timeWindow: FIFTEEN_MINUTES_MS }
}
