import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'
import { type Persona, createUser } from '../helpers/personas.js'

/** The ids of the rows on a user list page, in order. */
function rowIds(html: string): number[] {
  return [...html.matchAll(/data-user-id="(\d+)"/g)].map((match) => Number(match[1]))
}

describeEachDatabase('GET /users/list-users', (kind) => {
  const t = useTestApp(kind)
  let admin: Persona
  let browser: TestBrowser
  let pending: Persona
  let disabled: Persona

  beforeAll(async () => {
    admin = await createUser(t.db, 'admin', { name: 'Ada Admin', email: 'ada@example.test' })
    for (let i = 1; i <= 30; i++) {
      await createUser(t.db, i % 3 === 0 ? 'organiser' : 'attendee', {
        name: `Member ${String(i).padStart(2, '0')}`,
        email: `member${i}@example.test`,
      })
    }
    pending = await createUser(t.db, 'attendee', { name: 'Penny Pending', email: 'penny@example.test' })
    await t.db.updateTable('users').set({ organiserRequestedAt: Date.now() }).where('id', '=', pending.id).execute()
    disabled = await createUser(t.db, 'organiser', { name: 'Dora Disabled', email: 'Dora.D@Example.test' })
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute()
    browser = (await loginAs(t, admin)).browser
  })

  it('lists pending organiser requests first, highlighted with approve and decline buttons', async () => {
    const page = await browser.get('/users/list-users')
    expect(page.statusCode).toBe(200)
    expect(rowIds(page.body)[0]).toBe(pending.id)
    expect(page.body).toContain('One person asks to organise events.')
    const row = page.body.slice(page.body.indexOf(`data-user-id="${pending.id}"`)).split('</tr>')[0]!
    expect(row).toContain('Wants to organise')
    expect(row).toContain(`action="/users/${pending.id}/approve-organiser"`)
    expect(row).toContain(`action="/users/${pending.id}/decline-organiser"`)
    expect(page.body).toContain('class="admin-row--pending"')
  })

  it('shows each role and status, with re-enable for a disabled account and no disable for oneself', async () => {
    const page = await browser.get('/users/list-users?q=dora')
    expect(rowIds(page.body)).toEqual([disabled.id])
    expect(page.body).toContain('<option value="organiser" selected>Organiser</option>')
    expect(page.body).toContain('Disabled</span>')
    expect(page.body).toContain(`action="/users/${disabled.id}/enable"`)
    expect(page.body).not.toContain(`action="/users/${disabled.id}/disable"`)

    const self = await browser.get('/users/list-users?q=ada%40')
    expect(rowIds(self.body)).toEqual([admin.id])
    expect(self.body).toContain('(you)')
    expect(self.body).not.toContain(`action="/users/${admin.id}/disable"`)
  })

  it('searches names and emails in any case, taking % and _ literally', async () => {
    expect(rowIds((await browser.get('/users/list-users?q=MEMBER%2007')).body)).toHaveLength(1)
    expect(rowIds((await browser.get('/users/list-users?q=penny%40EXAMPLE')).body)).toEqual([pending.id])
    const none = await browser.get('/users/list-users?q=%25')
    expect(rowIds(none.body)).toEqual([])
    expect(none.body).toContain('No accounts match.')
    expect(rowIds((await browser.get('/users/list-users?q=member_')).body)).toEqual([])
  })

  it('searches names and emails without regard to accents, on either database', async () => {
    const accented = await createUser(t.db, 'attendee', { name: 'Zoë Naïve-Müller', email: 'zoe@straße.example' })
    for (const query of ['zoe', 'ZOË', 'naive', 'muller', 'strasse', 'Straße']) {
      expect(rowIds((await browser.get(`/users/list-users?q=${encodeURIComponent(query)}`)).body), query).toEqual([accented.id])
    }
  })

  it('filters to pending requests only', async () => {
    const page = await browser.get('/users/list-users?pending=1')
    expect(rowIds(page.body)).toEqual([pending.id])
  })

  it('pages through 25 at a time with prev/next links that keep the search', async () => {
    const first = await browser.get('/users/list-users?q=member')
    expect(first.body).toContain('30 accounts matching “member” · page 1 of 2')
    expect(rowIds(first.body)).toHaveLength(25)
    expect(first.body).toContain('href="/users/list-users?q=member&amp;page=2" rel="next"')
    expect(first.body).not.toContain('rel="prev"')

    const second = await browser.get('/users/list-users?q=member&page=2')
    expect(rowIds(second.body)).toHaveLength(5)
    expect(second.body).toContain('href="/users/list-users?q=member" rel="prev"')
    expect(second.body).not.toContain('rel="next"')
    expect(new Set([...rowIds(first.body), ...rowIds(second.body)]).size).toBe(30)

    for (const junk of ['0', '-1', 'abc', '2.5']) {
      const page = await browser.get(`/users/list-users?q=member&page=${junk}`)
      expect(page.statusCode).toBe(200)
      expect(rowIds(page.body)).toEqual(rowIds(first.body))
    }
  })

  it('never shows the list to anyone but an admin', async () => {
    const anonymous = await t.app.inject('/users/list-users')
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe('/login?next=%2Fusers%2Flist-users')
    const { browser: organiserBrowser } = await loginAs(t, 'organiser')
    const refused = await organiserBrowser.get('/users/list-users')
    expect(refused.statusCode).toBe(403)
    expect(refused.body).not.toContain('penny@example.test')
  })

  it('filters by role and by status, keeps the filters in the page links, and ignores an unknown value', async () => {
    // Earlier tests in this file change roles, so the expected rows come from the table.
    const all = await t.db.selectFrom('users').select(['id', 'role', 'status']).execute()
    const organisers = await browser.get('/users/list-users?role=organiser')
    expect(organisers.body).toContain('<option value="organiser" selected>Organiser</option>')
    expect(rowIds(organisers.body).sort()).toEqual(
      all
        .filter((user) => user.role === 'organiser')
        .map((user) => user.id)
        .sort(),
    )
    expect(organisers.body).not.toContain('Penny Pending')

    const disabledOrganisers = await browser.get('/users/list-users?role=organiser&status=disabled')
    expect(rowIds(disabledOrganisers.body)).toEqual([disabled.id])

    const active = all.filter((user) => user.status === 'active').length
    expect(active, 'more than a page of them').toBeGreaterThan(25)
    const firstPage = await browser.get('/users/list-users?status=active')
    expect(firstPage.body).toContain(`${active} accounts`)
    expect(firstPage.body).toContain('href="/users/list-users?status=active&amp;page=2"')

    const unknown = await browser.get('/users/list-users?role=superuser&status=%00')
    expect(unknown.statusCode).toBe(200)
    expect(unknown.body).toContain(`${all.length} accounts`)
  })
})
