import { expect, it, vi } from 'vitest'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useLoggedInAdmin } from './logged-in-admin.js'

// Counts the reads of the settings row: the page's own and the layout's must be one.
vi.mock('../../src/features/settings/settings.repository.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/features/settings/settings.repository.js')>()
  return { ...original, getSiteSettings: vi.fn(original.getSiteSettings) }
})

describeEachDatabase('admin and account pages read the site settings once', (kind) => {
  const t = useTestApp(kind)
  const me = useLoggedInAdmin(t)

  it.each(['/site-settings', '/users/list-users', '/admin/audit'])('GET %s', async (url) => {
    vi.mocked(getSiteSettings).mockClear()
    const response = await me.browser.get(url)
    expect(response.statusCode).toBe(200)
    expect(getSiteSettings).toHaveBeenCalledTimes(1)
  })

  it('GET and POST /register', async () => {
    const browser = new TestBrowser(t.app)
    vi.mocked(getSiteSettings).mockClear()
    expect((await browser.get('/register')).statusCode).toBe(200)
    expect(getSiteSettings).toHaveBeenCalledTimes(1)
    vi.mocked(getSiteSettings).mockClear()
    expect((await browser.post('/register', { name: 'Rita Read', email: 'not an email', password: 'violet lantern orbit' })).statusCode).toBe(422)
    expect(getSiteSettings).toHaveBeenCalledTimes(1)
  })
})
