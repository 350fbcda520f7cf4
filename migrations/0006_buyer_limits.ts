import type { Kysely } from 'kysely'

// Hardening of the purchase:
// - An order names its buying browser by a hash of a cookie of its own
//   (buyer_browser) rather than of the session id: an anonymous visitor no
//   longer has a session row before buying. The old hashes can never match
//   a browser cookie, so they are cleared; those orders open by key or account.
// - Organisers may cap what one buyer (one email address) takes of an event:
//   tickets in all, and orders. Null means no cap.
// - Buyer emails are stored lower-cased, like account emails, so that the caps
//   count one address once whatever its case, through the index below.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').renameColumn('buyer_session', 'buyer_browser').execute()
  await db.updateTable('orders').set({ buyer_browser: null }).execute()
  // Lower-cased in JavaScript, as the app does: PostgreSQL's lower() under the C collation folds A-Z only.
  const emails = await db.selectFrom('orders').select(['id', 'buyer_email']).execute()
  for (const { id, buyer_email: email } of emails as { id: number; buyer_email: string }[]) {
    if (email !== email.toLowerCase())
      await db.updateTable('orders').set({ buyer_email: email.toLowerCase() }).where('id', '=', id).execute()
  }
  await db.schema.createIndex('orders_event_buyer_email').on('orders').columns(['event_id', 'buyer_email']).execute()
  await db.schema.alterTable('events').addColumn('max_tickets_per_buyer', 'integer').execute()
  await db.schema.alterTable('events').addColumn('max_orders_per_buyer', 'integer').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('max_orders_per_buyer').execute()
  await db.schema.alterTable('events').dropColumn('max_tickets_per_buyer').execute()
  await db.schema.dropIndex('orders_event_buyer_email').execute()
  await db.schema.alterTable('orders').renameColumn('buyer_browser', 'buyer_session').execute()
}
