import type { Kysely } from 'kysely'

// The box office: tickets sold at the desk by the organiser, and by door
// staff when the organiser lets them.
//
// Events gain two settings, both off, as every event so far had neither:
// door staff (accounts) may sell at the desk, and the desk may sell outside
// the ticket types' sales windows (until the event ends), as pretix's box
// office does only when told to.
//
// Orders gain the channel they were sold through ('online' for every order
// so far), who sold one at the desk (a person as the audit log names them:
// an account's e-mail; null online), and why tickets were given away free
// (complimentary), kept with the order.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('staff_may_sell', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('desk_ignores_sales_windows', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('orders')
    .addColumn('sales_channel', 'text', (col) => col.notNull().defaultTo('online'))
    .execute()
  await db.schema.alterTable('orders').addColumn('sold_by', 'text').execute()
  await db.schema.alterTable('orders').addColumn('complimentary_reason', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['complimentary_reason', 'sold_by', 'sales_channel'])
    await db.schema.alterTable('orders').dropColumn(column).execute()
  for (const column of ['desk_ignores_sales_windows', 'staff_may_sell']) await db.schema.alterTable('events').dropColumn(column).execute()
}
