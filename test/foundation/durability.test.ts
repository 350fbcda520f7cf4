import { sql } from 'kysely'
import { existsSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createDatabase } from '../../src/db/database.js'
import { testConfig, useTestApp } from '../helpers/app.js'
import { createTestDatabase, describeEachDatabase } from '../helpers/database.js'

describeEachDatabase('a confirmed order survives a power cut', (kind) => {
  const t = useTestApp(kind)

  it(kind === 'sqlite' ? 'syncs every SQLite commit to disk (synchronous=FULL)' : 'keeps PostgreSQL synchronous_commit on', async () => {
    if (kind === 'sqlite') {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(t.db)
      // 2 is FULL; 1 (NORMAL) may lose the last commits to an OS crash.
      expect(rows[0]!.synchronous).toBe(2)
    } else {
      const { rows } = await sql<{ synchronousCommit: string }>`show synchronous_commit`.execute(t.db)
      expect(rows[0]!.synchronousCommit).toBe('on')
    }
  })
})

describeEachDatabase('PostgreSQL commits synchronously even where the server says otherwise', (kind) => {
  it.runIf(kind === 'postgres')('sets synchronous_commit on for its own connections', async () => {
    const database = await createTestDatabase(kind)
    const name = new URL(database.url).pathname.slice(1)
    const admin = createDatabase(database.url).db
    await sql`alter database ${sql.id(name)} set synchronous_commit = off`.execute(admin)
    await admin.destroy()
    const app = await buildApp(testConfig(database))
    try {
      const { rows } = await sql<{ synchronousCommit: string }>`show synchronous_commit`.execute(app.db)
      expect(rows[0]!.synchronousCommit).toBe('on')
    } finally {
      await app.close()
      await database.drop()
    }
  })
})

describe('SQLite durability setting', () => {
  it('defaults to full and takes normal as an opt-in', async () => {
    expect(loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'admit-one-sync-')) }).sqliteSynchronous).toBe('full')
    const dataDir = mkdtempSync(path.join(tmpdir(), 'admit-one-sync-'))
    const config = { ...loadConfig({ DATA_DIR: dataDir, SQLITE_SYNCHRONOUS: 'normal' }), logLevel: 'silent' }
    expect(config.sqliteSynchronous).toBe('normal')
    const app = await buildApp(config)
    try {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(app.db)
      expect(rows[0]!.synchronous).toBe(1)
    } finally {
      await app.close()
    }
  })
})

describe('a fresh install keeps its data private', () => {
  it('creates the data folder for its user only, and the SQLite files readable by nobody else', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'admit-one-private-')), 'data')
    const config = { ...loadConfig({ DATA_DIR: dataDir }), logLevel: 'silent' }
    const app = await buildApp(config)
    try {
      await app.ready()
      expect(statSync(dataDir).mode & 0o777).toBe(0o700)
      const file = path.join(dataDir, 'admit-one.sqlite')
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(existsSync(`${file}-wal`)).toBe(true)
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600)
    } finally {
      await app.close()
    }
  })
})
