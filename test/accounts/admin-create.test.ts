import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDatabase, type Db } from '../../src/db/database.js'
import { verifyPassword } from '../../src/features/accounts/passwords.js'
import { findUserByEmail } from '../../src/features/accounts/user.repository.js'
import { PROJECT_ROOT } from '../../src/lib/paths.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

describeEachDatabase('npm run admin:create', (kind) => {
  let database: TestDatabase
  let db: Db

  beforeAll(async () => {
    database = await createTestDatabase(kind)
    db = createDatabase(database.url).db
  })
  afterAll(async () => {
    await db.destroy()
    await database.drop()
  })

  /** The command from the sources, with the password piped in, as a deploy script would run it. */
  function run(args: string[], stdin: string): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/admin-create.ts', ...args], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: database.url, DATA_DIR: database.dir },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
      child.stdin.end(stdin)
    })
  }

  it('creates an admin on a fresh database from a piped password, and audits it', async () => {
    const result = await run(['--email', ' Root@Example.TEST ', '--name', 'Rosa Root'], 'a piped passphrase here\n')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Created the admin account of Rosa Root <root@example.test>.')

    const admin = await findUserByEmail(db, 'root@example.test')
    expect(admin).toMatchObject({ name: 'Rosa Root', role: 'admin', status: 'active' })
    expect(await verifyPassword(admin!.passwordHash, 'a piped passphrase here')).toBe(true)
    const audit = await db.selectFrom('auditLog').selectAll().where('action', '=', 'account.admin_created').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: null, actorLabel: 'system', subjectId: admin!.id })
  })

  it('refuses an email that already has an account', async () => {
    const result = await run(['--email', 'root@example.test', '--name', 'Rosa Again'], 'another good passphrase')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('An account with root@example.test already exists.')
    const rows = await db.selectFrom('users').select('id').where('email', '=', 'root@example.test').execute()
    expect(rows).toHaveLength(1)
  })

  it.each([
    ['a short password', ['--email', 'short@example.test', '--name', 'Sid'], 'short\n', 'password: Use at least 10 characters.'],
    [
      'a common password',
      ['--email', 'common@example.test', '--name', 'Cam'],
      'password123\n',
      'password: This password is one of the most common ones.',
    ],
    ['a malformed email', ['--email', 'not-an-email', '--name', 'Mal'], 'a good long passphrase', 'email: Enter an email address'],
    ['a missing name', ['--email', 'noname@example.test'], 'a good long passphrase', 'Both --email and --name are needed.'],
    [
      'an unknown option',
      ['--email', 'x@example.test', '--name', 'X', '--role', 'admin'],
      'a good long passphrase',
      "Unknown option '--role'",
    ],
  ])('exits non-zero with the reason for %s, creating nobody', async (_label, args, stdin, reason) => {
    const before = await db.selectFrom('users').select('id').execute()
    const result = await run(args, stdin)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(reason)
    expect(await db.selectFrom('users').select('id').execute()).toHaveLength(before.length)
  })
})
