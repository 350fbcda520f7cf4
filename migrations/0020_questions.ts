import { type Kysely, sql } from 'kysely'
import { idColumn } from './dialect.js'

// Names on tickets and questions at checkout (issue 31).
//
// events.holder_names: whether the buy form asks a name for each ticket
// ('off', 'optional', 'required'); tickets.holder_name keeps it (null: none
// asked or none given). events.question_count: how many questions the event
// asks now, written with every change of them, so that the buy form and the
// purchase of an event that asks nothing read nothing more.
//
// questions: what the organiser asks, per order or per ticket (per_ticket),
// of every ticket type (for_all_types) or only of those in
// question_ticket_types. A question is never deleted once made: removing it
// sets removed_at, and its answers stay in the database, out of view.
// question_options: the choices of a choice question, removed alike, so that
// an answer naming a removed choice still reads as it was given.
//
// answers: one row per question asked of an order (ticket_id null) or of one
// of its tickets, written in the purchase's transaction, a blank answer as ''.
// The value is the answer as text: choices as their option ids (several
// comma-separated), yes/no as 'yes'/'no', a date as YYYY-MM-DD, a number in
// plain decimals. Changing an answer later is an UPDATE of its row; the
// partial unique indexes keep one row per question and order, or per question
// and ticket.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('holder_names', 'text', (col) => col.notNull().defaultTo('off'))
    .execute()
  await db.schema
    .alterTable('events')
    .addColumn('question_count', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('tickets').addColumn('holder_name', 'text').execute()

  await db.schema
    .createTable('questions')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('event_id', 'integer', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('label', 'text', (col) => col.notNull())
    .addColumn('help', 'text', (col) => col.notNull().defaultTo(''))
    // short-text, long-text, one-choice, several-choices, yes-no, number, date.
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('required', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('per_ticket', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('for_all_types', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('removed_at', 'bigint')
    .execute()
  await db.schema.createIndex('questions_event').on('questions').columns(['event_id', 'position']).execute()

  await db.schema
    .createTable('question_options')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('question_id', 'integer', (col) => col.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('label', 'text', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('removed_at', 'bigint')
    .execute()
  await db.schema.createIndex('question_options_question').on('question_options').columns(['question_id', 'position']).execute()

  await db.schema
    .createTable('question_ticket_types')
    .addColumn('question_id', 'integer', (col) => col.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('ticket_type_id', 'integer', (col) => col.notNull().references('ticket_types.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('question_ticket_types_pk', ['question_id', 'ticket_type_id'])
    .execute()

  await db.schema
    .createTable('answers')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('ticket_id', 'integer', (col) => col.references('tickets.id').onDelete('cascade'))
    .addColumn('question_id', 'integer', (col) => col.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('value', 'text', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('answers_order').on('answers').column('order_id').execute()
  await db.schema
    .createIndex('answers_one_per_order')
    .on('answers')
    .columns(['order_id', 'question_id'])
    .unique()
    .where(sql.ref('ticket_id'), 'is', null)
    .execute()
  await db.schema
    .createIndex('answers_one_per_ticket')
    .on('answers')
    .columns(['ticket_id', 'question_id'])
    .unique()
    .where(sql.ref('ticket_id'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('answers').execute()
  await db.schema.dropTable('question_ticket_types').execute()
  await db.schema.dropTable('question_options').execute()
  await db.schema.dropTable('questions').execute()
  await db.schema.alterTable('tickets').dropColumn('holder_name').execute()
  await db.schema.alterTable('events').dropColumn('question_count').execute()
  await db.schema.alterTable('events').dropColumn('holder_names').execute()
}
