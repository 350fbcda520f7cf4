import { afterEach, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { countActiveAdmins, findUserById } from '../../src/features/accounts/user.repository.js'
import { type TestApp, testConfig, useTestApp } from '../helpers/app.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('the last active admin', (kind) => {
  const t = useTestApp(kind)

  async function onlyAdmins() {
    await t.db.updateTable('users').set({ role: 'attendee' }).where('role', '=', 'admin').execute()
  }

  it('cannot step down', async () => {
    await onlyAdmins()
    const { user: admin, browser } = await loginAs(t, 'admin')

    const demote = await browser.submit('/users/list-users', `/users/${admin.id}/role`, { role: 'organiser' })
    expect(demote.statusCode).toBe(303)
    expect(demote.headers.location).toBe('/users/list-users')
    expect((await browser.get('/users/list-users')).body).toContain('is the last active admin. Make someone else an admin first.')
    expect((await findUserById(t.db, admin.id))!.role).toBe('admin')
    expect(await t.db.selectFrom('auditLog').select('id').where('action', '=', 'account.role_changed').execute()).toEqual([])
  })

  it('counts only active admins: a disabled admin does not keep the last active one replaceable', async () => {
    await onlyAdmins()
    const admin = await createUser(t.db, 'admin')
    const dormant = await createUser(t.db, 'admin')
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', dormant.id).execute()
    const { browser } = await loginAs(t, admin)
    await browser.submit('/users/list-users', `/users/${admin.id}/role`, { role: 'attendee' })
    expect((await findUserById(t.db, admin.id))!.role).toBe('admin')
  })

  it('can step down once another admin is active, and is sent home', async () => {
    await onlyAdmins()
    const leaving = await createUser(t.db, 'admin')
    const staying = await createUser(t.db, 'admin')
    const { browser } = await loginAs(t, leaving)
    const response = await browser.submit('/users/list-users', `/users/${leaving.id}/role`, { role: 'organiser' })
    expect(response.headers.location).toBe('/')
    expect((await findUserById(t.db, leaving.id))!.role).toBe('organiser')
    expect((await findUserById(t.db, staying.id))!.role).toBe('admin')
    expect((await browser.get('/users/list-users')).statusCode).toBe(403)
  })

  it('survives two admins demoting and disabling each other at the same moment', async () => {
    await onlyAdmins()
    const { user: first, browser: firstBrowser } = await loginAs(t, 'admin')
    const { user: second, browser: secondBrowser } = await loginAs(t, 'admin')
    await firstBrowser.get('/users/list-users')
    await secondBrowser.get('/users/list-users')

    const responses = await Promise.all([
      firstBrowser.post(`/users/${second.id}/role`, { role: 'attendee' }),
      secondBrowser.post(`/users/${first.id}/disable`),
    ])
    // Whoever comes second is either refused as the last admin or, having just lost the admin role, refused at the door.
    for (const response of responses) expect([303, 403]).toContain(response.statusCode)
    expect(await countActiveAdmins(t.db)).toBe(1)
  })
})

describeEachDatabase('the last active admin, across two app instances', (kind) => {
  const opened: TestApp[] = []
  let database: TestDatabase | undefined
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((app) => app.close()))
    await database?.drop()
  })

  // Two processes on one SQLite file would serialise on its write lock; two
  // instances in one test process cannot show that without blocking each other.
  it.runIf(kind === 'postgres')('stays active when each instance demotes the other admin at once', async () => {
    database = await createTestDatabase(kind)
    for (let i = 0; i < 2; i++) opened.push(await buildApp(testConfig(database)))
    const [one, two] = opened as [TestApp, TestApp]
    for (let round = 0; round < 5; round++) {
      await one.db.updateTable('users').set({ role: 'attendee' }).where('role', '=', 'admin').execute()
      const { user: first, browser: firstBrowser } = await loginAs({ app: one, db: one.db }, 'admin')
      const { user: second, browser: secondBrowser } = await loginAs({ app: two, db: two.db }, 'admin')
      await firstBrowser.get('/users/list-users')
      await secondBrowser.get('/users/list-users')
      await Promise.all([
        firstBrowser.post(`/users/${second.id}/role`, { role: 'attendee' }),
        secondBrowser.post(`/users/${first.id}/role`, { role: 'attendee' }),
      ])
      expect(await countActiveAdmins(one.db)).toBe(1)
    }
  })
})
