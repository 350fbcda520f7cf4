import { expect, it, vi } from 'vitest'
import { recordAudit } from '../../src/features/audit/audit.repository.js'
import { SETTINGS_CACHE_MS, cachedSiteSettings } from '../../src/features/settings/settings.plugin.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { saveSiteSettings } from '../../src/features/settings/settings.service.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { useLoginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'
import { changeSiteSettings } from '../helpers/settings.js'

// The real audit log, which a test can make fail once.
vi.mock('../../src/features/audit/audit.repository.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/features/audit/audit.repository.js')>()
  return { ...original, recordAudit: vi.fn(original.recordAudit) }
})

const DEFAULTS = {
  siteName: 'Admit One',
  siteDescription: 'Tickets for events near you.',
  contactEmail: '',
  currency: 'EUR',
  timeZone: 'UTC',
  signupPolicy: 'open' as const,
}

const VALID = {
  siteName: 'Riverside Tickets',
  siteDescription: 'Concerts by the river.',
  contactEmail: 'box-office@riverside.example',
  currency: 'usd',
  timeZone: 'Europe/Berlin',
  signupPolicy: 'approval',
}

describeEachDatabase('GET /site-settings and POST /update-settings', (kind) => {
  const t = useTestApp(kind)
  const session = useLoginAs(t, 'admin')

  async function resetSettings() {
    await changeSiteSettings(t.db, DEFAULTS)
    await t.db.deleteFrom('auditLog').where('action', '=', 'settings.updated').execute()
  }

  async function settingsAudit() {
    return t.db.selectFrom('auditLog').selectAll().where('action', '=', 'settings.updated').execute()
  }

  it('shows the current settings in the form', async () => {
    await resetSettings()
    const page = await session.browser.get('/site-settings')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('value="Admit One"')
    expect(page.body).toContain('<option value="EUR" selected>EUR · Euro</option>')
    expect(page.body).toContain('<option value="UTC" selected>UTC</option>')
    expect(page.body).toMatch(/value="open"[^>]*checked/)
    expect(page.body).toContain('aria-current="page">Settings</a>')
  })

  it('saves valid settings, shows them on every page at once, and audits what changed', async () => {
    await resetSettings()
    const response = await session.browser.submit('/site-settings', '/update-settings', VALID)
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/site-settings')
    expect(await getSiteSettings(t.db)).toEqual({ ...VALID, currency: 'USD', signupPolicy: 'approval' })
    expect((await session.browser.get('/site-settings')).body).toContain('Settings saved.')

    const home = await t.app.inject('/')
    expect(home.body).toContain('<title>Riverside Tickets</title>')
    expect(home.body).toContain('Concerts by the river.')
    expect((await t.app.inject('/register')).body).toContain('an admin approves organiser accounts')

    const audit = await settingsAudit()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: session.user.id, actorLabel: session.user.email, ip: '127.0.0.1' })
    expect(JSON.parse(audit[0]!.details)).toEqual({
      before: {
        siteName: 'Admit One',
        siteDescription: DEFAULTS.siteDescription,
        contactEmail: '',
        currency: 'EUR',
        timeZone: 'UTC',
        signupPolicy: 'open',
      },
      after: { ...VALID, currency: 'USD' },
    })
  })

  it('names Admit One once in the footer of a site called Admit One, and as the maker under any other name', async () => {
    await resetSettings()
    const footer = async () => /<footer class="site-footer">[\s\S]*?<p>([^<]*)<\/p>/.exec((await t.app.inject('/')).body)?.[1]
    expect(await footer()).toBe('Admit One')
    await changeSiteSettings(t.db, { siteName: 'Riverside Tickets' })
    expect(await footer()).toBe('Riverside Tickets · tickets by Admit One')
  })

  it('records only the fields that changed, and nothing when nothing did', async () => {
    await resetSettings()
    await session.browser.submit('/site-settings', '/update-settings', { ...DEFAULTS, signupPolicy: 'closed' })
    const [entry] = await settingsAudit()
    expect(JSON.parse(entry!.details)).toEqual({ before: { signupPolicy: 'open' }, after: { signupPolicy: 'closed' } })

    await session.browser.submit('/site-settings', '/update-settings', { ...DEFAULTS, signupPolicy: 'closed' })
    expect(await settingsAudit()).toHaveLength(1)
    expect((await session.browser.get('/site-settings')).body).toContain('Nothing changed.')
  })

  it('keeps the settings as they were when their audit entry cannot be written', async () => {
    await resetSettings()
    vi.mocked(recordAudit).mockRejectedValueOnce(new Error('audit log unavailable'))
    const response = await session.browser.submit('/site-settings', '/update-settings', VALID)
    expect(response.statusCode).toBe(500)
    expect(await getSiteSettings(t.db)).toEqual(DEFAULTS)
    expect(await settingsAudit()).toEqual([])
  })

  it('re-renders invalid values with 422, a message for each, and changes nothing', async () => {
    await resetSettings()
    const response = await session.browser.submit('/site-settings', '/update-settings', {
      siteName: '   ',
      siteDescription: 'd'.repeat(501),
      contactEmail: 'not an email',
      currency: 'XYZ',
      timeZone: 'Mars/Olympus_Mons',
      signupPolicy: 'everyone',
    })
    expect(response.statusCode).toBe(422)
    for (const message of [
      'Enter the name of the site.',
      'Use at most 500 characters.',
      'Enter an email address like tickets@example.com, or leave it empty.',
      'Choose a currency by its three-letter ISO 4217 code, such as EUR.',
      'Choose a time zone by its IANA name, such as Europe/Berlin.',
      'Choose who may become an organiser.',
    ]) {
      expect(response.body).toContain(message)
    }
    expect(response.body).toContain('value="not an email"')
    expect(response.body).toContain('<option value="XYZ" selected>XYZ</option>')
    expect(await getSiteSettings(t.db)).toEqual(DEFAULTS)
    expect(await settingsAudit()).toEqual([])
  })

  it('offers time zones by their current names and currencies in use, and keeps a stored old zone name', async () => {
    await resetSettings()
    const page = (await session.browser.get('/site-settings')).body
    for (const current of ['Asia/Kolkata', 'Europe/Kyiv', 'America/Nuuk', 'Asia/Ho_Chi_Minh'])
      expect(page).toContain(`<option value="${current}">`)
    for (const old of ['Asia/Calcutta', 'Europe/Kiev', 'America/Godthab', 'Asia/Saigon']) expect(page).not.toContain(`value="${old}"`)
    expect(page).toContain('<option value="ZWG">')
    for (const retired of ['HRK', 'ZWL', 'CUC', 'ANG']) expect(page).not.toContain(`value="${retired}"`)

    // A zone stored under its old name is still a zone: shown selected, and saved as it is.
    await changeSiteSettings(t.db, { timeZone: 'Asia/Calcutta' })
    expect((await session.browser.get('/site-settings')).body).toContain('<option value="Asia/Calcutta" selected>Asia/Calcutta</option>')
    const saved = await session.browser.submit('/site-settings', '/update-settings', {
      ...DEFAULTS,
      timeZone: 'Asia/Calcutta',
      siteName: 'Kept Zone',
    })
    expect(saved.statusCode).toBe(303)
    expect(await getSiteSettings(t.db)).toMatchObject({ timeZone: 'Asia/Calcutta', siteName: 'Kept Zone' })
  })

  it('shows a withdrawn currency that was stored, and asks for the one that replaced it', async () => {
    await resetSettings()
    await changeSiteSettings(t.db, { currency: 'HRK' })
    expect((await session.browser.get('/site-settings')).body).toContain('<option value="HRK" selected>HRK</option>')
    const refused = await session.browser.submit('/site-settings', '/update-settings', {
      ...DEFAULTS,
      currency: 'HRK',
      siteName: 'Zagreb Nights',
    })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('HRK is no longer in use: choose EUR, which replaced it.')
    expect(await getSiteSettings(t.db)).toMatchObject({ currency: 'HRK', siteName: 'Admit One' })
    const moved = await session.browser.submit('/site-settings', '/update-settings', {
      ...DEFAULTS,
      currency: 'EUR',
      siteName: 'Zagreb Nights',
    })
    expect(moved.statusCode).toBe(303)
    expect(await getSiteSettings(t.db)).toMatchObject({ currency: 'EUR', siteName: 'Zagreb Nights' })
  })

  it('refuses a currency with other minor units once prices exist, and allows one with the same', async () => {
    await resetSettings()
    const organiser = await createUser(t.db, 'organiser')
    await createEvent(t.db, organiser.id, { ticketTypes: [{ priceMinor: 2500 }] })

    const refused = await session.browser.submit('/site-settings', '/update-settings', { ...DEFAULTS, currency: 'JPY' })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('every price would change')
    expect((await getSiteSettings(t.db)).currency).toBe('EUR')

    const allowed = await session.browser.submit('/site-settings', '/update-settings', { ...DEFAULTS, currency: 'GBP' })
    expect(allowed.statusCode).toBe(303)
    expect((await getSiteSettings(t.db)).currency).toBe('GBP')
  })

  it('pages read the settings once a second at most: a change here shows at once, one from another instance within the second', async () => {
    await resetSettings()
    const start = Date.now()
    expect((await cachedSiteSettings(t.db, start)).siteName).toBe('Admit One')

    // Another instance writes the row: this one keeps what it read until the second is up.
    await t.db.updateTable('siteSettings').set({ siteName: 'Changed Elsewhere' }).where('id', '=', 1).execute()
    expect((await cachedSiteSettings(t.db, start + SETTINGS_CACHE_MS - 1)).siteName).toBe('Admit One')
    // The settings form reads the row itself: saving it must not write old values back.
    expect((await session.browser.get('/site-settings')).body).toContain('value="Changed Elsewhere"')
    expect((await cachedSiteSettings(t.db, start + SETTINGS_CACHE_MS)).siteName).toBe('Changed Elsewhere')

    // A change through this instance shows on the next page.
    await saveSiteSettings(
      t.db,
      { userId: session.user.id, label: session.user.email, isAdmin: true, ip: '127.0.0.1' },
      await getSiteSettings(t.db),
      {
        ...DEFAULTS,
        siteName: 'Changed Here',
      },
    )
    expect((await cachedSiteSettings(t.db, start + SETTINGS_CACHE_MS)).siteName).toBe('Changed Here')
    expect((await t.app.inject({ method: 'GET', url: '/' })).body).toContain('Changed Here')
  })
})
