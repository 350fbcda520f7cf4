import { expect, it } from 'vitest'
import { findUserById } from '../../src/features/accounts/user.repository.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'

describeEachDatabase('POST /users/:id/disable and /enable', (kind) => {
  const t = useTestApp(kind)
  const session = useLoginAs(t, 'admin')

  async function sessionsOf(userId: number) {
    return t.db.selectFrom('sessions').select('sid').where('userId', '=', userId).execute()
  }

  it('disables an account and ends every one of its sessions at once', async () => {
    const organiser = await createUser(t.db, 'organiser', { name: 'Otto Organiser' })
    const { browser: laptop } = await loginAs(t, organiser)
    const { browser: phone } = await loginAs(t, organiser)
    expect(await sessionsOf(organiser.id)).toHaveLength(2)

    const response = await session.browser.submit('/users/list-users', `/users/${organiser.id}/disable`)
    expect(response.statusCode).toBe(303)
    expect((await findUserById(t.db, organiser.id))!.status).toBe('disabled')
    expect(await sessionsOf(organiser.id)).toEqual([])
    for (const device of [laptop, phone]) {
      const home = await device.get('/')
      expect(home.body).not.toContain('Otto Organiser')
      expect(home.body).toContain('href="/login"')
    }
    const relogin = await new TestBrowser(t.app).submit('/login', '/login', { email: organiser.email, password: organiser.password })
    expect(relogin.statusCode).toBe(401)

    const audit = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'account.disabled')
      .where('subjectId', '=', organiser.id)
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: session.user.id, ip: '127.0.0.1' })
    expect((await session.browser.get('/users/list-users')).body).toContain('Account disabled. Their sessions have ended.')
  })

  it('re-enables an account, which can then log in again', async () => {
    const attendee = await createUser(t.db, 'attendee')
    await session.browser.submit('/users/list-users', `/users/${attendee.id}/disable`)
    const response = await session.browser.submit('/users/list-users', `/users/${attendee.id}/enable`)
    expect(response.statusCode).toBe(303)
    expect((await findUserById(t.db, attendee.id))!.status).toBe('active')
    const login = await new TestBrowser(t.app).submit('/login', '/login', { email: attendee.email, password: attendee.password })
    expect(login.statusCode).toBe(303)
    const actions = await t.db.selectFrom('auditLog').select('action').where('subjectId', '=', attendee.id).orderBy('id').execute()
    expect(actions.map((row) => row.action)).toEqual(['account.disabled', 'account.enabled'])
  })

  it('does not let an admin disable their own account', async () => {
    const other = await createUser(t.db, 'admin')
    const response = await session.browser.submit('/users/list-users', `/users/${session.user.id}/disable`)
    expect(response.statusCode).toBe(303)
    expect((await session.browser.get('/users/list-users')).body).toContain('You cannot disable your own account.')
    expect((await findUserById(t.db, session.user.id))!.status).toBe('active')
    expect(other.status).toBe('active')
  })
})
