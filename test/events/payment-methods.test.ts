import { describe, expect, it } from 'vitest'
import { SHORTEST_CARD_HOLD_MINUTES } from '../../src/features/payments/methods/card.js'
import { type AppHandle, useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import type { TestBrowser } from '../helpers/browser.js'
import { useLoginAs } from '../helpers/login.js'
import { createDraft, eventFields, expectRedirect } from './support.js'

/** The event form's payment fields: which ways to pay, the card's hold, the transfer's days and bank details. */

const STRIPE_ON = { stripe: { secretKey: 'sk_test_payment_methods', webhookSecret: null, apiUrl: null } }
const BANK = 'Jazz Club e.V.\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX'

async function paymentsOf(t: AppHandle, id: number) {
  return t.db
    .selectFrom('events')
    .select(['paymentMethods', 'cardHoldMinutes', 'transferDays', 'bankDetails'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

/** The checkbox of a method as the page shows it: its attributes, between `<input` and `>`. */
function checkbox(body: string, method: string): string {
  const found = body.match(new RegExp(`<input type="checkbox" id="f-paymentMethod-${method}"[^>]*>`))
  expect(found, `the ${method} checkbox`).not.toBeNull()
  return found![0]
}

function withMethods(methods: string[], overrides: Record<string, string> = {}): Record<string, string> {
  const fields = eventFields(overrides)
  delete fields['paymentMethod-at-door']
  for (const method of methods) fields[`paymentMethod-${method}`] = '1'
  return fields
}

async function create(browser: TestBrowser, fields: Record<string, string>) {
  return browser.submit('/create-event', '/create-event', fields)
}

describeEachDatabase('the event form’s payment fields', (kind) => {
  describe('on a site without Stripe keys', () => {
    const t = useTestApp(kind)
    const me = useLoginAs(t, 'organiser')

    it('offers pay at the door to a new event, and shows the card disabled with the reason', async () => {
      const page = (await me.browser.get('/create-event')).body
      expect(checkbox(page, 'at-door')).toContain(' checked')
      expect(checkbox(page, 'bank-transfer')).not.toContain(' checked')
      expect(checkbox(page, 'card')).toContain(' disabled')
      expect(checkbox(page, 'card')).toContain('aria-describedby="f-paymentMethod-card-hint"')
      expect(page).toContain('Card payments need the site’s Stripe keys, which the site’s admin sets up.')
      expect(page).toContain('name="cardHoldMinutes" type="text" value="60"')
      expect(page).toContain('name="transferDays" type="text" value="7"')
    })

    it('stores at the door for an event created with the form as it comes', async () => {
      const id = await createDraft(me.browser)
      expect(await paymentsOf(t, id)).toEqual({ paymentMethods: 'at-door', cardHoldMinutes: 60, transferDays: 7, bankDetails: '' })
    })

    it('stores bank transfer with its days and bank details, beside the door', async () => {
      const response = await create(me.browser, withMethods(['bank-transfer', 'at-door'], { transferDays: '10', bankDetails: BANK }))
      expectRedirect(response, /^\/edit-event\/\d+$/)
      const id = Number(String(response.headers.location).split('/').pop())
      expect(await paymentsOf(t, id)).toEqual({
        paymentMethods: 'bank-transfer,at-door',
        cardHoldMinutes: 60,
        transferDays: 10,
        bankDetails: BANK,
      })
      const page = (await me.browser.get(`/edit-event/${id}`)).body
      expect(checkbox(page, 'bank-transfer')).toContain(' checked')
      expect(checkbox(page, 'at-door')).toContain(' checked')
      expect(page).toContain(`>${BANK}</textarea>`)
    })

    it('refuses a form with no way to pay, with 422 and the form as typed', async () => {
      const before = await t.db.selectFrom('events').select('id').execute()
      const response = await create(me.browser, withMethods([], { title: 'Nobody Pays', transferDays: '12' }))
      expect(response.statusCode).toBe(422)
      expect(response.body).toMatch(/id="f-paymentMethods-error"><span[^>]*>Error:<\/span> Choose at least one way buyers can pay\./)
      expect(response.body).toContain('href="#f-paymentMethods"')
      expect(checkbox(response.body, 'at-door')).not.toContain(' checked')
      expect(response.body).toContain('value="Nobody Pays"')
      expect(response.body).toContain('name="transferDays" type="text" value="12"')
      expect(await t.db.selectFrom('events').select('id').execute()).toEqual(before)
    })

    it('does not count a card the site cannot take as a way to pay', async () => {
      const response = await create(me.browser, withMethods(['card']))
      expect(response.statusCode).toBe(422)
      expect(response.body).toContain('Choose at least one way buyers can pay.')
    })

    it('requires bank details with bank transfer, and refuses days and details out of bounds, keeping what was typed', async () => {
      const missing = await create(me.browser, withMethods(['bank-transfer'], { transferDays: '61', bankDetails: '' }))
      expect(missing.statusCode).toBe(422)
      expect(missing.body).toMatch(/id="f-bankDetails-error".*Enter the bank details buyers transfer to, or untick bank transfer\./)
      expect(missing.body).toMatch(/id="f-transferDays-error".*Enter a whole number from 1 to 60\./)
      expect(missing.body).toContain('name="transferDays" type="text" value="61"')
      expect(checkbox(missing.body, 'bank-transfer')).toContain(' checked')

      const zero = await create(me.browser, withMethods(['bank-transfer'], { transferDays: '0', bankDetails: BANK }))
      expect(zero.body).toMatch(/id="f-transferDays-error".*Enter a whole number from 1 to 60\./)

      const long = 'x'.repeat(1001)
      const tooLong = await create(me.browser, withMethods(['bank-transfer'], { bankDetails: long }))
      expect(tooLong.statusCode).toBe(422)
      expect(tooLong.body).toMatch(/id="f-bankDetails-error".*Use at most 1,000 characters\./)
      expect(tooLong.body).toContain(`>${long}</textarea>`)
    })

    it('reads a method’s settings only while it is ticked, and keeps them for when it is ticked again', async () => {
      const response = await create(me.browser, withMethods(['bank-transfer'], { transferDays: '21', bankDetails: BANK }))
      const id = Number(String(response.headers.location).split('/').pop())
      const off = await me.browser.submit(
        `/edit-event/${id}`,
        `/edit-event/${id}`,
        withMethods(['at-door'], { transferDays: 'soon', cardHoldMinutes: 'never', bankDetails: BANK }),
      )
      expectRedirect(off, `/edit-event/${id}`)
      expect(await paymentsOf(t, id)).toEqual({ paymentMethods: 'at-door', cardHoldMinutes: 60, transferDays: 21, bankDetails: BANK })
    })

    it('keeps an event’s card when it is edited while the site has no keys', async () => {
      const id = await createDraft(me.browser)
      await t.db.updateTable('events').set({ paymentMethods: 'card,at-door', cardHoldMinutes: 90 }).where('id', '=', id).execute()
      const page = (await me.browser.get(`/edit-event/${id}`)).body
      expect(checkbox(page, 'card')).toContain(' checked')
      expect(checkbox(page, 'card')).toContain(' disabled')
      // A disabled box sends nothing: its choice stays as it was, and so does its hold.
      const saved = await me.browser.submit(`/edit-event/${id}`, `/edit-event/${id}`, withMethods(['at-door'], { cardHoldMinutes: '5' }))
      expectRedirect(saved, `/edit-event/${id}`)
      expect(await paymentsOf(t, id)).toMatchObject({ paymentMethods: 'card,at-door', cardHoldMinutes: 90 })
    })
  })

  describe('on a site with Stripe keys', () => {
    const t = useTestApp(kind, STRIPE_ON)
    const me = useLoginAs(t, 'organiser')

    it('lets the card be ticked', async () => {
      const page = (await me.browser.get('/create-event')).body
      expect(checkbox(page, 'card')).not.toContain('disabled')
      expect(page).not.toContain('Card payments need the site’s Stripe keys')
    })

    it(`stores the card with its hold, from ${SHORTEST_CARD_HOLD_MINUTES} minutes to a day`, async () => {
      for (const [typed, stored] of [
        [String(SHORTEST_CARD_HOLD_MINUTES), SHORTEST_CARD_HOLD_MINUTES],
        ['1440', 1440],
        ['', 60],
      ] as const) {
        const response = await create(me.browser, withMethods(['card'], { cardHoldMinutes: typed }))
        expectRedirect(response, /^\/edit-event\/\d+$/)
        const id = Number(String(response.headers.location).split('/').pop())
        expect(await paymentsOf(t, id)).toMatchObject({ paymentMethods: 'card', cardHoldMinutes: stored })
      }
    })

    it('refuses a card hold shorter than the payment page or longer than a day', async () => {
      for (const typed of [String(SHORTEST_CARD_HOLD_MINUTES - 1), '1441', '1.5', 'an hour']) {
        const response = await create(me.browser, withMethods(['card', 'at-door'], { cardHoldMinutes: typed }))
        expect(response.statusCode, typed).toBe(422)
        expect(response.body).toMatch(
          new RegExp(`id="f-cardHoldMinutes-error".*Enter a whole number from ${SHORTEST_CARD_HOLD_MINUTES} to 1,440\\.`),
        )
        expect(response.body).toContain(`name="cardHoldMinutes" type="text" value="${typed}"`)
        expect(checkbox(response.body, 'card')).toContain(' checked')
      }
    })

    it('lets the card be unticked again', async () => {
      const response = await create(me.browser, withMethods(['card', 'at-door']))
      const id = Number(String(response.headers.location).split('/').pop())
      expectRedirect(await me.browser.submit(`/edit-event/${id}`, `/edit-event/${id}`, withMethods(['at-door'])), `/edit-event/${id}`)
      expect(await paymentsOf(t, id)).toMatchObject({ paymentMethods: 'at-door' })
    })
  })
})
