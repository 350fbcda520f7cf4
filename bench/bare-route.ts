/**
 * The yardstick for the flash sale: the same purchase transaction behind a
 * bare Fastify route, with no sessions, CSRF, rate limits, helmet, templates
 * or pre-read of the event. bench/flash-sale.ts runs it as its own process on
 * the same database, so RESULTS.md shows what the full stack costs on top of
 * the transaction on that machine. It runs from the sources under tsx.
 */
import Fastify from 'fastify'
import formbody from '@fastify/formbody'
import { createDatabase } from '../src/db/database.js'
import { purchase } from '../src/features/purchase/purchase.service.js'
import { PurchaseRefused } from '../src/features/purchase/purchase.errors.js'

const { db } = createDatabase(process.env.DATABASE_URL!)
const app = Fastify()
await app.register(formbody)

app.get('/healthz', async () => 'ok')

app.post('/purchase/:id', async (request, reply) => {
  const body = request.body as Record<string, string>
  const quantities = new Map<number, number>()
  const seenPrices = new Map<number, number>()
  for (const [field, value] of Object.entries(body)) {
    if (field.startsWith('qty_')) quantities.set(Number(field.slice(4)), Number(value))
    if (field.startsWith('price_')) seenPrices.set(Number(field.slice(6)), Number(value))
  }
  try {
    const order = await purchase(db, {
      eventId: Number((request.params as { id: string }).id),
      quantities,
      seen: { currency: body.currency ?? '', prices: seenPrices },
      maxTicketsPerOrder: 50,
      buyerName: body.name ?? '',
      buyerEmail: body.email ?? '',
      userId: null,
      idempotencyKey: body.key ?? '',
      currency: 'EUR',
      actorLabel: body.email ?? '',
      ip: request.ip,
      buyerBrowser: null,
    })
    return reply.redirect(`/purchase/success?order=${order.code}`, 303)
  } catch (error) {
    if (error instanceof PurchaseRefused) return reply.redirect('/purchase/fail', 303)
    throw error
  }
})

process.on('SIGTERM', () => void app.close().then(() => db.destroy()).then(() => process.exit(0)))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
