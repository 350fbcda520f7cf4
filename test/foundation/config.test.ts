import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.js'

const freshDataDir = () => mkdtempSync(path.join(tmpdir(), 'admit-one-config-'))

describe('loadConfig', () => {
  it('needs no environment at all: SQLite under the data directory, port 3000', () => {
    const dataDir = freshDataDir()
    const config = loadConfig({ DATA_DIR: dataDir })
    expect(config.databaseUrl).toBe(`sqlite:${path.join(dataDir, 'admit-one.sqlite')}`)
    expect(config.port).toBe(3000)
    expect(config.nodeEnv).toBe('development')
  })

  it('puts the SQLite database in DATA_DIR (a relative one from the working directory) unless DATABASE_URL names one', () => {
    // A given secret: nothing is written to the relative folder.
    const env = { DATA_DIR: 'site-data', SESSION_SECRET: 'a-session-secret-of-at-least-32-characters' }
    expect(loadConfig(env)).toMatchObject({
      dataDir: path.resolve('site-data'),
      databaseUrl: `sqlite:${path.join(process.cwd(), 'site-data', 'admit-one.sqlite')}`,
    })
    expect(loadConfig({ ...env, DATABASE_URL: 'sqlite:/srv/tickets.sqlite' }).databaseUrl).toBe('sqlite:/srv/tickets.sqlite')
  })

  it('generates a session secret once, keeps it with mode 0600, and reuses it', () => {
    const dataDir = freshDataDir()
    const first = loadConfig({ DATA_DIR: dataDir }).sessionSecret
    const second = loadConfig({ DATA_DIR: dataDir }).sessionSecret
    expect(first.length).toBeGreaterThanOrEqual(32)
    expect(second).toBe(first)
    const file = path.join(dataDir, 'session-secret')
    expect(readFileSync(file, 'utf8').trim()).toBe(first)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ SESSION_SECRET: 'short', NODE_ENV: 'production' }, 'SESSION_SECRET'],
    [{ PURCHASE_RATE_LIMIT: '-5' }, 'PURCHASE_RATE_LIMIT'],
    [{ PUBLIC_URL: 'tickets.example.org' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://tickets.example.org' }, 'PUBLIC_URL'],
    [{ TRUST_PROXY: '1' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'garbage' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '127.0.0.1, nonsense' }, 'TRUST_PROXY'],
  ])('refuses %o and names %s', (env, variable) => {
    const attempt = () => loadConfig({ DATA_DIR: freshDataDir(), ...env })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(new RegExp(`^${variable}:`))
  })

  it('selects PostgreSQL for a postgres URL and reads TRUST_PROXY', () => {
    const config = loadConfig({
      DATA_DIR: freshDataDir(),
      DATABASE_URL: 'postgres://u@h/db',
      TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,loopback,::1',
    })
    expect(config.databaseUrl).toBe('postgres://u@h/db')
    expect(config.trustProxy).toBe('127.0.0.1,10.0.0.0/8,loopback,::1')
    expect(loadConfig({ DATA_DIR: freshDataDir(), TRUST_PROXY: 'true' }).trustProxy).toBe(true)
  })

  it('reads PUBLIC_URL without a trailing slash', () => {
    expect(loadConfig({ DATA_DIR: freshDataDir(), PUBLIC_URL: 'https://tickets.example.org/' }).publicUrl).toBe(
      'https://tickets.example.org',
    )
  })
})
