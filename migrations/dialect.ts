import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely'

// Helpers for the migrations only. Like the migrations, never change what they emit:
// a migration that has run must mean the same thing forever.

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/** An auto-numbered integer primary key in either dialect. */
export function idColumn(db: Kysely<any>) {
  return isPostgres(db)
    ? (col: ColumnDefinitionBuilder) => col.primaryKey().generatedByDefaultAsIdentity()
    : (col: ColumnDefinitionBuilder) => col.primaryKey().autoIncrement()
}
