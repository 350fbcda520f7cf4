import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer, { type Transporter } from 'nodemailer'
import type { MailConfig } from '../../config.js'
import type { ComposedMail } from './mail.messages.js'

/** One composed message, ready to go: its outbox id names its file, its Message-ID names it to mail systems. */
export interface Outgoing extends ComposedMail {
  id: number
  kind: string
  from: { name: string; address: string }
  messageId: string
}

/** Where messages go, for the admin pages to say in their words. Never the credentials. */
export type MailDestination = { kind: 'smtp'; server: string } | { kind: 'files'; dir: string }

export interface MailTransport {
  /** For the start log: where messages go. Never the credentials. */
  readonly description: string
  readonly destination: MailDestination
  send(message: Outgoing): Promise<void>
  close(): void
}

/**
 * SMTP through nodemailer when SMTP_URL is set; otherwise every message is
 * written as a .eml file under DATA_DIR/outbox/, so that a site without a
 * mail server (the zero-configuration start) still keeps every message, and
 * a file opens in any mail program.
 */
export function createTransport(config: MailConfig, dataDir: string): MailTransport {
  return config.smtpUrl === null ? new FileTransport(path.join(dataDir, 'outbox')) : new SmtpTransport(config.smtpUrl)
}

class SmtpTransport implements MailTransport {
  readonly description: string
  readonly destination: MailDestination
  private readonly transporter: Transporter

  constructor(url: string) {
    const { protocol, host } = new URL(url)
    this.description = `sending through ${protocol}//${host}`
    this.destination = { kind: 'smtp', server: `${protocol}//${host}` }
    this.transporter = nodemailer.createTransport({
      url,
      // Keeps connections open between messages: a sale sends many at once.
      pool: true,
      // Every send ends well within the sender's lease (MailConfig.leaseMs),
      // so that another sender never takes a message that is still on its way.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    })
  }

  async send(message: Outgoing): Promise<void> {
    await this.transporter.sendMail(toNodemailer(message))
  }

  close(): void {
    this.transporter.close()
  }
}

class FileTransport implements MailTransport {
  readonly description: string
  readonly destination: MailDestination
  /** nodemailer building the MIME message without sending it. */
  private readonly mime = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })

  constructor(private readonly dir: string) {
    this.description = `no SMTP_URL set, so messages are written as .eml files to ${dir}`
    this.destination = { kind: 'files', dir }
  }

  async send(message: Outgoing): Promise<void> {
    const info = await this.mime.sendMail(toNodemailer(message))
    await mkdir(this.dir, { recursive: true })
    // Named by the outbox id: a message sent again replaces its file rather than adding one.
    const file = path.join(this.dir, `${String(message.id).padStart(8, '0')}-${message.kind}.eml`)
    await writeFile(`${file}.partial`, info.message as Buffer)
    await rename(`${file}.partial`, file)
  }

  close(): void {}
}

function toNodemailer(message: Outgoing) {
  return {
    from: message.from,
    replyTo: message.replyTo ?? undefined,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments,
    messageId: message.messageId,
  }
}

/**
 * The same each time one outbox row is sent, so that a mail server or a mail
 * program tells a message sent again from a new one; unlike any other
 * installation's: a random key kept on the row, at the site's host (the
 * address of the message's links), or at the sender's domain when that
 * address is not usable.
 */
export function messageIdOf(messageKey: string, siteUrl: string, fromAddress: string): string {
  return `<${messageKey}@${hostOf(siteUrl) ?? fromAddress.slice(fromAddress.lastIndexOf('@') + 1)}>`
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined
  } catch {
    return undefined
  }
}
