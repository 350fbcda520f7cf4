import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config.js'
import { createDatabase, isUniqueViolation } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'
import { readNewAccount } from '../features/accounts/account.form.js'
import { hashPassword } from '../features/accounts/passwords.js'
import { insertUser } from '../features/accounts/user.repository.js'
import { recordAudit } from '../features/audit/audit.repository.js'
import { FormReader } from '../lib/forms.js'

// `npm run admin:create -- --email … --name …`: an admin for scripted installs.
// The password comes from standard input when it is piped, or from a prompt
// that does not echo; never from an argument, which would land in the shell history.

const USAGE = `Usage: npm run admin:create -- --email you@example.com --name "Your Name"
The password is read from standard input when piped (echo "$PASSWORD" | npm run admin:create -- …),
otherwise it is asked for.`

class Refusal extends Error {}

async function main(): Promise<void> {
  const { email, name } = readArguments()
  const password = process.stdin.isTTY ? await promptTwice() : withoutFinalNewline(await readAll(process.stdin))
  const form = new FormReader({ name, email, password })
  const account = readNewAccount(form)
  if (!form.ok)
    throw new Refusal(
      Object.entries(form.errors)
        .map(([field, message]) => `${field}: ${message}`)
        .join('\n'),
    )

  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) throw new Refusal(`Configuration error: ${error.message}`)
    throw error
  }
  const { db } = createDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous })
  try {
    await migrateToLatest(db)
    const passwordHash = await hashPassword(account.password)
    const admin = await db.transaction().execute(async (trx) => {
      const created = await insertUser(trx, { name: account.name, email: account.email, passwordHash, role: 'admin' })
      await recordAudit(trx, {
        actorId: null,
        actorLabel: 'system',
        action: 'account.admin_created',
        subjectType: 'user',
        subjectId: created.id,
        details: { email: created.email, via: 'command line' },
      })
      return created
    })
    console.log(`Created the admin account of ${admin.name} <${admin.email}>. Log in at /login.`)
  } catch (error) {
    if (isUniqueViolation(error)) throw new Refusal(`email: An account with ${account.email} already exists.`)
    throw error
  } finally {
    await db.destroy()
  }
}

function readArguments(): { email: string; name: string } {
  let parsed
  try {
    parsed = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true })
  } catch (error) {
    throw new Refusal(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  const { values } = parsed
  if (!values.email || !values.name) throw new Refusal(`Both --email and --name are needed.\n${USAGE}`)
  return { email: values.email, name: values.name }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  return text
}

/** `echo` and here-strings end the password with a newline that is not part of it. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '')
}

async function promptTwice(): Promise<string> {
  const password = await promptHidden('Password: ')
  if ((await promptHidden('Repeat the password: ')) !== password) throw new Refusal('The two passwords differ.')
  return password
}

/** Reads a line from the terminal without showing what is typed. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin
  process.stderr.write(question)
  input.setRawMode(true)
  input.setEncoding('utf8')
  input.resume()
  return new Promise((resolve, reject) => {
    let typed = ''
    const finish = (outcome: () => void) => {
      input.setRawMode(false)
      input.pause()
      input.off('data', onData)
      process.stderr.write('\n')
      outcome()
    }
    const onData = (keys: string) => {
      for (const key of keys) {
        if (key === '\r' || key === '\n' || key === '\u0004') return finish(() => resolve(typed))
        if (key === '\u0003') return finish(() => reject(new Refusal('Cancelled.')))
        if (key === '\u007f' || key === '\b') typed = typed.slice(0, -1)
        else typed += key
      }
    }
    input.on('data', onData)
  })
}

main().catch((error: unknown) => {
  console.error(error instanceof Refusal ? error.message : error)
  process.exitCode = 1
})
