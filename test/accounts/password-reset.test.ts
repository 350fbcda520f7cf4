import { expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'
import { PASSWORD, createUser } from '../helpers/personas.js'
import { useMailApp } from '../helpers/smtp.js'

const NEW_PASSWORD = 'a brand new password for me'

describeEachDatabase('forgot password', (kind) => {
  const t = useMailApp(kind)

  const resetLinkIn = (text: string) => /http:\/\/localhost:80(\/reset-password\?token=[\w-]+)/.exec(text)![1]!

  it('sets a new password through a single-use link sent by mail, and ends every session of the account', async () => {
    const user = await createUser(t.db, 'attendee', { email: 'forgetful@example.test', name: 'Fran' })
    const elsewhere = new TestBrowser(t.app)
    await elsewhere.login(user.email, PASSWORD)

    const browser = new TestBrowser(t.app)
    expect((await browser.get('/login')).body).toContain('href="/forgot-password"')
    const asked = await browser.submit('/forgot-password', '/forgot-password', { email: ' Forgetful@Example.test ' })
    expect(asked.statusCode).toBe(200)
    expect(asked.body).toContain('If an account uses <strong>forgetful@example.test</strong>')

    const [mail] = await t.smtp.waitFor('forgetful@example.test')
    expect(mail!.parsed.subject).toMatch(/^Reset your password for /)
    const link = resetLinkIn(mail!.parsed.text!)
    // Only the token's hash is kept.
    const stored = await t.db.selectFrom('passwordResets').selectAll().where('userId', '=', user.id).execute()
    expect(stored).toHaveLength(1)
    expect(link).not.toContain(stored[0]!.tokenHash)

    const form = await browser.get(link)
    expect(form.statusCode).toBe(200)
    expect(form.headers['cache-control']).toBe('no-store')
    const token = new URL(link, 'http://x').searchParams.get('token')!
    const mismatch = await browser.post('/reset-password', { token, password: NEW_PASSWORD, confirmation: 'something else entirely' })
    expect(mismatch.statusCode).toBe(422)
    expect(mismatch.body).toContain('The two passwords differ')
    const short = await browser.post('/reset-password', { token, password: 'short', confirmation: 'short' })
    expect(short.statusCode).toBe(422)

    const done = await browser.post('/reset-password', { token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/login')
    // The old password no longer works, the new one does, and the other browser is logged out.
    expect((await new TestBrowser(t.app).submit('/login', '/login', { email: user.email, password: PASSWORD })).statusCode).toBe(401)
    await new TestBrowser(t.app).login(user.email, NEW_PASSWORD)
    expect((await elsewhere.get('/my-tickets')).statusCode).toBe(303)

    // Used once: the link is refused now, and a second use changes nothing.
    expect((await browser.get(link)).statusCode).toBe(410)
    const again = await browser.post('/reset-password', {
      token,
      password: 'yet another password here',
      confirmation: 'yet another password here',
    })
    expect(again.statusCode).toBe(410)
    await new TestBrowser(t.app).login(user.email, NEW_PASSWORD)
  })

  it('answers the same for an address without an account, and sends nothing', async () => {
    const browser = new TestBrowser(t.app)
    const asked = await browser.submit('/forgot-password', '/forgot-password', { email: 'nobody@example.test' })
    expect(asked.statusCode).toBe(200)
    expect(asked.body).toContain('If an account uses <strong>nobody@example.test</strong>')
    await t.app.mail.runRound()
    expect(t.smtp.to('nobody@example.test')).toEqual([])
    expect(await t.db.selectFrom('outbox').select('id').where('recipient', '=', 'nobody@example.test').execute()).toEqual([])
  })

  it('refuses an expired link, and gives back what was typed for a bad address', async () => {
    const user = await createUser(t.db, 'attendee', { email: 'late@example.test' })
    const browser = new TestBrowser(t.app)
    await browser.submit('/forgot-password', '/forgot-password', { email: user.email })
    const [mail] = await t.smtp.waitFor(user.email)
    await t.db
      .updateTable('passwordResets')
      .set({ expiresAt: Date.now() - 1 })
      .where('userId', '=', user.id)
      .execute()
    const expired = await browser.get(resetLinkIn(mail!.parsed.text!))
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('This link no longer works')
    expect((await browser.get('/reset-password?token=forged-token')).statusCode).toBe(410)

    const bad = await browser.submit('/forgot-password', '/forgot-password', { email: 'not-an-address' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('value="not-an-address"')
  })

  it('ends the links of an account when it is disabled: enabling it again does not bring them back', async () => {
    const user = await createUser(t.db, 'organiser', { email: 'suspended@example.test' })
    const admin = await loginAs(t, 'admin')
    const browser = new TestBrowser(t.app)
    await browser.submit('/forgot-password', '/forgot-password', { email: user.email })
    const [mail] = await t.smtp.waitFor(user.email)
    const link = resetLinkIn(mail!.parsed.text!)

    expect((await admin.browser.submit('/users/list-users', `/users/${user.id}/disable`)).statusCode).toBe(303)
    expect((await admin.browser.submit('/users/list-users', `/users/${user.id}/enable`)).statusCode).toBe(303)

    expect(
      await t.db.selectFrom('passwordResets').select('id').where('userId', '=', user.id).where('usedAt', 'is', null).execute(),
    ).toEqual([])
    expect((await browser.get(link)).statusCode).toBe(410)
    const token = new URL(link, 'http://x').searchParams.get('token')!
    const used = await browser.post('/reset-password', { token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD })
    expect(used.statusCode).toBe(410)
    await new TestBrowser(t.app).login(user.email, PASSWORD)
  })

  it('sends one account at most three links an hour', async () => {
    const user = await createUser(t.db, 'attendee', { email: 'impatient@example.test' })
    const browser = new TestBrowser(t.app)
    for (let i = 0; i < 5; i++) {
      expect((await browser.submit('/forgot-password', '/forgot-password', { email: user.email })).statusCode).toBe(200)
    }
    await t.app.mail.runRound()
    expect(await t.db.selectFrom('passwordResets').select('id').where('userId', '=', user.id).execute()).toHaveLength(3)
    await t.smtp.waitFor(user.email, 3)
  })
})
