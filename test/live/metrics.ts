import type { FastifyInstance } from 'fastify'

/** One sample's value from /metrics, read as a scraper on this machine would. */
export async function metric(app: FastifyInstance, name: string): Promise<number> {
  const response = await app.inject('/metrics')
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`)
  const line = response.body.split('\n').find((l) => l.startsWith(`${name} `))
  if (!line) throw new Error(`no ${name} in /metrics`)
  return Number(line.slice(name.length + 1))
}
