import { beforeAll, expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { codeNow, makeCode } from '../helpers/codes.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { loadLiveState, stateMessage } from '../../src/features/live/live.state.js'
import { MailComposer } from '../../src/features/mail/mail.messages.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { askQuestions } from '../helpers/questions.js'

/**
 * The buy form with a code, JavaScript off: from a link that carries it, or
 * typed in its field. The form shows the prices the code makes (and the
 * hidden types it unlocks) before anything is bought; a code that cannot be
 * used says why at the code field and keeps the rest of the form.
 */

const HOUR = 3600_000

describeEachDatabase('buying with a code', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  async function anEvent() {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      ticketTypes: [
        { name: 'Standard', priceMinor: 2500 },
        { name: 'Press list', priceMinor: 1000 },
        { name: 'VIP', priceMinor: 9000 },
      ],
    })
    const [standard, press, vip] = ticketTypes
    await t.db.updateTable('ticketTypes').set({ hidden: 1 }).where('id', '=', press!.id).execute()
    return { event, standard: standard!, press: press!, vip: vip! }
  }

  const ordersOf = (eventId: number) => t.db.selectFrom('orders').selectAll().where('eventId', '=', eventId).execute()

  it('a link with a code opens the form with the hidden type it unlocks and the prices it makes, and buys at them', async () => {
    const { event, standard, press } = await anEvent()
    const code = await makeCode(t.db, event.id, 'PressFriends', { ticketTypeIds: [standard.id, press.id], discount: 'amount', amount: 500 })
    const anyone = await new TestBrowser(t.app).get(`/buy-tickets/${event.id}`)
    expect(anyone.body).not.toContain('Press list')

    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}?code=pressfriends`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Press list')
    expect(form.body).toContain('Code PressFriends applied')
    expect(form.body).toContain(`name="price_${standard.id}" value="2000"`)
    expect(form.body).toContain(`name="price_${press.id}" value="500"`)
    expect(form.body).toMatch(/€20\.00 <s class="ticket-row__list-price"><span class="visually-hidden">instead of <\/span>€25\.00<\/s>/)
    expect(form.body).toContain('name="code" type="text" value="pressfriends"')

    const bought = await buyer.post(`/purchase/${event.id}`, {
      code: 'pressfriends',
      [`qty_${press.id}`]: '2',
      [`qty_${standard.id}`]: '1',
      name: 'Pat Press',
      email: 'pat@example.test',
    })
    expect(bought.statusCode).toBe(303)
    expect(bought.headers.location).toMatch(/^\/purchase\/success\?order=/)
    const [order] = await ordersOf(event.id)
    expect(order).toMatchObject({ totalMinor: 2 * 500 + 2000, codeId: code.id })
    expect((await codeNow(t.db, code)).used).toBe(1)

    // The order page and its mail say the code and what it took off.
    const page = await buyer.get(bought.headers.location as string)
    expect(page.body).toContain('<code>PressFriends</code> · €15.00 off')
    const mail = await t.db.selectFrom('outbox').selectAll().where('recipient', '=', 'pat@example.test').executeTakeFirstOrThrow()
    const composed = await new MailComposer(t.db, false, 'tickets@admit-one.test').compose(mail, await getSiteSettings(t.db))
    expect(composed.text).toContain('Code: PressFriends, €15.00 off')
    expect(composed.html).toContain('PressFriends · €15.00 off')
  })

  it('a code typed on the form shows its prices first, with everything typed kept, and the next press of Buy buys', async () => {
    const { event, standard } = await anEvent()
    await makeCode(t.db, event.id, 'SUMMER20', { maxUses: 10 })
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}`)
    const fields = { code: 'summer20', [`qty_${standard.id}`]: '2', name: 'Sam Summer', email: 'sam@example.test' }
    const shown = await buyer.post(`/purchase/${event.id}`, fields)
    expect(shown.statusCode).toBe(200)
    expect(shown.body).toContain('Code SUMMER20 applied')
    expect(shown.body).toContain(`name="price_${standard.id}" value="2000"`)
    expect(shown.body).toContain('value="Sam Summer"')
    expect(shown.body).toMatch(new RegExp(`name="qty_${standard.id}"[^>]*value="2"`))
    expect(await ordersOf(event.id)).toEqual([])

    const bought = await buyer.post(`/purchase/${event.id}`, fields)
    expect(bought.statusCode).toBe(303)
    expect((await ordersOf(event.id))[0]!.totalMinor).toBe(4000)
  })

  it('a code that cannot be used says why at the code field, and keeps the rest of the form', async () => {
    const { event, standard, vip } = await anEvent()
    const now = Date.now()
    await makeCode(t.db, event.id, 'LATER', { validFrom: now + 24 * HOUR })
    await makeCode(t.db, event.id, 'GONE', { validUntil: now - HOUR })
    const once = await makeCode(t.db, event.id, 'ONCE', { maxUses: 1 })
    await t.db.updateTable('codes').set({ used: 1 }).where('id', '=', once.id).execute()
    await makeCode(t.db, event.id, 'VIPONLY', { ticketTypeIds: [vip.id] })
    await makeCode(t.db, event.id, 'PAIR', { maxPerOrder: 2 })

    const cases: [string, RegExp][] = [
      ['NOSUCH', /There is no such code for this event/],
      ['later', /This code can be used from/],
      ['gone', /This code has expired/],
      ['once', /This code has been used up/],
    ]
    for (const [typed, why] of cases) {
      const buyer = new TestBrowser(t.app)
      await buyer.get(`/buy-tickets/${event.id}`)
      const response = await buyer.post(`/purchase/${event.id}`, {
        code: typed,
        [`qty_${standard.id}`]: '3',
        name: 'Kim Keep',
        email: 'kim@example.test',
      })
      expect(response.statusCode, typed).toBe(422)
      expect(response.body, typed).toMatch(why)
      expect(response.body).toContain('id="f-code-error"')
      expect(response.body).toContain('value="Kim Keep"')
      expect(response.body).toMatch(new RegExp(`name="qty_${standard.id}"[^>]*value="3"`))
      expect(response.body).toContain(`name="price_${standard.id}" value="2500"`)
    }

    // Valid, but not for the tickets chosen: said when buying, the code's prices still shown.
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}?code=viponly`)
    const response = await buyer.post(`/purchase/${event.id}`, {
      code: 'viponly',
      [`qty_${standard.id}`]: '1',
      name: 'Kim Keep',
      email: 'kim@example.test',
    })
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('This code is not for the tickets you chose.')
    expect(response.body).toContain('value="Kim Keep"')

    // Valid, for at most two tickets an order.
    await buyer.get(`/buy-tickets/${event.id}?code=pair`)
    const three = await buyer.post(`/purchase/${event.id}`, {
      code: 'pair',
      [`qty_${standard.id}`]: '3',
      name: 'Kim Keep',
      email: 'kim@example.test',
    })
    expect(three.statusCode).toBe(409)
    expect(three.body).toContain('This code is for at most 2 tickets per order.')
    expect(await ordersOf(event.id)).toEqual([])
  })

  it('a code used up between the form and the purchase refuses with the reason, nothing written', async () => {
    const { event, standard } = await anEvent()
    const code = await makeCode(t.db, event.id, 'LASTONE', { maxUses: 1 })
    const first = new TestBrowser(t.app)
    const second = new TestBrowser(t.app)
    await first.get(`/buy-tickets/${event.id}?code=LASTONE`)
    await second.get(`/buy-tickets/${event.id}?code=LASTONE`)
    const fields = (name: string) => ({ code: 'LASTONE', [`qty_${standard.id}`]: '1', name, email: `${name}@example.test` })
    expect((await first.post(`/purchase/${event.id}`, fields('first'))).statusCode).toBe(303)
    const refused = await second.post(`/purchase/${event.id}`, fields('second'))
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('This code has been used up.')
    expect(refused.body).toContain('value="second"')
    expect(await ordersOf(event.id)).toHaveLength(1)
    expect((await codeNow(t.db, code)).used).toBe(1)
  })

  it('a code edited between the form and the purchase refuses with the new price, as a price change does', async () => {
    const { event, standard } = await anEvent()
    const code = await makeCode(t.db, event.id, 'EDITED')
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}?code=EDITED`)
    await t.db.updateTable('codes').set({ amount: 10 }).where('id', '=', code.id).execute()
    const fields = { code: 'EDITED', [`qty_${standard.id}`]: '1', name: 'Eve Edit', email: 'eve@example.test' }
    const response = await buyer.post(`/purchase/${event.id}`, fields)
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('The price is now €22.50, not €20.00.')
    expect(await ordersOf(event.id)).toEqual([])
    const bought = await buyer.post(`/purchase/${event.id}`, fields)
    expect(bought.statusCode).toBe(303)
    expect((await ordersOf(event.id))[0]!.totalMinor).toBe(2250)
  })

  it('a hidden type cannot be bought without a code that names it', async () => {
    const { event, press } = await anEvent()
    await makeCode(t.db, event.id, 'GENERAL')
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}?code=GENERAL`)
    const response = await buyer.post(`/purchase/${event.id}`, {
      code: 'GENERAL',
      [`price_${press.id}`]: '1000',
      [`qty_${press.id}`]: '1',
      name: 'Hal Hidden',
      email: 'hal@example.test',
    })
    expect(response.statusCode).toBe(422)
    expect(await ordersOf(event.id)).toEqual([])
  })

  it('a hidden type shows nowhere public: not on the event page, not in the live counts anyone may follow, not as the event’s remaining tickets', async () => {
    const { event, standard, press, vip } = await anEvent()
    await t.db.updateTable('ticketTypes').set({ sold: 100 }).where('id', 'in', [standard.id, vip.id]).execute()
    const page = await new TestBrowser(t.app).get(`/event/${event.id}`)
    expect(page.body).not.toContain('Press list')
    expect(page.body).toContain('Sold out')
    await t.db.updateTable('events').set({ waitingList: 1 }).where('id', '=', event.id).execute()
    expect((await new TestBrowser(t.app).get(`/event/${event.id}/waiting-list?type=${standard.id}`)).statusCode).toBe(200)
    expect((await new TestBrowser(t.app).get(`/event/${event.id}/waiting-list?type=${press.id}`)).statusCode).toBe(404)
    const state = (await loadLiveState(t.db, event.id, ['at-door']))!
    expect(state.status).toBe('sold_out')
    const publicTypes = (JSON.parse(stateMessage(state, false)) as { event: { ticketTypes: { id: number }[] } }).event.ticketTypes
    expect(publicTypes.map((type) => type.id)).not.toContain(press.id)
    const ownerTypes = (JSON.parse(stateMessage(state, true)) as { event: { ticketTypes: { id: number }[] } }).event.ticketTypes
    expect(ownerTypes.map((type) => type.id)).toContain(press.id)
  })

  it('with questions, the code rides along to who is coming, the prices it makes shown there, and the order is placed with it', async () => {
    const { event, press } = await anEvent()
    await askQuestions(t.db, event.id, 'required', [])
    const code = await makeCode(t.db, event.id, 'GUESTLIST', { ticketTypeIds: [press.id], discount: 'price', amount: 0 })
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}?code=guestlist`)
    const details = await buyer.post(`/purchase/${event.id}`, {
      code: 'guestlist',
      [`qty_${press.id}`]: '1',
      name: 'Gil Guest',
      email: 'gil@example.test',
    })
    expect(details.statusCode).toBe(200)
    expect(details.body).toContain('Who is coming')
    expect(details.body).toContain('<input type="hidden" name="code" value="guestlist">')
    expect(details.body).toContain('<input type="hidden" name="codeShown" value="GUESTLIST">')
    expect(details.body).toContain('Total for 1 ticket: Free')
    const bought = await buyer.post(`/purchase/${event.id}`, { [`t${press.id}_1_name`]: 'Gil Guest' })
    expect(bought.statusCode, bought.body.slice(0, 2000)).toBe(303)
    const [order] = await ordersOf(event.id)
    expect(order).toMatchObject({ codeId: code.id, totalMinor: 0 })
  })

  it('a purchase refused for another reason keeps the code: the form it sends back to has it, with its prices', async () => {
    const { event, standard } = await anEvent()
    await makeCode(t.db, event.id, 'KEEPME')
    const buyer = new TestBrowser(t.app)
    await buyer.get(`/buy-tickets/${event.id}?code=KEEPME`)
    await t.db.updateTable('ticketTypes').set({ sold: 100 }).where('id', '=', standard.id).execute()
    const refused = await buyer.post(`/purchase/${event.id}`, {
      code: 'KEEPME',
      [`qty_${standard.id}`]: '1',
      name: 'Rae Refused',
      email: 'rae@example.test',
    })
    expect(refused.headers.location).toBe('/purchase/fail')
    const again = await buyer.get(`/buy-tickets/${event.id}`)
    expect(again.body).toContain('name="code" type="text" value="KEEPME"')
    expect(again.body).toContain('Code KEEPME applied')
  })
})
