import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { soldOutEvent } from './support.js'

describeEachDatabase('waiting-list join rate limit', (kind) => {
  const t = useTestApp(kind, { rateLimits: { globalPerMinute: 1000, authPer15Minutes: 1000, purchasePerMinute: 3 } })

  it('answers joins beyond the per-IP limit with a 429 page, as the purchase does', async () => {
    const { eventId, typeId } = await soldOutEvent(t.db, { capacity: 1 })
    const browser = new TestBrowser(t.app)
    await browser.get(`/event/${eventId}/waiting-list?type=${typeId}`)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await browser.post(`/event/${eventId}/waiting-list`, { type: String(typeId), name: '' })).statusCode)
    expect(statuses).toEqual([422, 422, 422, 429])
    expect((await browser.post(`/event/${eventId}/waiting-list`, { type: String(typeId), name: '' })).body).toContain('Too many attempts')
  })
})
