import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('purchase rate limit', (kind) => {
  const t = useTestApp(kind, { rateLimits: { globalPerMinute: 1000, authPer15Minutes: 1000, purchasePerMinute: 3 } })
  let eventId: number

  beforeAll(async () => {
    const organiser = await createUser(t.db, 'organiser')
    eventId = (await createEvent(t.db, organiser.id)).event.id
  })

  it('answers purchases beyond the per-IP limit with a 429 page that says when to retry', async () => {
    const browser = new TestBrowser(t.app)
    await browser.get(`/buy-tickets/${eventId}`)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await browser.post(`/purchase/${eventId}`, { name: '' })).statusCode)
    expect(statuses).toEqual([422, 422, 422, 429])
    const limited = await browser.post(`/purchase/${eventId}`, { name: '' })
    expect(limited.statusCode).toBe(429)
    expect(limited.body).toContain('Too many attempts')
    expect(limited.body).toMatch(/wait (\d+ seconds|a minute)/)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  })
})
