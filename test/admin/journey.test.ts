import { afterAll, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app.js'
import { type TestApp, testConfig } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'

describeEachDatabase('a new install, from the setup link to disabling an organiser', (kind) => {
  let database: TestDatabase
  let app: TestApp
  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  it('works through HTML forms alone', async () => {
    database = await createTestDatabase(kind)
    app = await buildApp(testConfig(database))
    const warn = vi.spyOn(app.log, 'warn')
    await app.ready()
    const printed = warn.mock.calls.map((call) => String(call[0])).find((message) => message.includes('/setup?token='))
    const link = /(\/setup\?token=[\w-]+)/.exec(printed ?? '')?.[1]
    expect(link).toBeDefined()

    const admin = new TestBrowser(app)
    await admin.get(link!)
    const created = await admin.post(link!, { name: 'Ada Admin', email: 'ada@example.test', password: 'the very first admin' })
    expect(created.headers.location).toBe('/site-settings')

    const settings = await admin.get('/site-settings')
    expect(settings.body).toContain('Site settings')
    const saved = await admin.post('/update-settings', {
      siteName: 'Harbour Nights',
      siteDescription: 'Concerts on the quay.',
      contactEmail: '',
      currency: 'EUR',
      timeZone: 'Europe/Lisbon',
      signupPolicy: 'approval',
    })
    expect(saved.statusCode).toBe(303)

    const organiser = new TestBrowser(app)
    const signup = await organiser.get('/register')
    expect(signup.body).toContain('<title>Create an account · Harbour Nights</title>')
    await organiser.post('/register', {
      name: 'Olli Organiser',
      email: 'olli@example.test',
      password: 'organising since 2020',
      organiser: '1',
    })
    await organiser.get('/')
    await organiser.post('/logout')
    await organiser.login('olli@example.test', 'organising since 2020')
    expect((await organiser.get('/')).body).toContain('Olli Organiser')

    const list = await admin.get('/users/list-users')
    const olli = /data-user-id="(\d+)"[\s\S]*?Olli Organiser[\s\S]*?Wants to organise/.exec(list.body)
    expect(olli).not.toBeNull()
    const id = olli![1]!
    await admin.post(`/users/${id}/approve-organiser`, { back: '/users/list-users' })
    expect((await admin.get('/users/list-users?q=olli')).body).toContain('<option value="organiser" selected>Organiser</option>')

    await admin.post(`/users/${id}/disable`, { back: '/users/list-users?q=olli' })
    const after = await organiser.get('/')
    expect(after.body).not.toContain('Olli Organiser')
    expect(after.body).toContain('href="/login"')

    const audit = await admin.get('/admin/audit')
    for (const action of [
      'account.admin_created',
      'settings.updated',
      'account.registered',
      'login.succeeded',
      'account.organiser_approved',
      'account.disabled',
    ]) {
      expect(audit.body).toContain(`<code>${action}</code>`)
    }
  })
})
