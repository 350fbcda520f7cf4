import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'
import type { SqliteSynchronous } from './db/database.js'

/**
 * Everything the app can be told from outside, read and validated once at boot.
 * Tests build this object directly (see test/helpers/app.ts); nothing is tuned
 * for tests through the environment.
 */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test'
  host: string
  port: number
  databaseUrl: string
  dataDir: string
  sessionSecret: string
  /** false, true (believe any forwarding header), or the proxies' addresses as Fastify reads them: "127.0.0.1,10.0.0.0/8". */
  trustProxy: boolean | string
  /** The address people use, e.g. https://tickets.example.org, for links that leave the page (kept order links, the setup link). */
  publicUrl: string | null
  logLevel: string
  /** SQLite only: FULL (the default) keeps confirmed orders through a power cut; NORMAL is faster and may not. */
  sqliteSynchronous: SqliteSynchronous
  rateLimits: RateLimits
  /** The most tickets one order may hold, whatever the ticket types allow. */
  maxTicketsPerOrder: number
  timeouts: Timeouts
  mail: MailConfig
  /** Card payments by Stripe Checkout; null when the keys are not set (no card payments). */
  stripe: StripeConfig | null
}

/** Read from the environment only, never from a form, and never logged. */
export interface StripeConfig {
  secretKey: string
  /** Checks that a webhook delivery comes from Stripe; null: no webhook, payments are confirmed by the return URL and the order page. */
  webhookSecret: string | null
  /** Where the SDK sends its requests instead of Stripe (a stand-in in tests); null: Stripe itself. */
  apiUrl: string | null
}

export interface RateLimits {
  /** Requests per minute per IP for any route without a tighter limit. */
  globalPerMinute: number
  /** Login and registration attempts per IP per 15 minutes. */
  authPer15Minutes: number
  /** Purchases per IP per minute: high, because a queue of buyers may share one NAT. */
  purchasePerMinute: number
}

export interface Timeouts {
  /** The longest a client may take to send a whole request (headers and body). */
  requestMs: number
  /** How long a connection may stay silent, between requests or within one. */
  idleMs: number
}

export interface MailConfig {
  /** smtp:// or smtps:// address of the mail server, credentials included; null writes each message as a .eml file under DATA_DIR/outbox. */
  smtpUrl: string | null
  /** The sender's address; the site's name is the sender's name. */
  from: string
  /** The wait after a failed try, doubled after each further one (up to an hour). */
  retryBaseMs: number
  /** Tries before a message is marked failed for good. */
  maxAttempts: number
  /** How often the sender looks for due messages when nothing woke it. */
  pollMs: number
  /** How long a sender holds a message it is sending; longer than any send may take (the transport's timeouts). */
  leaseMs: number
}

/**
 * The outbox sender's pace, the same everywhere but in tests of retries: 30 s,
 * 1, 2, 4, 8, 16, 32 min, 1 h between tries, so a mail server down for two
 * hours loses nothing.
 */
export const MAIL_TIMING = { retryBaseMs: 30_000, maxAttempts: 8, pollMs: 5_000, leaseMs: 120_000 } as const

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development')
  const dataDir = path.resolve(env.DATA_DIR || 'data')
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'admit-one.sqlite')}`
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://')
  }

  return {
    nodeEnv,
    host: env.HOST || '0.0.0.0',
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    dataDir,
    sessionSecret: sessionSecret(env, nodeEnv, dataDir),
    trustProxy: trustProxy(env.TRUST_PROXY),
    publicUrl: publicUrl(env.PUBLIC_URL),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', ['full', 'normal'], 'full'),
    rateLimits: {
      globalPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
      authPer15Minutes: integer(env, 'AUTH_RATE_LIMIT', 10, 1, 1_000_000),
      purchasePerMinute: integer(env, 'PURCHASE_RATE_LIMIT', 120, 1, 1_000_000),
    },
    maxTicketsPerOrder: integer(env, 'MAX_TICKETS_PER_ORDER', 50, 1, 1_000),
    // A form is at most 256 KiB; 30 s is time enough for a poor phone connection to send it.
    timeouts: { requestMs: 30_000, idleMs: 75_000 },
    mail: { ...MAIL_TIMING, smtpUrl: smtpUrl(env.SMTP_URL), from: mailFrom(env.MAIL_FROM) },
    stripe: stripeConfig(env),
  }
}

function stripeConfig(env: NodeJS.ProcessEnv): StripeConfig | null {
  const secretKey = env.STRIPE_SECRET_KEY
  if (secretKey === undefined || secretKey === '') return null
  // The value is never put in the message: it is a secret.
  if (!/^(sk|rk)_(test|live)_\w+$/.test(secretKey))
    throw new ConfigError('STRIPE_SECRET_KEY', 'must be a Stripe secret key (sk_test_…, sk_live_…)')
  const apiUrl = env.STRIPE_API_URL || null
  if (apiUrl !== null) {
    let url: URL | undefined
    try {
      url = new URL(apiUrl)
    } catch {
      url = undefined
    }
    if (!url || !['http:', 'https:'].includes(url.protocol))
      throw new ConfigError('STRIPE_API_URL', `must be an http(s) address, got "${apiUrl}"`)
  }
  return { secretKey, webhookSecret: env.STRIPE_WEBHOOK_SECRET || null, apiUrl }
}

/**
 * A secret given in the environment wins. Without one, the first start writes a
 * random one to the data directory (mode 0600) so that sessions survive restarts.
 */
function sessionSecret(env: NodeJS.ProcessEnv, nodeEnv: string, dataDir: string): string {
  const given = env.SESSION_SECRET
  if (given !== undefined && given !== '') {
    if (nodeEnv === 'production' && given.length < 32) {
      throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters in production')
    }
    if (given.length < 32) {
      throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters')
    }
    return given
  }
  const file = path.join(dataDir, 'session-secret')
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim()
    if (kept.length < 32) throw new ConfigError('SESSION_SECRET', `the secret kept in ${file} is too short`)
    return kept
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return secret
}

function publicUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an address like https://tickets.example.org, got "${value}"`)
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    throw new ConfigError('PUBLIC_URL', `must be an http(s) address without query, got "${value}"`)
  }
  return url.toString().replace(/\/$/, '')
}

function smtpUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError('SMTP_URL', 'must be an address like smtp://user:password@mail.example.org:587')
  }
  if (!['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname) {
    throw new ConfigError('SMTP_URL', 'must start with smtp:// or smtps:// and name a host')
  }
  return value
}

function mailFrom(value: string | undefined): string {
  if (value === undefined || value === '') return 'tickets@localhost'
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(value)) {
    throw new ConfigError(
      'MAIL_FROM',
      `must be a bare address like tickets@example.org (the site's name is the sender's name), got "${value}"`,
    )
  }
  return value
}

/** The names proxy-addr (Fastify's reader of forwarding headers) knows for address ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/**
 * Fastify 5 ignores a hop count ("1"): it cannot tell a proxy from a client
 * that sends its own X-Forwarded-For, so it trusts nobody. Refusing the number
 * here says so at start, rather than every visitor seeming to come from the
 * proxy (one rate limit for all) and cookies never being Secure.
 */
function trustProxy(value: string | undefined): boolean | string {
  if (value === undefined || value === '' || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) {
    throw new ConfigError('TRUST_PROXY', `give the proxy's address (e.g. 127.0.0.1 or loopback), not a count of proxies ("${value}")`)
  }
  const entries = value.split(',').map((entry) => entry.trim())
  for (const entry of entries) {
    if (!PROXY_RANGE_NAMES.includes(entry) && !isAddressOrRange(entry)) {
      throw new ConfigError('TRUST_PROXY', `"${entry}" is not an IP address, a CIDR range or one of ${PROXY_RANGE_NAMES.join(', ')}`)
    }
  }
  return entries.join(',')
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`)
  return value
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: T[], fallback: T): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`)
  return raw as T
}
