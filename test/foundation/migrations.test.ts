import { type Kysely, type RawBuilder, sql } from 'kysely'
import { afterEach, expect, it } from 'vitest'
import { createDatabase, isUniqueViolation } from '../../src/db/database.js'
import { MigrationError, migrateToLatest } from '../../src/db/migrate.js'
import { migrations } from '../../migrations/index.js'
import { placeKey } from '../../src/features/seating/seat-labels.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'

/** The migrations up to and including the one numbered `last`: a database as it was when that one was the newest. */
function upTo(last: string) {
  return Object.fromEntries(Object.entries(migrations).filter(([name]) => name.slice(0, 4) <= last))
}

describeEachDatabase('migrations', (kind) => {
  let database: TestDatabase
  afterEach(async () => database?.drop())

  it('create every table on an empty database, and a second run changes nothing', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations))
      expect(await migrateToLatest(db)).toEqual([])
      const tables = (await db.introspection.getTables()).map((table) => table.name).sort()
      expect(tables).toEqual([
        'answers',
        'audit_log',
        'check_ins',
        'codes',
        'door_staff',
        'events',
        'holder_message_recipients',
        'holder_messages',
        'orders',
        'outbox',
        'password_resets',
        'payment_notices',
        'payments',
        'question_options',
        'question_ticket_types',
        'questions',
        'refunds',
        'seat_bookings',
        'seats',
        'sessions',
        'site_settings',
        'ticket_types',
        'tickets',
        'users',
        'waiting_list_entries',
      ])
      const settings = await db.selectFrom('siteSettings').selectAll().executeTakeFirstOrThrow()
      expect(settings.siteName).toBe('Admit One')
      // int8 columns come back as numbers on both drivers.
      expect(typeof settings.updatedAt).toBe('number')
    } finally {
      await db.destroy()
    }
  })

  it('report a failing migration by name and leave its changes undone', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      const broken = {
        ...migrations,
        '9999_broken': {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration takes Kysely<any>
          up: async (trx: Kysely<any>) => {
            await sql`create table half_done (id integer)`.execute(trx)
            await sql`this is not sql`.execute(trx)
          },
        },
      }
      await expect(migrateToLatest(db, broken)).rejects.toThrow(MigrationError)
      await expect(migrateToLatest(db, broken)).rejects.toThrow(/9999_broken/)
      const tables = (await db.introspection.getTables()).map((table) => table.name)
      expect(tables).not.toContain('half_done')
    } finally {
      await db.destroy()
    }
  })

  it('give the seats of maps made before 0013 their place keys, the app’s own, a seat spelled twice keeping its own key', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      const firstRow = async <T>(query: RawBuilder<T>) => (await query.execute(db)).rows[0]!
      await migrateToLatest(db, upTo('0012'))
      // Rows as the tables were then: the fixtures write the columns of later migrations.
      const now = Date.now()
      const owner = await firstRow<{ id: number }>(sql`insert into users (email, name, password_hash, role, status, created_at)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}) returning id`)
      const event = await firstRow<{ id: number }>(sql`insert into events (owner_id, title, description, venue, starts_at, ends_at,
        time_zone, status, published_at, created_at, updated_at) values (${owner.id}, 'Play', '', 'Hall', ${now + 1e9}, ${now + 2e9},
        'Europe/Berlin', 'published', ${now}, ${now}, ${now}) returning id`)
      const hall = await firstRow<{
        id: number
      }>(sql`insert into ticket_types (event_id, name, price_minor, capacity, max_per_order, created_at)
        values (${event.id}, 'Hall', 0, 10, 4, ${now}) returning id`)
      const ticketTypes = [hall]
      const legacy = [
        ['Stalls', 'a', '1'],
        [' stalls', 'A', '01'],
        ['Stalls', 'A', '2'],
      ]
      for (const [x, [section, row, seat]] of legacy.entries()) {
        await sql`insert into seats (event_id, ticket_type_id, section, row_label, seat_label, x, y, kind)
          values (${event.id}, ${ticketTypes[0]!.id}, ${section}, ${row}, ${seat}, ${x}, 0, 'seat')`.execute(db)
      }
      expect(await migrateToLatest(db, upTo('0013'))).toEqual(['0013_seat_place_key'])
      const seats = await db.selectFrom('seats').select(['id', 'section', 'rowLabel', 'seatLabel', 'placeKey']).orderBy('id').execute()
      expect(seats.map((seat) => seat.placeKey)).toEqual(['["stalls","a","1"]', `["stalls","a","1"]#${seats[1]!.id}`, '["stalls","a","2"]'])
      expect([seats[0], seats[2]].map((seat) => placeKey(seat!))).toEqual([seats[0]!.placeKey, seats[2]!.placeKey])
      const again = {
        eventId: event.id,
        ticketTypeId: ticketTypes[0]!.id,
        section: 'STALLS',
        rowLabel: 'A',
        seatLabel: '002',
        x: 5,
        y: 0,
        kind: 'seat' as const,
      }
      await expect(
        db
          .insertInto('seats')
          .values({ ...again, placeKey: placeKey(again) })
          .execute(),
      ).rejects.toSatisfy(isUniqueViolation)
    } finally {
      await db.destroy()
    }
  })

  it('0016 writes to everyone so far in English: orders, waiting-list entries and outbox messages get the locale en', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0015'))
      const now = Date.now()
      await sql`insert into outbox (kind, recipient, data, state, next_attempt_at, created_at, message_key)
        values ('test', 'a@example.test', '{}', 'pending', ${now}, ${now}, 'key')`.execute(db)

      expect(await migrateToLatest(db, upTo('0016'))).toEqual(['0016_locale'])
      expect(await db.selectFrom('outbox').select('locale').execute()).toEqual([{ locale: 'en' }])
      const columns = (await db.introspection.getTables())
        .filter((table) => ['orders', 'waiting_list_entries', 'outbox'].includes(table.name))
        .map((table) => [table.name, table.columns.find((column) => column.name === 'locale')?.isNullable])
      expect(Object.fromEntries(columns)).toEqual({ orders: false, waiting_list_entries: false, outbox: false })
    } finally {
      await db.destroy()
    }
  })

  it('0017 makes the priced orders placed before payments what they were: reservations to pay at the door, not money received', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0016'))
      const now = Date.now()
      await sql`insert into users (email, name, password_hash, role, status, created_at, search_text)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}, 'o')`.execute(db)
      await sql`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, created_at, updated_at, search_text)
        values (1, 'E', '', 'V', ${now}, ${now + 1}, 'UTC', 'published', ${now}, ${now}, 'e')`.execute(db)
      const order = (code: string, total: number, status: string) =>
        sql`insert into orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at, search_text)
          values (${code}, ${code}, ${code}, 1, 'B', 'b@example.test', ${total}, 'EUR', ${status}, ${now - 5}, ${code})`.execute(db)
      await order('FREE', 0, 'paid')
      await order('PRICED', 2500, 'paid')
      await order('GONE', 2500, 'cancelled')

      expect(await migrateToLatest(db, upTo('0017'))).toEqual(['0017_payments'])
      const rows = await db
        .selectFrom('orders')
        .select(['code', 'status', 'paymentMethod', 'paymentDeadline', 'paidAt'])
        .orderBy('id')
        .execute()
      expect(rows.map((row) => ({ ...row, paidAt: row.paidAt === null ? null : Number(row.paidAt) }))).toEqual([
        { code: 'FREE', status: 'paid', paymentMethod: 'free', paymentDeadline: null, paidAt: now - 5 },
        { code: 'PRICED', status: 'pending', paymentMethod: 'at-door', paymentDeadline: null, paidAt: null },
        { code: 'GONE', status: 'cancelled', paymentMethod: 'at-door', paymentDeadline: null, paidAt: null },
      ])
      expect(await db.selectFrom('events').select(['paymentMethods', 'nextExpiryAt']).execute()).toEqual([
        { paymentMethods: 'at-door', nextExpiryAt: null },
      ])
    } finally {
      await db.destroy()
    }
  })

  it('0018 keeps one message to ticket holders per event and form key, and one recipient row per message and order', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0017'))
      const now = Date.now()
      await sql`insert into users (email, name, password_hash, role, status, created_at, search_text)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}, 'o')`.execute(db)
      await sql`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, created_at, updated_at, search_text)
        values (1, 'E', '', 'V', ${now}, ${now + 1}, 'UTC', 'published', ${now}, ${now}, 'e')`.execute(db)
      await sql`insert into orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at, search_text)
        values ('C', 'C', 'C', 1, 'B', 'b@example.test', 0, 'EUR', 'paid', ${now}, 'c')`.execute(db)
      await sql`insert into outbox (kind, recipient, data, state, next_attempt_at, created_at, message_key)
        values ('holder-message', 'b@example.test', '{}', 'pending', ${now}, ${now}, 'key')`.execute(db)
      expect(await migrateToLatest(db, upTo('0018'))).toEqual(['0018_holder_messages'])

      const message = (formKey: string) =>
        db
          .insertInto('holderMessages')
          .values({
            eventId: 1,
            subject: 'S',
            body: 'B',
            ticketTypeIds: '',
            checkIn: 'any',
            recipients: 1,
            formKey,
            sentBy: 1,
            sentByLabel: 'o@example.test',
            createdAt: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      const { id } = await message('form-key-1')
      await expect(message('form-key-1')).rejects.toSatisfy(isUniqueViolation)
      const recipient = () => db.insertInto('holderMessageRecipients').values({ messageId: id, orderId: 1, outboxId: 1 }).execute()
      await recipient()
      await expect(recipient()).rejects.toSatisfy(isUniqueViolation)
    } finally {
      await db.destroy()
    }
  })

  it('0020 asks nothing of the events there were, and keeps one answer per question and order, or per question and ticket', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0019'))
      const now = Date.now()
      await sql`insert into users (email, name, password_hash, role, status, created_at, search_text)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}, 'o')`.execute(db)
      await sql`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, created_at, updated_at, search_text)
        values (1, 'E', '', 'V', ${now}, ${now + 1}, 'UTC', 'published', ${now}, ${now}, 'e')`.execute(db)
      await sql`insert into ticket_types (event_id, name, price_minor, capacity, max_per_order, created_at)
        values (1, 'T', 0, 10, 4, ${now})`.execute(db)
      await sql`insert into orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at, search_text)
        values ('O1', 'O1', 'O1', 1, 'B', 'b@example.test', 0, 'EUR', 'paid', ${now}, 'o1')`.execute(db)
      await sql`insert into tickets (order_id, ticket_type_id, code, price_minor) values (1, 1, 'T1', 0), (1, 1, 'T2', 0)`.execute(db)

      expect(await migrateToLatest(db, upTo('0020'))).toEqual(['0020_questions'])
      expect(await db.selectFrom('events').select(['holderNames', 'questionCount']).execute()).toEqual([
        { holderNames: 'off', questionCount: 0 },
      ])
      expect(await db.selectFrom('tickets').select('holderName').execute()).toEqual([{ holderName: null }, { holderName: null }])

      const question = await db
        .insertInto('questions')
        .values({
          eventId: 1,
          label: 'Q',
          help: '',
          kind: 'short-text',
          required: 0,
          perTicket: 0,
          forAllTypes: 1,
          position: 1,
          createdAt: now,
          updatedAt: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      const answer = (ticketId: number | null) =>
        db.insertInto('answers').values({ orderId: 1, ticketId, questionId: question.id, value: 'a' }).execute()
      await answer(null)
      await answer(1)
      await answer(2)
      for (const again of [null, 1]) {
        const refused = await answer(again).then(
          () => null,
          (error: unknown) => error,
        )
        expect(isUniqueViolation(refused), `a second answer for ticket ${again}`).toBe(true)
      }
    } finally {
      await db.destroy()
    }
  })

  it('0022 lets no buyer change names and answers of the events there were, until 24 hours before, names and every question included once turned on', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0021'))
      const now = Date.now()
      await sql`insert into users (email, name, password_hash, role, status, created_at, search_text)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}, 'o')`.execute(db)
      await sql`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, created_at, updated_at, search_text)
        values (1, 'E', '', 'V', ${now}, ${now + 1}, 'UTC', 'published', ${now}, ${now}, 'e')`.execute(db)
      await sql`insert into questions (event_id, label, help, kind, required, per_ticket, for_all_types, position, created_at, updated_at)
        values (1, 'Q', '', 'short-text', 0, 0, 1, 1, ${now}, ${now})`.execute(db)

      expect(await migrateToLatest(db, upTo('0022'))).toEqual(['0022_buyer_edits'])
      expect(await db.selectFrom('events').select(['buyerEdits', 'buyerEditHours', 'buyerEditNames']).execute()).toEqual([
        { buyerEdits: 0, buyerEditHours: 24, buyerEditNames: 1 },
      ])
      expect(await db.selectFrom('questions').select('buyerEditable').execute()).toEqual([{ buyerEditable: 1 }])
    } finally {
      await db.destroy()
    }
  })

  it('0023 leaves the ticket types there were listed and the orders there were without a code, and keeps one code per text and event, whatever its case', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0022'))
      const now = Date.now()
      await sql`insert into users (email, name, password_hash, role, status, created_at, search_text)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}, 'o')`.execute(db)
      await sql`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, created_at, updated_at, search_text)
        values (1, 'E', '', 'V', ${now}, ${now + 1}, 'UTC', 'published', ${now}, ${now}, 'e')`.execute(db)
      await sql`insert into ticket_types (event_id, name, price_minor, capacity, max_per_order, created_at)
        values (1, 'T', 1000, 10, 4, ${now})`.execute(db)
      await sql`insert into orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at, search_text)
        values ('O1', 'O1', 'O1', 1, 'B', 'b@example.test', 1000, 'EUR', 'paid', ${now}, 'o1')`.execute(db)
      await sql`insert into tickets (order_id, ticket_type_id, code, price_minor) values (1, 1, 'T1', 1000)`.execute(db)

      expect(await migrateToLatest(db, upTo('0023'))).toEqual(['0023_codes'])
      expect(await db.selectFrom('ticketTypes').select('hidden').execute()).toEqual([{ hidden: 0 }])
      expect(await db.selectFrom('orders').select('codeId').execute()).toEqual([{ codeId: null }])
      expect(await db.selectFrom('tickets').select(['codeId', 'discountMinor', 'priceMinor']).execute()).toEqual([
        { codeId: null, discountMinor: 0, priceMinor: 1000 },
      ])

      const code = (text: string) =>
        sql`insert into codes (event_id, code, code_key, discount, created_at, updated_at)
          values (1, ${text}, ${text.toUpperCase()}, 'none', ${now}, ${now})`.execute(db)
      await code('Press')
      const refused = await code('PRESS').then(
        () => null,
        (error: unknown) => error,
      )
      expect(isUniqueViolation(refused)).toBe(true)
      expect(await db.selectFrom('codes').select(['used', 'kept', 'ticketTypeIds', 'countedPer', 'enabled', 'reserved']).execute()).toEqual(
        [{ used: 0, kept: 0, ticketTypeIds: '', countedPer: 'order', enabled: 1, reserved: 0 }],
      )
    } finally {
      await db.destroy()
    }
  })

  it('0015 marks as once public the cancelled events that kept their publication time, and the events with orders', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      await migrateToLatest(db, upTo('0014'))
      const now = Date.now()
      const { id: ownerId } = await sql<{ id: number }>`insert into users (email, name, password_hash, role, status, created_at)
        values ('o@example.test', 'O', 'x', 'organiser', 'active', ${now}) returning id`
        .execute(db)
        .then((result) => result.rows[0]!)
      const event = async (title: string, status: string, publishedAt: number | null) => {
        const result = await sql<{
          id: number
        }>`insert into events (owner_id, title, description, venue, starts_at, ends_at, time_zone, status, published_at, created_at, updated_at)
          values (${ownerId}, ${title}, '', 'Hall', ${now + 1e9}, ${now + 2e9}, 'Europe/Berlin', ${status}, ${publishedAt}, ${now}, ${now})
          returning id`.execute(db)
        return result.rows[0]!.id
      }
      const ids = {
        cancelledPublic: await event('cancelled public', 'cancelled', now - 1000),
        cancelledNeverPublic: await event('cancelled never public', 'cancelled', null),
        unpublishedWithOrders: await event('unpublished with orders', 'draft', null),
        cancelledAfterUnpublishedWithOrders: await event('cancelled, had orders', 'cancelled', null),
        draft: await event('draft', 'draft', null),
      }
      for (const eventId of [ids.unpublishedWithOrders, ids.cancelledAfterUnpublishedWithOrders]) {
        await sql`insert into orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at)
          values (${`C${eventId}`}, 'k', ${`i${eventId}`}, ${eventId}, 'B', 'b@example.test', 0, 'EUR', 'cancelled', ${now})`.execute(db)
      }

      expect(await migrateToLatest(db, upTo('0015'))).toEqual(['0015_was_public'])
      const rows = await db.selectFrom('events').select(['id', 'wasPublic']).orderBy('id').execute()
      expect(rows).toEqual([
        { id: ids.cancelledPublic, wasPublic: 1 },
        { id: ids.cancelledNeverPublic, wasPublic: 0 },
        { id: ids.unpublishedWithOrders, wasPublic: 1 },
        { id: ids.cancelledAfterUnpublishedWithOrders, wasPublic: 1 },
        { id: ids.draft, wasPublic: 0 },
      ])
    } finally {
      await db.destroy()
    }
  })

  // Queries are prepared once per connection on PostgreSQL (src/db/database.ts).
  it('keep answering after another instance migrates a table under a prepared SELECT *', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url, { poolSize: 1 })
    try {
      await migrateToLatest(db)
      const read = () => db.selectFrom('siteSettings').selectAll().executeTakeFirstOrThrow()
      await read()
      await read()
      // What a newer release's migration, run by another instance, might do.
      const { db: other } = createDatabase(database.url)
      await sql`alter table site_settings add column added_later text`.execute(other)
      await other.destroy()

      const outcomes = []
      for (let i = 0; i < 3; i++)
        outcomes.push(
          await read().then(
            (row) => 'added_later' in row || 'addedLater' in row,
            (error: { code?: string }) => error.code,
          ),
        )
      // PostgreSQL refuses the prepared statement once (0A000); from then on it is prepared afresh.
      expect(outcomes).toEqual(kind === 'postgres' ? ['0A000', true, true] : [true, true, true])
    } finally {
      await db.destroy()
    }
  })

  it('give the messages written before 0012 a Message-ID key each', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0012'))
      await migrateToLatest(db, before)
      const row = { kind: 'test', recipient: 'a@example.test', data: '{}', state: 'sent', next_attempt_at: 1, created_at: 1 }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table as it was before the migration
      await (db as Kysely<any>)
        .insertInto('outbox')
        .values([row, { ...row, state: 'pending' }])
        .execute()
      await migrateToLatest(db)

      const keys = (await db.selectFrom('outbox').select('messageKey').execute()).map((outbox) => outbox.messageKey)
      expect(keys).toHaveLength(2)
      for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/)
      expect(new Set(keys).size).toBe(2)
    } finally {
      await db.destroy()
    }
  })
})

describeEachDatabase('migration 0014_search_text', (kind) => {
  let database: TestDatabase
  afterEach(async () => database?.drop())

  it('folds the searchable fields of the rows already there, a batch at a time, into search_text', async () => {
    database = await createTestDatabase(kind)
    const { db } = createDatabase(database.url)
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0014'))
      await migrateToLatest(db, before)
      // The tables as they were before the column, so written without it.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema types know the column the migration adds
      const old = db as unknown as Kysely<any>
      const now = Date.now()
      const user = (email: string, name: string) => ({
        email,
        name,
        passwordHash: 'x',
        role: 'organiser',
        status: 'active',
        createdAt: now,
      })
      // More users than one batch of the migration (500), so that it must read on past the first.
      await old
        .insertInto('users')
        .values([
          user('emile@straße.example', 'Émile Zoë'),
          ...Array.from({ length: 520 }, (_, i) => user(`user${i}@example.test`, `User ${i}`)),
        ])
        .execute()
      const owner = await old.selectFrom('users').select('id').where('email', '=', 'emile@straße.example').executeTakeFirstOrThrow()
      const event = await old
        .insertInto('events')
        .values({
          ownerId: owner.id,
          title: 'Café Concert',
          description: 'A naïve evening.',
          venue: 'Hauptstraße 5',
          startsAt: now,
          endsAt: now + 1,
          timeZone: 'UTC',
          imageUrl: null,
          capacity: null,
          status: 'published',
          publishedAt: now,
          cancelledAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await old
        .insertInto('orders')
        .values({
          code: 'ABC123',
          accessKey: 'key',
          idempotencyKey: 'idem',
          eventId: event.id,
          userId: null,
          buyerName: 'Ærøskøbing Łukasz',
          buyerEmail: 'lukasz@example.test',
          totalMinor: 0,
          currency: 'EUR',
          status: 'paid',
          createdAt: now,
          cancelledAt: null,
        })
        .execute()

      expect(await migrateToLatest(db, upTo('0014'))).toEqual(['0014_search_text'])
      expect(await db.selectFrom('events').select('searchText').executeTakeFirstOrThrow()).toEqual({
        searchText: 'cafe concert\nhauptstrasse 5\na naive evening.',
      })
      expect(await db.selectFrom('orders').select('searchText').executeTakeFirstOrThrow()).toEqual({
        searchText: 'abc123\naeroskobing lukasz\nlukasz@example.test',
      })
      const users = await db.selectFrom('users').select(['name', 'searchText']).orderBy('id').execute()
      expect(users[0]).toEqual({ name: 'Émile Zoë', searchText: 'emile zoe\nemile@strasse.example' })
      expect(users.at(-1)).toEqual({ name: 'User 519', searchText: 'user 519\nuser519@example.test' })
      expect(users.filter((row) => row.searchText === '')).toEqual([])
    } finally {
      await db.destroy()
    }
  })
})
