import { DateTime } from 'luxon'
import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useLoginAs } from '../helpers/login.js'
import { changeSiteSettings } from '../helpers/settings.js'

const BERLIN = 'Europe/Berlin'

function berlin(iso: string): number {
  return DateTime.fromISO(iso, { zone: BERLIN }).toMillis()
}

/** The "what" column of each row, in order. */
function actionsShown(html: string): string[] {
  return [...html.matchAll(/<tr class="audit-entry">[\s\S]*?<code>([^<]+)<\/code>/g)].map((match) => match[1]!)
}

describeEachDatabase('GET /admin/audit', (kind) => {
  const t = useTestApp(kind)
  const session = useLoginAs(t, 'admin')

  async function entry(
    action: string,
    at: number,
    fields: { actorLabel?: string; ip?: string; details?: object; subjectId?: number } = {},
  ) {
    await t.db
      .insertInto('auditLog')
      .values({
        at,
        actorId: null,
        actorLabel: fields.actorLabel ?? 'system',
        action,
        subjectType: fields.subjectId ? 'user' : null,
        subjectId: fields.subjectId ?? null,
        details: JSON.stringify(fields.details ?? {}),
        ip: fields.ip ?? null,
      })
      .execute()
  }

  beforeAll(async () => {
    await changeSiteSettings(t.db, { timeZone: BERLIN })
    await entry('test.day', berlin('2026-03-01T12:00'))
    await entry('test.day', berlin('2026-03-02T00:00'), { actorLabel: 'early@example.test' })
    await entry('test.day', berlin('2026-03-02T23:59'), { actorLabel: 'late@example.test' })
    await entry('test.day', berlin('2026-03-03T00:00'))
    await entry('test.settings', berlin('2026-04-01T09:15'), {
      actorLabel: 'Boss@Example.test',
      ip: '198.51.100.7',
      details: { before: { siteName: 'Old <b>Name</b>', contactEmail: '' }, after: { siteName: 'New Name', contactEmail: 'a@b.example' } },
    })
    await entry('test.user', berlin('2026-04-02T10:00'), {
      subjectId: 42,
      details: { email: 'someone@example.test', from: 'attendee', to: 'admin' },
    })
    for (let i = 0; i < 55; i++) await entry('test.bulk', berlin('2025-01-01T00:00') + i * 60_000)
  })

  it('shows who, what, when in the site time zone, from which IP, and the details, newest first', async () => {
    const page = await session.browser.get('/admin/audit?action=test.settings')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('aria-current="page">Audit log</a>')
    expect(page.body).toContain('Times in Europe/Berlin.')
    expect(page.body).toContain('Wed, 1 Apr 2026, 09:15 CEST')
    expect(page.body).toContain('Boss@Example.test')
    expect(page.body).toContain('198.51.100.7')
    expect(page.body).toContain('<dt>siteName</dt><dd>Old &lt;b&gt;Name&lt;/b&gt; → New Name</dd>')
    expect(page.body).toContain('<dt>contactEmail</dt><dd>(empty) → a@b.example</dd>')

    const all = await session.browser.get('/admin/audit')
    const shown = actionsShown(all.body)
    expect(shown[0]).toBe('login.succeeded')
    expect(shown.indexOf('test.user')).toBeLessThan(shown.indexOf('test.settings'))
  })

  it('shows instants in the details as dates in the site time zone, a changed field as old → new', async () => {
    await entry('test.instants', berlin('2026-04-03T10:00'), {
      details: {
        publishedAt: berlin('2026-12-05T19:30'),
        changed: { startsAt: { from: berlin('2026-12-24T18:00'), to: berlin('2026-12-31T21:00') }, title: { from: 'Old', to: 'New' } },
        cancelledAt: null,
        tickets: 3,
      },
    })
    const page = await session.browser.get('/admin/audit?action=test.instants')
    expect(page.body).toContain('<dt>publishedAt</dt><dd>Sat, 5 Dec 2026, 19:30 CET</dd>')
    expect(page.body).toContain('<dt>startsAt</dt><dd>Thu, 24 Dec 2026, 18:00 CET → Thu, 31 Dec 2026, 21:00 CET</dd>')
    expect(page.body).toContain('<dt>title</dt><dd>Old → New</dd>')
    expect(page.body).toContain('<dt>cancelledAt</dt><dd>(none)</dd>')
    expect(page.body).toContain('<dt>tickets</dt><dd>3</dd>')
    expect(page.body).not.toMatch(/\d{13}/)
  })

  it('links a user subject to that user in the user list', async () => {
    const page = await session.browser.get('/admin/audit?action=test.user')
    expect(page.body).toContain('<a href="/users/list-users?q=someone%40example.test"><bdi>user #42 (someone@example.test)</bdi></a>')
    expect(page.body).toContain('<dt>from</dt><dd>attendee</dd>')
  })

  it('filters by action, offering the actions the log holds', async () => {
    const page = await session.browser.get('/admin/audit?action=test.day')
    expect(actionsShown(page.body)).toEqual(['test.day', 'test.day', 'test.day', 'test.day'])
    expect(page.body).toContain('<option value="test.day" selected>test.day</option>')
    expect(page.body).toContain('<option value="login.succeeded">login.succeeded</option>')
  })

  it('filters by part of the actor, in any case', async () => {
    const page = await session.browser.get('/admin/audit?actor=BOSS%40example')
    expect(actionsShown(page.body)).toEqual(['test.settings'])
    expect(actionsShown((await session.browser.get('/admin/audit?actor=%25')).body)).toEqual([])
  })

  it('filters by whole days in the site time zone, both ends included', async () => {
    const day = await session.browser.get('/admin/audit?action=test.day&from=2026-03-02&to=2026-03-02')
    expect(actionsShown(day.body)).toHaveLength(2)
    expect(day.body).toContain('late@example.test')
    expect(day.body).toContain('early@example.test')
    const fromOnly = await session.browser.get('/admin/audit?action=test.day&from=2026-03-02')
    expect(actionsShown(fromOnly.body)).toHaveLength(3)
    const toOnly = await session.browser.get('/admin/audit?action=test.day&to=2026-03-01')
    expect(actionsShown(toOnly.body)).toHaveLength(1)
  })

  it('answers a malformed or reversed date range with 422 and a message', async () => {
    const bad = await session.browser.get('/admin/audit?from=yesterday')
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('Enter a date like 2026-12-31.')
    const reversed = await session.browser.get('/admin/audit?from=2026-03-03&to=2026-03-01')
    expect(reversed.statusCode).toBe(422)
    expect(reversed.body).toContain('The end date is before the start date.')
  })

  it('pages 50 at a time, keeping the filters in the links', async () => {
    const first = await session.browser.get('/admin/audit?action=test.bulk')
    expect(actionsShown(first.body)).toHaveLength(50)
    expect(first.body).toContain('href="/admin/audit?action=test.bulk&amp;page=2" rel="next"')
    const second = await session.browser.get('/admin/audit?action=test.bulk&page=2')
    expect(actionsShown(second.body)).toHaveLength(5)
    expect(second.body).toContain('href="/admin/audit?action=test.bulk" rel="prev"')
    expect(second.body).not.toContain('rel="next"')
  })
})
