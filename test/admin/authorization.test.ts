import { beforeAll, describe, expect, it } from 'vitest'
import { findUserById } from '../../src/features/accounts/user.repository.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'
import { type Persona, createPersonas, createUser } from '../helpers/personas.js'

type Personas = Awaited<ReturnType<typeof createPersonas>>

const PAGES = ['/site-settings', '/users/list-users', '/users/list-users?q=a&page=2', '/admin/audit', '/admin/audit?action=login.failed']

/** Every admin action, with a body an admin's form would send. */
function actions(target: Persona, settings: Record<string, string>): { url: string; fields: Record<string, string>; lands: string }[] {
  return [
    { url: '/update-settings', fields: settings, lands: '/site-settings' },
    { url: `/users/${target.id}/role`, fields: { role: 'attendee' }, lands: '/users/list-users' },
    { url: `/users/${target.id}/approve-organiser`, fields: {}, lands: '/users/list-users' },
    { url: `/users/${target.id}/decline-organiser`, fields: {}, lands: '/users/list-users' },
    { url: `/users/${target.id}/disable`, fields: {}, lands: '/users/list-users' },
    { url: `/users/${target.id}/enable`, fields: {}, lands: '/users/list-users' },
  ]
}

describeEachDatabase('who may use the admin pages and actions', (kind) => {
  const t = useTestApp(kind)
  let people: Personas
  let target: Persona
  let settings: Record<string, string>
  const browsers = new Map<string, TestBrowser>()

  beforeAll(async () => {
    people = await createPersonas(t.db)
    target = await createUser(t.db, 'attendee', { name: 'Tess Target' })
    settings = { ...(await getSiteSettings(t.db)) }
    for (const name of ['admin', 'organiser', 'otherOrganiser', 'attendee'] as const) {
      const { browser } = await loginAs(t, people[name])
      await browser.get('/')
      browsers.set(name, browser)
    }
    const anonymous = new TestBrowser(t.app)
    await anonymous.get('/login')
    browsers.set('anonymous', anonymous)
  })

  describe('anonymous visitors', () => {
    it.each(PAGES)('are sent to log in and back for GET %s', async (url) => {
      const response = await browsers.get('anonymous')!.get(url)
      expect(response.statusCode).toBe(303)
      expect(response.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`)
    })

    it('are sent to log in for every action, which changes nothing', async () => {
      for (const action of actions(target, settings)) {
        const response = await browsers.get('anonymous')!.post(action.url, action.fields)
        expect(response.statusCode, action.url).toBe(303)
        expect(response.headers.location, action.url).toBe('/login?next=%2F')
      }
      expect(await findUserById(t.db, target.id)).toMatchObject({ role: 'attendee', status: 'active' })
    })
  })

  describe.each(['attendee', 'organiser', 'otherOrganiser'])('a logged-in %s', (persona) => {
    it.each(PAGES)('is refused GET %s with 403', async (url) => {
      const response = await browsers.get(persona)!.get(url)
      expect(response.statusCode).toBe(403)
      expect(response.body).toContain('Your account may not do this.')
    })

    it('is refused every action with 403, which changes nothing', async () => {
      for (const action of actions(target, { ...settings, siteName: 'Taken over' })) {
        const response = await browsers.get(persona)!.post(action.url, action.fields)
        expect(response.statusCode, action.url).toBe(403)
      }
      expect(await findUserById(t.db, target.id)).toMatchObject({ role: 'attendee', status: 'active' })
      expect((await getSiteSettings(t.db)).siteName).toBe(settings.siteName)
      const home = await browsers.get(persona)!.get('/')
      expect(home.body).not.toContain('href="/site-settings"')
    })
  })

  describe('an admin', () => {
    it.each(PAGES)('may GET %s', async (url) => {
      const response = await browsers.get('admin')!.get(url)
      expect(response.statusCode).toBe(200)
      expect(response.body).toContain('<nav class="admin-nav" aria-label="Site admin">')
      expect(response.body).toContain('<a href="/site-settings" aria-current="page">Admin</a>')
    })

    it('may take every action, each answered with 303 back to its page', async () => {
      await t.db.updateTable('users').set({ organiserRequestedAt: Date.now() }).where('id', '=', target.id).execute()
      for (const action of actions(target, settings)) {
        const response = await browsers.get('admin')!.post(action.url, action.fields)
        expect(response.statusCode, action.url).toBe(303)
        expect(response.headers.location, action.url).toBe(action.lands)
      }
      const audited = await t.db.selectFrom('auditLog').select('action').where('subjectId', '=', target.id).orderBy('id').execute()
      expect(audited.map((row) => row.action)).toEqual(['account.organiser_approved', 'account.disabled', 'account.enabled'])
    })
  })
})
