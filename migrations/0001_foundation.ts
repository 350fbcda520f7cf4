import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('sid', 'text', (col) => col.primaryKey())
    .addColumn('data', 'text', (col) => col.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute()
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()

  // One row, id 1: the install's settings.
  await db.schema
    .createTable('site_settings')
    .addColumn('id', 'integer', (col) => col.primaryKey().check(sql`id = 1`))
    .addColumn('site_name', 'text', (col) => col.notNull())
    .addColumn('site_description', 'text', (col) => col.notNull())
    .addColumn('contact_email', 'text', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('time_zone', 'text', (col) => col.notNull())
    .addColumn('signup_policy', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute()
  await db
    .insertInto('site_settings')
    .values({
      id: 1,
      site_name: 'Admit One',
      site_description: 'Tickets for events near you.',
      contact_email: '',
      currency: 'EUR',
      time_zone: 'UTC',
      signup_policy: 'open',
      updated_at: Date.now(),
    })
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('site_settings').execute()
  await db.schema.dropTable('sessions').execute()
}
