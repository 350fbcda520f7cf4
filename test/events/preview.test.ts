import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'

describeEachDatabase('GET /events/:id/preview', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('shows a draft as attendees will see it, under a preview banner, with buying switched off', async () => {
    const { event } = await createEvent(t.db, me.user.id, {
      status: 'draft',
      title: 'Night Market',
      venue: 'Old Port',
      ticketTypes: [
        { name: 'Entry', priceMinor: 500, capacity: 40 },
        { name: 'Free Kids', priceMinor: 0 },
      ],
    })
    const page = await me.browser.get(`/events/${event.id}/preview`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('class="preview-banner"')
    expect(page.body).toContain('once it is public')
    expect(page.body).toContain('<h1>Night Market</h1>')
    expect(page.body).toContain('Old Port')
    expect(page.body).toContain('€5.00')
    expect(page.body).toContain('Free')
    expect(page.body).toContain('40 left')
    expect(page.body).not.toContain(`href="/buy-tickets/${event.id}"`)
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).statusCode).toBe(404)
  })

  it('shows the description as escaped paragraphs and line breaks, never as HTML', async () => {
    const { event } = await createEvent(t.db, me.user.id, {
      status: 'draft',
      description: 'First line\nsecond line\n\n<script>alert(1)</script> & <b>bold</b>',
    })
    const page = await me.browser.get(`/events/${event.id}/preview`)
    expect(page.body).toContain('<p>First line<br>second line</p>')
    expect(page.body).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>')
    expect(page.body).not.toContain('<script>alert(1)')
  })

  it('shows the cancellation notice of a cancelled event', async () => {
    const { event } = await createEvent(t.db, me.user.id, { status: 'cancelled' })
    expect((await me.browser.get(`/events/${event.id}/preview`)).body).toContain('This event has been cancelled.')
  })
})
