import type { Kysely } from 'kysely'

// The browser that bought an order may reopen it without the key. Kept on the
// order rather than in the session, so that a purchase does not rewrite the
// session row: on a busy on-sale day that write was a fifth of a purchase.
// It holds a hash of the session id, never the id itself (a live credential).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('buyer_session', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('buyer_session').execute()
}
