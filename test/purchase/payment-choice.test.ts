import { beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { translator } from '../../src/i18n/translate.js'
import { type AppHandle, useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { WEBHOOK_SECRET } from '../helpers/card-payments.js'
import { type DatabaseKind, describeEachDatabase } from '../helpers/database.js'
import { type TicketTypeFixture, createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'

/**
 * The buy form's ways to pay, as a browser with JavaScript off shows them:
 * radio buttons of the methods the organiser chose that the site and the
 * event can offer now (the card only with Stripe's keys, a transfer only
 * with bank details), at the door when none of them can; none when nothing
 * costs money. A method the event does not offer is refused with the form
 * back as typed, and nothing written.
 */

const t = translator('en')
const BANK_DETAILS = 'Concert Hall Ltd, IBAN DE89 3704 0044 0532 0130 00'
// The buy form never reaches Stripe: an address where nothing listens shows it.
const STRIPE = { stripe: { secretKey: 'sk_test_never_used', webhookSecret: WEBHOOK_SECRET, apiUrl: 'http://127.0.0.1:9' } }

/** The radio buttons of the payment choice, in order, the checked one marked with a star. */
function paymentRadios(html: string): string[] {
  return [...html.matchAll(/<input type="radio" name="payment" id="f-payment-([a-z-]+)" value="([a-z-]+)"[^>]*?( checked)?>/g)].map(
    ([, id, value, checked]) => {
      expect(id).toBe(value)
      return `${value}${checked ? '*' : ''}`
    },
  )
}

function useSite(kind: DatabaseKind, withStripe: boolean) {
  const site = useTestApp(kind, withStripe ? STRIPE : {})
  let organiser: Persona
  beforeAll(async () => {
    organiser = await createUser(site.db, 'organiser')
  })
  /** A published event offering `methods`, with bank details when told. */
  const event = async (methods: string, options: { bankDetails?: string; types?: TicketTypeFixture[] } = {}) => {
    const created = await createEvent(site.db, organiser.id, { ticketTypes: options.types ?? [{ priceMinor: 2500 }] })
    await site.db
      .updateTable('events')
      .set({ paymentMethods: methods, bankDetails: options.bankDetails ?? '' })
      .where('id', '=', created.event.id)
      .execute()
    return { eventId: created.event.id, typeId: created.ticketTypes[0]!.id }
  }
  return { site, event }
}

async function radiosOf(site: AppHandle, eventId: number): Promise<string[]> {
  const page = await new TestBrowser(site.app).get(`/buy-tickets/${eventId}`)
  expect(page.statusCode).toBe(200)
  return paymentRadios(page.body)
}

/** What a purchase writes, counted. */
async function written(db: Db, eventId: number) {
  const count = async (table: 'orders' | 'tickets' | 'outbox' | 'auditLog' | 'payments') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    )
  const event = await db.selectFrom('events').select(['sold', 'nextExpiryAt']).where('id', '=', eventId).executeTakeFirstOrThrow()
  return {
    orders: await count('orders'),
    tickets: await count('tickets'),
    outbox: await count('outbox'),
    audit: await count('auditLog'),
    payments: await count('payments'),
    ...event,
  }
}

describeEachDatabase('the buy form’s ways to pay', (kind) => {
  describe('on a site with Stripe’s keys', () => {
    const { site, event } = useSite(kind, true)

    it('offers each method the organiser chose as a radio button, in the form’s order, the first checked', async () => {
      const { eventId } = await event('at-door,bank-transfer,card', { bankDetails: BANK_DETAILS })
      expect(await radiosOf(site, eventId)).toEqual(['card*', 'bank-transfer', 'at-door'])
      expect((await new TestBrowser(site.app).get(`/buy-tickets/${eventId}`)).body).toContain(
        `<legend>${t('payments.buy.legend')}</legend>`,
      )
    })

    it('offers the card alone when it is all the organiser chose', async () => {
      const { eventId } = await event('card')
      expect(await radiosOf(site, eventId)).toEqual(['card*'])
    })

    it('offers no transfer without bank details, and the door when nothing chosen can be offered', async () => {
      expect(await radiosOf(site, (await event('card,bank-transfer')).eventId)).toEqual(['card*'])
      expect(await radiosOf(site, (await event('bank-transfer')).eventId)).toEqual(['at-door*'])
    })

    it('asks nothing when nothing on sale costs money', async () => {
      const { eventId } = await event('card', { types: [{ priceMinor: 0 }] })
      const page = await new TestBrowser(site.app).get(`/buy-tickets/${eventId}`)
      expect(paymentRadios(page.body)).toEqual([])
      expect(page.body).not.toContain(t('payments.buy.legend'))
    })
  })

  describe('on a site without Stripe’s keys', () => {
    const { site, event } = useSite(kind, false)

    it('offers no card, whatever the organiser chose', async () => {
      expect(await radiosOf(site, (await event('card,at-door')).eventId)).toEqual(['at-door*'])
      expect(await radiosOf(site, (await event('card,bank-transfer', { bankDetails: BANK_DETAILS })).eventId)).toEqual(['bank-transfer*'])
    })

    it('offers the door when none of the methods chosen can be offered', async () => {
      expect(await radiosOf(site, (await event('card')).eventId)).toEqual(['at-door*'])
    })

    for (const refused of ['card', 'at-door', 'cheque']) {
      it(`refuses ${refused}, which the event does not offer, with 422 and the form as typed, writing nothing`, async () => {
        const { eventId, typeId } = await event('card,bank-transfer', { bankDetails: BANK_DETAILS })
        const browser = new TestBrowser(site.app)
        await browser.get(`/buy-tickets/${eventId}`)
        const before = await written(site.db, eventId)

        const response = await browser.post(`/purchase/${eventId}`, {
          [`qty_${typeId}`]: '3',
          name: 'Tess Typed',
          email: 'tess.typed@example.test',
          payment: refused,
        })

        expect(response.statusCode).toBe(422)
        expect(response.body).toContain(t('payments.buy.chooseMethod'))
        expect(response.body).toContain('aria-describedby="f-payment-error"')
        expect(response.body).toContain('value="Tess Typed"')
        expect(response.body).toContain('value="tess.typed@example.test"')
        expect(response.body).toMatch(new RegExp(`name="qty_${typeId}"[^>]*value="3"`))
        expect(paymentRadios(response.body)).toEqual(['bank-transfer*'])
        expect(await written(site.db, eventId)).toEqual(before)
      })
    }
  })
})
