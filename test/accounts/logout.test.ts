import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs } from '../helpers/login.js'

describeEachDatabase('POST /logout', (kind) => {
  const t = useTestApp(kind)

  it('destroys the session row, so the old cookie is worthless', async () => {
    const { user, browser } = await loginAs(t, 'organiser')
    const cookie = browser.cookieHeader()
    expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', user.id).execute()).toHaveLength(1)

    await browser.get('/')
    const response = await browser.post('/logout')
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/')
    expect(await t.db.selectFrom('sessions').select('sid').where('userId', '=', user.id).execute()).toEqual([])

    const replayed = await t.app.inject({ url: '/', headers: { cookie } })
    expect(replayed.body).not.toContain('Log out')
    expect(replayed.body).toContain('Log in')
  })

  it('sends an anonymous visitor to the login page', async () => {
    const browser = new TestBrowser(t.app)
    await browser.get('/login')
    const response = await browser.post('/logout')
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toMatch(/^\/login\?next=/)
  })
})
