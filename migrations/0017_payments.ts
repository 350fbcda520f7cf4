import type { Kysely } from 'kysely'
import { idColumn } from './dialect.js'

// Payments. Until now every order was written "paid" though no money moved.
//
// Orders gain the method the buyer chose, a deadline for paying (null: it
// never lapses, as an order paid at the door), and when it was paid or
// lapsed. The orders placed before this migration were free (paid, rightly)
// or priced with no way to pay: those were, in truth, reservations to be
// paid at the door, and become so: money due, no longer counted as received.
//
// Events gain the methods their organiser offers (the default, at the door,
// needs no set-up), how long an unpaid order holds its tickets, the bank
// details for a transfer, and next_expiry_at: no later than the earliest
// deadline of the event's unpaid orders, so that settling an event with
// nothing due costs nothing (src/features/upkeep/settle.ts).
//
// payments: one row per attempt to pay (a Checkout Session, a transfer or
// cash marked received); refunds: one row per refund, sent by the outbox's
// sender with its own idempotency key; payment_notices: every webhook
// delivery, by the provider's event id, so that a replay changes nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('orders')
    .addColumn('payment_method', 'text', (col) => col.notNull().defaultTo('free'))
    .execute()
  await db.schema.alterTable('orders').addColumn('payment_deadline', 'bigint').execute()
  await db.schema.alterTable('orders').addColumn('paid_at', 'bigint').execute()
  await db.schema.alterTable('orders').addColumn('expired_at', 'bigint').execute()
  // The site's address when the order was placed, for the links of messages no request causes (a lapsed order's, a webhook's).
  await db.schema
    .alterTable('orders')
    .addColumn('site_url', 'text', (col) => col.notNull().defaultTo(''))
    .execute()
  await db.updateTable('orders').set({ payment_method: 'at-door' }).where('total_minor', '>', 0).execute()
  await db.updateTable('orders').set({ status: 'pending' }).where('total_minor', '>', 0).where('status', '=', 'paid').execute()
  await db
    .updateTable('orders')
    .set((eb) => ({ paid_at: eb.ref('created_at') }))
    .where('status', '=', 'paid')
    .execute()
  await db.schema.createIndex('orders_event_status_deadline').on('orders').columns(['event_id', 'status', 'payment_deadline']).execute()

  await db.schema
    .alterTable('events')
    .addColumn('payment_methods', 'text', (col) => col.notNull().defaultTo('at-door'))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('card_hold_minutes', 'integer', (col) => col.notNull().defaultTo(60))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('transfer_days', 'integer', (col) => col.notNull().defaultTo(7))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('bank_details', 'text', (col) => col.notNull().defaultTo(''))
    .execute()
  await db.schema.alterTable('events').addColumn('next_expiry_at', 'bigint').execute()

  // The seat a ticket had when its order lapsed: a payment that arrives late books it again when it is still free.
  await db.schema.alterTable('tickets').addColumn('lapsed_seat_id', 'integer').execute()

  await db.schema
    .createTable('payments')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('method', 'text', (col) => col.notNull())
    // started: waiting for the provider; paid; failed; expired; cancelled.
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('amount_minor', 'integer', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    // The idempotency key of this attempt: a new one for each attempt, never reused.
    .addColumn('attempt_key', 'text', (col) => col.notNull().unique())
    // The provider's id of the attempt (a Checkout Session's), unique: one payment per session.
    .addColumn('provider_ref', 'text', (col) => col.unique())
    // The provider's id of the money taken (a PaymentIntent's), which refunds name.
    .addColumn('provider_payment', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('paid_at', 'bigint')
    .addColumn('recorded_by', 'text')
    .execute()
  await db.schema.createIndex('payments_order').on('payments').column('order_id').execute()
  await db.schema.createIndex('payments_provider_payment').on('payments').column('provider_payment').execute()

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('payment_id', 'integer', (col) => col.notNull().references('payments.id').onDelete('cascade'))
    .addColumn('amount_minor', 'integer', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    // queued: to send through the provider; done; failed: the provider refused it for good.
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('idempotency_key', 'text', (col) => col.notNull().unique())
    // The provider's id of the refund, unique: a refund seen in a webhook and sent by us is recorded once.
    .addColumn('provider_ref', 'text', (col) => col.unique())
    // why: organiser, buyer, late-payment, provider (made in the provider's dashboard).
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('done_at', 'bigint')
    .addColumn('recorded_by', 'text')
    .addColumn('last_error', 'text')
    .execute()
  await db.schema.createIndex('refunds_order').on('refunds').column('order_id').execute()

  await db.schema
    .createTable('payment_notices')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('received_at', 'bigint', (col) => col.notNull())
    // What it did: applied, nothing to do, or why it could not be applied (kept for a person to read).
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addUniqueConstraint('payment_notices_provider_event', ['provider', 'event_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_notices').execute()
  await db.schema.dropTable('refunds').execute()
  await db.schema.dropTable('payments').execute()
  await db.schema.alterTable('tickets').dropColumn('lapsed_seat_id').execute()
  for (const column of ['next_expiry_at', 'bank_details', 'transfer_days', 'card_hold_minutes', 'payment_methods']) {
    await db.schema.alterTable('events').dropColumn(column).execute()
  }
  await db.updateTable('orders').set({ status: 'paid' }).where('status', 'in', ['pending', 'expired']).execute()
  await db.schema.dropIndex('orders_event_status_deadline').execute()
  for (const column of ['site_url', 'expired_at', 'paid_at', 'payment_deadline', 'payment_method']) {
    await db.schema.alterTable('orders').dropColumn(column).execute()
  }
}
