import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll } from 'vitest'
import { buildApp } from '../../src/app.js'
import type { Config, MailConfig } from '../../src/config.js'
import type { Db } from '../../src/db/database.js'
import type { TestApp } from './app.js'
import { testConfig } from './app.js'
import { type DatabaseKind, type TestDatabase, createTestDatabase } from './database.js'

/** A message as the SMTP server received it, parsed. */
export interface ReceivedMail {
  envelopeTo: string[]
  parsed: ParsedMail
  /** The message as it came, for what parsing changes (mailparser turns cid: links into data: URLs). */
  raw: Buffer
}

/**
 * A real SMTP server on a loopback port, started by the test: what the app
 * sends goes through nodemailer and the network to it, and never elsewhere.
 * It can refuse the next messages with a temporary error (451), as a busy
 * or greylisting server does.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = []
  private refusals = 0
  private holding = false
  private readonly server: SMTPServer

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (this.refusals > 0) {
          this.refusals--
          const error = Object.assign(new Error('Try again later (test server)'), { responseCode: 451 })
          return callback(error)
        }
        callback()
      },
      onData: (stream, session, callback) => {
        // Taken in and never answered: the message is not the server's until it says so, and is dropped with its connection.
        if (this.holding) return void stream.resume()
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks)
          simpleParser(raw).then(
            (parsed) => {
              this.received.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), parsed, raw })
              callback()
            },
            (error: Error) => callback(error),
          )
        })
      },
    })
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`
  }

  /** Answers the next `count` messages with 451. */
  refuseNext(count: number): void {
    this.refusals = count
  }

  /**
   * From now on, takes each message's content and never answers it (until
   * release), as a server that has stopped responding: the sender waits for
   * an answer that does not come, and nothing more is received.
   */
  hold(): void {
    this.holding = true
  }

  /** Answers new messages again (those held stay unanswered: their connections are gone or will time out). */
  release(): void {
    this.holding = false
  }

  /** The messages to `address`. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.envelopeTo.includes(address))
  }

  /** Waits until `address` has received `count` messages (or fails after `timeoutMs`). */
  async waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const until = Date.now() + timeoutMs
    while (this.to(address).length < count) {
      if (Date.now() > until)
        throw new Error(`${address} received ${this.to(address).length} messages, not ${count}, within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return this.to(address)
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

/** Quick retries and polls, so that a test of a retry takes a moment, not minutes. */
export function fastMail(url: string, overrides: Partial<MailConfig> = {}): MailConfig {
  return { smtpUrl: url, from: 'tickets@admit-one.test', retryBaseMs: 50, maxAttempts: 3, pollMs: 50, leaseMs: 5_000, ...overrides }
}

export interface MailAppHandle {
  readonly app: TestApp
  readonly db: Db
  readonly database: TestDatabase
  readonly smtp: TestSmtpServer
}

/** useTestApp, with the app's mail going to a TestSmtpServer of this file's own. */
export function useMailApp(kind: DatabaseKind, mail: Partial<MailConfig> = {}, overrides: Partial<Config> = {}): MailAppHandle {
  let app: TestApp | undefined
  let database: TestDatabase | undefined
  const smtp = new TestSmtpServer()
  beforeAll(async () => {
    await smtp.start()
    database = await createTestDatabase(kind)
    app = await buildApp(testConfig(database, { ...overrides, mail: fastMail(smtp.url, mail) }))
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await database?.drop()
    await smtp.close()
  })
  const built = () => {
    if (!app || !database) throw new Error('the test app is built in beforeAll')
    return { app, database }
  }
  return {
    get app() {
      return built().app
    },
    get db() {
      return built().app.db
    },
    get database() {
      return built().database
    },
    smtp,
  }
}
