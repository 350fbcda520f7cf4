import SQLite from 'better-sqlite3'
import {
  CamelCasePlugin,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  SqliteDialect,
  type Transaction,
} from 'kysely'
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type pg from 'pg'
import { DatabaseUnavailable } from '../lib/errors.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>
export type Trx = Transaction<Database>
export type DialectName = 'sqlite' | 'postgres'

export interface DatabaseHandle {
  db: Db
  dialect: DialectName
}

export function dialectOf(url: string): DialectName {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite'
}

/**
 * SQLite's fsync policy. FULL syncs the write-ahead log at every commit, so a
 * confirmed ticket survives an OS crash or a power cut; NORMAL keeps every
 * commit through a crash of the process but may lose the last ones to a power
 * cut, when a ticket a buyer holds could be sold again.
 */
export type SqliteSynchronous = 'full' | 'normal'

export interface DatabaseOptions {
  poolSize?: number
  /** Default 'full'. */
  sqliteSynchronous?: SqliteSynchronous
  /** Errors of idle pooled connections (a server restart, a killed backend); unhandled, they would crash the process. */
  onIdleConnectionError?: (error: Error) => void
}

export function createDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const dialect = dialectOf(url)
  const plugins = [new CamelCasePlugin()]
  if (dialect === 'postgres') {
    const driver = loadPg()
    // A confirmed order is on disk before the buyer sees it, whatever the server's default says.
    const pool = new driver.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types: pgTypes(driver),
      options: '-c synchronous_commit=on',
    })
    pool.on('error', options.onIdleConnectionError ?? (() => {}))
    return { dialect, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }), plugins }) }
  }
  const database = openSqlite(url, options.sqliteSynchronous ?? 'full')
  return { dialect, db: new Kysely<Database>({ dialect: new SqliteDialect({ database }), plugins }) }
}

function openSqlite(url: string, synchronous: SqliteSynchronous): SQLite.Database {
  const file = url.replace(/^sqlite:/, '')
  if (file !== ':memory:') createPrivately(file)
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  // Another process (a CLI, a second instance during a deploy) may hold the write lock briefly.
  database.pragma('busy_timeout = 5000')
  database.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  // SQLite's own lower() folds A–Z only, so a search for "émile" would miss
  // "Émile". Searches of a column without a folded search_text (the audit
  // log's actor) compare lower(column) with a pattern lower-cased in
  // JavaScript (containsPattern in src/lib/search.ts); this makes both sides
  // fold alike, as they do on PostgreSQL. SQLite lets an application override
  // a built-in function.
  database.function('lower', { deterministic: true }, (value: unknown) => (value === null ? null : String(value).toLowerCase()))
  return withStatementCache(database)
}

/**
 * The database holds buyers' names and addresses and the sessions: a new file
 * (and the folder it creates) is readable by this user only. SQLite gives its
 * -wal and -shm files the permissions of the database file.
 */
function createPrivately(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 })
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
}

/**
 * Kysely prepares every query it runs; preparing is a large share of a simple
 * query's cost on better-sqlite3. Our queries come from a fixed set of builders,
 * so their SQL texts repeat and each prepared statement can be reused.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>()
  const prepare = database.prepare.bind(database)
  database.prepare = ((source: string) => {
    let statement = cache.get(source)
    if (!statement) {
      // A bound on memory should some caller build SQL texts without end.
      if (cache.size >= 1000) cache.clear()
      statement = prepare(source)
      cache.set(source, statement)
    }
    return statement
  }) as typeof database.prepare
  return database
}

/**
 * Gives every SQL text a name, so that pg has PostgreSQL parse and plan it once
 * per connection and afterwards sends only the parameters: a purchase's dozen
 * queries are then cheaper for the server to take. Our texts come from a fixed
 * set of builders; past MAX_NAMED_STATEMENTS (a builder making texts without
 * end) the rest go unnamed, as before.
 *
 * A prepared SELECT * must not change its result columns, which a migration
 * run by another instance (a rolling deploy) can do: PostgreSQL then refuses
 * it with 0A000, once (that query fails), and from then on every text is
 * prepared afresh under new names. Behind PgBouncer in transaction mode,
 * named statements need its prepared statement support (max_prepared_statements).
 */
const MAX_NAMED_STATEMENTS = 500
const statementNames = new Map<string, string>()
let statementGeneration = 0

function withNamedStatements(pool: pg.Pool): PostgresPool {
  const nameOf = (text: string): string | undefined => {
    let name = statementNames.get(text)
    if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
      name = `admit_one_${statementGeneration}_${statementNames.size}`
      statementNames.set(text, name)
    }
    return name
  }
  const query = async (client: pg.PoolClient, text: string, values: unknown[]) => {
    const name = nameOf(text)
    try {
      return await (name === undefined ? client.query(text, values) : client.query({ name, text, values }))
    } catch (error) {
      if (isChangedResultType(error) && name !== undefined && statementNames.get(text) === name) {
        statementGeneration++
        statementNames.clear()
      }
      throw error
    }
  }
  return {
    async connect() {
      const client = await pool.connect().catch((error: unknown) => {
        throw new DatabaseUnavailable({ cause: error })
      })
      // pg-pool listens for a client's 'error' only while the client is idle in
      // the pool. One that breaks while checked out (its backend terminated, the
      // server restarting) would emit an 'error' nobody hears, which ends the process.
      let broken: Error | undefined
      const onError = (error: Error) => {
        broken ??= error
      }
      client.on('error', onError)
      const guarded = async <R>(run: () => Promise<R>): Promise<R> => {
        if (broken !== undefined) throw new DatabaseUnavailable({ cause: broken })
        try {
          return await run()
        } catch (error) {
          if (!isConnectionError(error)) throw error
          broken ??= error as Error
          throw new DatabaseUnavailable({ cause: error })
        }
      }
      return {
        query: ((textOrCursor: string | object, values?: unknown[]) =>
          typeof textOrCursor === 'string'
            ? guarded(() => query(client, textOrCursor, values ?? []))
            : client.query(textOrCursor as never)) as unknown as PostgresPoolClient['query'],
        release: () => {
          client.removeListener('error', onError)
          // A broken client is destroyed, not put back: the pool opens a new connection instead.
          client.release(broken)
        },
      }
    },
    end: () => pool.end(),
  }
}

/**
 * The connection failed, not the statement: the server ended it (57P01 admin
 * shutdown, 57P02 crash shutdown, 57P03 cannot connect now), a connection
 * exception (class 08), the socket broke, or pg gave up on the connection.
 */
function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (/^(57P0[123]|08...)$/.test(code) || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code)))
    return true
  return typeof message === 'string' && /^Connection terminated|is not queryable$/.test(message)
}

function isChangedResultType(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type')
}

/**
 * pg returns int8 (COUNT, SUM, bigint columns) and numeric as strings. Our
 * int8 values are epoch milliseconds and counts, all far below 2^53, so they
 * become numbers here and the rest of the code never sees the difference.
 */
function pgTypes(driver: typeof pg): pg.CustomTypesConfig {
  const { builtins, getTypeParser } = driver.types
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === builtins.INT8 || oid === builtins.NUMERIC) return (value: string) => Number(value)
      return getTypeParser(oid, format)
    },
  } as pg.CustomTypesConfig
}

/**
 * pg is loaded when a PostgreSQL database is opened, not at import: an app on
 * SQLite would otherwise spend about 0.1 s of its start loading a driver it
 * never uses. It is CommonJS, so it can be required where createDatabase needs it.
 */
function loadPg(): typeof pg {
  return createRequire(import.meta.url)('pg') as typeof pg
}

/** A unique constraint failed: the same duplicate, whichever driver reports it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
