import { describe, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useLoginAs } from '../helpers/login.js'

/** The site settings page says which ways to pay the site can offer: the card only with Stripe's keys, which come from the environment. */

/** The page's payments section. */
function paymentsOf(body: string): string {
  const section = body.match(/<section class="admin-section" aria-labelledby="payments-heading">[\s\S]*?<\/section>/)
  expect(section, 'the payments section').not.toBeNull()
  return section![0]
}

describeEachDatabase('the site settings’ payments', (kind) => {
  describe('without STRIPE_SECRET_KEY', () => {
    const t = useTestApp(kind)
    const admin = useLoginAs(t, 'admin')

    it('lists bank transfer and pay at the door, and says card payments are not available', async () => {
      const section = paymentsOf((await admin.browser.get('/site-settings')).body)
      expect([...section.matchAll(/<li>([^<]+)<\/li>/g)].map((match) => match[1])).toEqual(['Bank transfer', 'Pay at the door'])
      expect(section).toContain('Card payments are not available: STRIPE_SECRET_KEY is not set.')
    })

    it('says so on the page that comes back with mistakes too', async () => {
      const response = await admin.browser.submit('/site-settings', '/update-settings', { siteName: '' })
      expect(response.statusCode).toBe(422)
      expect(paymentsOf(response.body)).toContain('Card payments are not available')
    })
  })

  describe('with STRIPE_SECRET_KEY', () => {
    const t = useTestApp(kind, { stripe: { secretKey: 'sk_test_site_settings', webhookSecret: null, apiUrl: null } })
    const admin = useLoginAs(t, 'admin')

    it('lists the card first, and says card payments are available', async () => {
      const section = paymentsOf((await admin.browser.get('/site-settings')).body)
      expect([...section.matchAll(/<li>([^<]+)<\/li>/g)].map((match) => match[1])).toEqual(['Card', 'Bank transfer', 'Pay at the door'])
      expect(section).toContain('Card payments are available: the site has its Stripe keys.')
      expect(section).not.toContain('sk_test_site_settings')
    })
  })
})
