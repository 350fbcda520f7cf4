import { expect, it, vi } from 'vitest'
import { describeInBrowser, useBrowserApp } from '../helpers/chromium.js'

describeInBrowser('first-run setup in a browser', (kind) => {
  let printed: () => string[] = () => []
  const t = useBrowserApp(kind, {
    beforeReady: (app) => {
      const warn = vi.spyOn(app.log, 'warn')
      printed = () => warn.mock.calls.map((call) => String(call[0]))
    },
  })

  it('creates the first admin from the link printed at start, once', async () => {
    const link = printed()
      .map((message) => /(\/setup\?token=[\w-]+)/.exec(message)?.[1])
      .find(Boolean)
    expect(link, 'the setup link in the log').toBeDefined()

    const page = await t.newPage()
    await page.goto(link!)
    await page.getByRole('heading', { name: 'Set up Admit One' }).waitFor()
    await page.getByLabel('Your name').fill('Ada Admin')
    await page.getByLabel('Email').fill('ada@example.test')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Create admin account' }).click()
    await page.locator('[data-error-summary]').waitFor()
    expect(await page.getByLabel('Your name').inputValue(), 'what was typed is kept').toBe('Ada Admin')

    await page.getByLabel('Password').fill('the very first admin')
    await Promise.all([page.waitForURL('**/site-settings'), page.getByRole('button', { name: 'Create admin account' }).click()])
    await page.getByRole('status').filter({ hasText: 'You are the site admin' }).waitFor()
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).isVisible()).toBe(true)

    const admins = await t.db.selectFrom('users').select(['name', 'email']).where('role', '=', 'admin').execute()
    expect(admins).toEqual([{ name: 'Ada Admin', email: 'ada@example.test' }])

    const stranger = await t.newPage()
    const again = await stranger.goto(link!)
    expect(again?.status()).toBe(404)
    await stranger.getByRole('heading', { name: 'Page not found' }).waitFor()
  })
})
