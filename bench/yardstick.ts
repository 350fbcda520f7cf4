/**
 * The machine's yardstick for a purchase: the least a ticket sale can do on
 * this database, behind a bare Fastify route. One guarded UPDATE of the ticket
 * type (it takes a ticket only while one is left), one order INSERT and one
 * ticket INSERT, in one transaction, through the driver itself (better-sqlite3
 * or pg) with statements prepared once: no Kysely, no sessions, no CSRF, no
 * templates, no audit entry, no event row.
 *
 * It writes to the app's own tables with the app's durability settings
 * (WAL and synchronous=FULL on SQLite, synchronous_commit=on on PostgreSQL),
 * so that the full stack is compared with the same disk work. bench/flash-sale.ts
 * runs it in its own process, first, with the same load as the app.
 */
import SQLite from 'better-sqlite3'
import Fastify from 'fastify'
import formbody from '@fastify/formbody'
import { randomBytes } from 'node:crypto'
import pg from 'pg'

const url = process.env.DATABASE_URL!
type Sale = (ticketTypeId: number, eventId: number, key: string) => Promise<string | null>

const TAKE = 'UPDATE ticket_types SET sold = sold + 1 WHERE id = $1 AND sold + 1 <= capacity RETURNING price_minor'
const ORDER =
  "INSERT INTO orders (code, access_key, idempotency_key, event_id, buyer_name, buyer_email, total_minor, currency, status, created_at) VALUES ($1, $2, $3, $4, 'Bench Buyer', 'bench@example.test', $5, 'EUR', 'paid', $6) RETURNING id"
const TICKET = 'INSERT INTO tickets (order_id, ticket_type_id, code, price_minor) VALUES ($1, $2, $3, $4)'

const code = (length: number) => randomBytes(length).toString('hex').slice(0, length).toUpperCase()

function sqliteSale(file: string): Sale {
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  database.pragma('synchronous = FULL')
  const take = database.prepare<[number], { price_minor: number }>(TAKE.replace(/\$\d/g, '?'))
  const order = database.prepare<unknown[], { id: number }>(ORDER.replace(/\$\d/g, '?'))
  const ticket = database.prepare(TICKET.replace(/\$\d/g, '?'))
  const sell = database.transaction((ticketTypeId: number, eventId: number, key: string) => {
    const taken = take.get(ticketTypeId)
    if (!taken) return null
    const orderCode = code(10)
    const { id } = order.get(orderCode, code(32), key, eventId, taken.price_minor, Date.now())!
    ticket.run(id, ticketTypeId, code(16), taken.price_minor)
    return orderCode
  })
  return async (ticketTypeId, eventId, key) => sell(ticketTypeId, eventId, key)
}

function postgresSale(connectionString: string): Sale {
  const pool = new pg.Pool({ connectionString, max: 10, options: '-c synchronous_commit=on' })
  return async (ticketTypeId, eventId, key) => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const taken = await client.query<{ price_minor: number }>({ name: 'take', text: TAKE, values: [ticketTypeId] })
      if (taken.rowCount === 0) {
        await client.query('ROLLBACK')
        return null
      }
      const priceMinor = taken.rows[0]!.price_minor
      const orderCode = code(10)
      const order = await client.query<{ id: number }>({
        name: 'order',
        text: ORDER,
        values: [orderCode, code(32), key, eventId, priceMinor, Date.now()],
      })
      await client.query({ name: 'ticket', text: TICKET, values: [order.rows[0]!.id, ticketTypeId, code(16), priceMinor] })
      await client.query('COMMIT')
      return orderCode
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }
}

const sale = /^postgres(ql)?:\/\//.test(url) ? postgresSale(url) : sqliteSale(url.replace(/^sqlite:/, ''))
const app = Fastify()
await app.register(formbody)

app.get('/healthz', async () => 'ok')

app.post('/purchase/:id', async (request, reply) => {
  const body = request.body as Record<string, string>
  const field = Object.keys(body).find((name) => name.startsWith('qty_'))
  const orderCode = await sale(Number(field?.slice(4)), Number((request.params as { id: string }).id), body.key ?? '')
  return reply.redirect(orderCode ? `/purchase/success?order=${orderCode}` : '/purchase/fail', 303)
})

process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
