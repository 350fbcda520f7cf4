import { expect, it } from 'vitest'
import { findUserById } from '../../src/features/accounts/user.repository.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('POST /users/:id/role, /approve-organiser, /decline-organiser', (kind) => {
  const t = useTestApp(kind)
  const session = useLoginAs(t, 'admin')

  async function requester() {
    const user = await createUser(t.db, 'attendee')
    await t.db.updateTable('users').set({ organiserRequestedAt: Date.now() }).where('id', '=', user.id).execute()
    return user
  }

  async function auditOf(userId: number) {
    const rows = await t.db.selectFrom('auditLog').selectAll().where('subjectId', '=', userId).where('subjectType', '=', 'user').execute()
    return rows.map((row) => ({ action: row.action, actorId: row.actorId, ip: row.ip, details: JSON.parse(row.details) as unknown }))
  }

  it('changes a role, returns to the list page it came from, and audits from and to', async () => {
    const user = await createUser(t.db, 'attendee')
    await session.browser.get('/users/list-users?q=attendee&page=1')
    const response = await session.browser.post(`/users/${user.id}/role`, { role: 'organiser', back: '/users/list-users?q=attendee' })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/users/list-users?q=attendee')
    expect((await findUserById(t.db, user.id))!.role).toBe('organiser')
    expect(await auditOf(user.id)).toEqual([
      {
        action: 'account.role_changed',
        actorId: session.user.id,
        ip: '127.0.0.1',
        details: { email: user.email, from: 'attendee', to: 'organiser' },
      },
    ])
    expect((await session.browser.get('/users/list-users')).body).toContain('Role changed.')
  })

  it('lets the new role take effect on the user’s next request', async () => {
    const { user: user, browser: theirs } = await loginAs(t, 'attendee')
    expect((await theirs.get('/')).body).not.toContain('href="/site-settings"')
    await session.browser.submit('/users/list-users', `/users/${user.id}/role`, { role: 'admin' })
    expect((await theirs.get('/site-settings')).statusCode).toBe(200)
  })

  it('refuses a role that does not exist and an unknown or malformed user id', async () => {
    const user = await createUser(t.db, 'attendee')
    const bad = await session.browser.submit('/users/list-users', `/users/${user.id}/role`, { role: 'superuser' })
    expect(bad.statusCode).toBe(303)
    expect((await session.browser.get('/users/list-users')).body).toContain('Choose one of the roles in the list.')
    expect((await findUserById(t.db, user.id))!.role).toBe('attendee')

    expect((await session.browser.post('/users/999999/role', { role: 'admin' })).statusCode).toBe(404)
    expect((await session.browser.post('/users/1e3/role', { role: 'admin' })).statusCode).toBe(404)
  })

  it('never sends the admin back anywhere but the list', async () => {
    const user = await createUser(t.db, 'attendee')
    const response = await session.browser.submit('/users/list-users', `/users/${user.id}/role`, {
      role: 'organiser',
      back: '//evil.example/users/list-users',
    })
    expect(response.headers.location).toBe('/users/list-users')
    const elsewhere = await session.browser.post(`/users/${user.id}/role`, { role: 'attendee', back: '/site-settings' })
    expect(elsewhere.headers.location).toBe('/users/list-users')
  })

  it('approves a pending organiser: role organiser, request cleared, audited', async () => {
    const user = await requester()
    const response = await session.browser.submit('/users/list-users', `/users/${user.id}/approve-organiser`)
    expect(response.statusCode).toBe(303)
    expect(await findUserById(t.db, user.id)).toMatchObject({ role: 'organiser', organiserRequestedAt: null })
    expect((await auditOf(user.id)).map((entry) => entry.action)).toEqual(['account.organiser_approved'])

    const again = await session.browser.submit('/users/list-users', `/users/${user.id}/approve-organiser`)
    expect(again.statusCode).toBe(303)
    expect((await session.browser.get('/users/list-users')).body).toContain('Nothing to change: it was already so.')
    expect(await auditOf(user.id)).toHaveLength(1)
  })

  it('declines a request: the person stays an attendee with no request', async () => {
    const user = await requester()
    await session.browser.submit('/users/list-users', `/users/${user.id}/decline-organiser`)
    expect(await findUserById(t.db, user.id)).toMatchObject({ role: 'attendee', organiserRequestedAt: null })
    expect((await auditOf(user.id)).map((entry) => entry.action)).toEqual(['account.organiser_declined'])
  })

  it('answers a request when an admin makes the person an organiser directly', async () => {
    const user = await requester()
    await session.browser.submit('/users/list-users', `/users/${user.id}/role`, { role: 'organiser' })
    expect(await findUserById(t.db, user.id)).toMatchObject({ role: 'organiser', organiserRequestedAt: null })
  })
})
