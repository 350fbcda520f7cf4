import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { createPersonas } from '../helpers/personas.js'

/** The site's name as each part of a page shows it: the header, the title, the footer. */
async function namesOn(page: Page) {
  return {
    header: (await page.locator('.site-header .brand').textContent())?.trim(),
    title: (await page.title()).split(' · ').pop(),
    footer: (await page.locator('.site-footer').textContent())?.includes('Harbour Nights'),
  }
}

describeInBrowser('site settings in a browser', (kind) => {
  const t = useBrowserApp(kind)

  it('renames the site, and every page a visitor opens shows the new name', async () => {
    const { admin, organiser } = await createPersonas(t.db)
    const { event } = await createEvent(t.db, organiser.id, { title: 'Quayside Jazz' })

    const page = await t.newPage()
    await logIn(page, admin)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click()
    await page.getByRole('heading', { name: 'Site settings' }).waitFor()
    await page.getByLabel('Site name').fill('Harbour Nights')
    await page.getByLabel('Description').fill('Concerts and talks on the quay, all summer.')
    await Promise.all([page.waitForURL('**/site-settings'), page.getByRole('button', { name: 'Save settings' }).click()])
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor()
    expect(await namesOn(page)).toEqual({ header: 'Harbour Nights', title: 'Harbour Nights', footer: true })

    const stored = await t.db.selectFrom('siteSettings').select(['siteName', 'siteDescription']).executeTakeFirstOrThrow()
    expect(stored).toEqual({ siteName: 'Harbour Nights', siteDescription: 'Concerts and talks on the quay, all summer.' })

    const visitor = await t.newPage()
    await visitor.goto('/')
    await visitor.getByRole('heading', { level: 1, name: 'Harbour Nights' }).waitFor()
    await visitor.getByText('Concerts and talks on the quay, all summer.').waitFor()
    expect(await visitor.locator('meta[name="description"]').getAttribute('content')).toBe('Concerts and talks on the quay, all summer.')
    expect(await namesOn(visitor)).toEqual({ header: 'Harbour Nights', title: 'Harbour Nights', footer: true })
    for (const path of ['/attendee', `/event/${event.id}`, `/buy-tickets/${event.id}`, '/login', '/register']) {
      await visitor.goto(path)
      expect(await namesOn(visitor), path).toEqual({ header: 'Harbour Nights', title: 'Harbour Nights', footer: true })
    }
  })
})
