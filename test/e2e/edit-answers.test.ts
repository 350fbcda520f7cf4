import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { expectAccessibleAtWidths } from '../helpers/axe.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { askQuestions, buyWithDetails, optionIds } from '../helpers/questions.js'

/**
 * Names and answers changed after the purchase, in chromium: the organiser
 * lets buyers change them on the questions page and the buyer changes a name
 * from the order page, with JavaScript off; axe finds nothing serious on the
 * pages of it at 390 and 1280 px.
 */

const DAY = 24 * 3_600_000

/** Clicks the button or link and waits for the page it leads to. */
async function follow(page: Page, role: 'button' | 'link', name: string) {
  await Promise.all([page.waitForNavigation(), page.getByRole(role, { name, exact: true }).click()])
}

describeInBrowser('changing names and answers, in the browser', (kind) => {
  const t = useBrowserApp(kind)
  let organiser: Persona

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
  })

  it('with JavaScript off: the organiser lets buyers change them, and the buyer changes a name from the order page', async () => {
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Orchard Concert',
      ticketTypes: [{ name: 'Lawn', priceMinor: 0, capacity: 40, maxPerOrder: 4 }],
    })
    await askQuestions(t.db, event.id, 'required', [{ label: 'Blanket', kind: 'yes-no', perTicket: true }])
    const desk = await t.newPage({ javaScriptEnabled: false })
    await logIn(desk, organiser)
    await desk.goto(`/events/${event.id}/questions`)
    await desk.getByLabel('Let buyers change names and answers from their order page').check()
    await desk.getByLabel('Until how many hours before the event starts').fill('48')
    await follow(desk, 'button', 'Save what buyers may change')
    await desk.getByText('Saved what buyers may change.').waitFor()

    const lawn = ticketTypes[0]!
    const { order } = await buyWithDetails(
      t.app,
      t.db,
      event.id,
      { [lawn.id]: 2 },
      {
        [`t${lawn.id}_1_name`]: 'Rae Rowan',
        [`t${lawn.id}_2_name`]: 'Sol Sorrel',
      },
    )
    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(`/orders/${order.code}?key=${order.accessKey}`)
    await follow(page, 'link', 'Change names and answers')
    await page.getByRole('heading', { name: 'Names and answers' }).waitFor()
    const second = page.getByRole('group', { name: /^Ticket 2: Lawn/ })
    expect(await second.getByLabel('Name on the ticket').inputValue()).toBe('Sol Sorrel')

    // A name left blank comes back with its message, the rest as typed.
    await second.getByLabel('Name on the ticket').fill('')
    await second.getByLabel('Yes').check()
    await follow(page, 'button', 'Save changes')
    await page
      .locator('[data-error-summary]')
      .getByRole('link', { name: 'Ticket 2 (Lawn): Give the name of who this ticket is for.' })
      .waitFor()
    expect(await second.getByLabel('Yes').isChecked()).toBe(true)

    await second.getByLabel('Name on the ticket').fill('Sol Sorrel-Stone')
    await follow(page, 'button', 'Save changes')
    await page.getByText(`The names and answers of order ${order.code} are saved.`).waitFor()
    expect(await page.locator('.ticket__info').nth(1).textContent()).toMatch(/Sol Sorrel-Stone[\s\S]*Blanket\s*Yes/)
    const names = await t.db.selectFrom('tickets').select('holderName').where('orderId', '=', order.id).orderBy('id').execute()
    expect(names.map((row) => row.holderName)).toEqual(['Rae Rowan', 'Sol Sorrel-Stone'])
  })
})

describeInBrowser(
  'accessibility of the pages that change names and answers',
  (kind) => {
    const t = useBrowserApp(kind)
    let organiser: Persona
    let eventId: number
    let order: { code: string; accessKey: string }
    let late: { code: string; accessKey: string }

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser')
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
        title: 'Harvest Supper with a rather long title that wraps on a phone',
        startsAt: Date.now() + 10 * DAY,
        ticketTypes: [{ name: 'Table seat' }, { name: 'Standing' }],
      })
      eventId = event.id
      const [seat, standing] = ticketTypes as [(typeof ticketTypes)[0], (typeof ticketTypes)[0]]
      const [diet, meal, company] = await askQuestions(t.db, event.id, 'required', [
        { label: 'Dietary needs', kind: 'several-choices', perTicket: true, options: ['Vegetarian', 'Vegan', 'No nuts'] },
        { label: 'Meal', kind: 'one-choice', perTicket: true, ticketTypeIds: [seat.id], required: true, options: ['Fish', 'Pie'] },
        { label: 'Company', kind: 'short-text', help: 'As it should read on the invoice.' },
        { label: 'Arrival', kind: 'date' },
        { label: 'Notes', kind: 'long-text' },
      ])
      await t.db.updateTable('events').set({ buyerEdits: 1 }).where('id', '=', event.id).execute()
      const meals = await optionIds(t.db, meal!)
      const diets = await optionIds(t.db, diet!)
      const details = {
        [`t${seat.id}_1_name`]: 'Tam Thistle',
        [`t${seat.id}_1_q${meal}`]: meals.Pie!,
        [`t${seat.id}_1_q${diet}`]: [diets.Vegan!],
        [`t${standing.id}_1_name`]: 'Uma Umber',
        [`q${company}`]: 'Orchard Ltd',
      }
      order = (await buyWithDetails(t.app, t.db, event.id, { [seat.id]: 1, [standing.id]: 1 }, details)).order
      // An event whose cut-off has passed: its buyer's page says until when.
      const { event: soon, ticketTypes: soonTypes } = await createEvent(t.db, organiser.id, {
        title: 'Tomorrow’s Tasting',
        startsAt: Date.now() + DAY / 2,
      })
      await askQuestions(t.db, soon.id, 'optional', [])
      await t.db.updateTable('events').set({ buyerEdits: 1 }).where('id', '=', soon.id).execute()
      late = (await buyWithDetails(t.app, t.db, soon.id, { [soonTypes[0]!.id]: 1 }, { [`t${soonTypes[0]!.id}_1_name`]: 'Val Vine' })).order
    })

    async function asOrganiser(): Promise<Page> {
      const page = await t.newPage({ bypassCSP: true })
      await logIn(page, organiser)
      return page
    }

    const pages: [string, () => Promise<Page>][] = [
      [
        'the organiser’s form',
        async () => {
          const page = await asOrganiser()
          await page.goto(`/events/${eventId}/orders/${order.code}/details`)
          return page
        },
      ],
      [
        'the organiser’s form with its mistakes',
        async () => {
          const page = await asOrganiser()
          await page.goto(`/events/${eventId}/orders/${order.code}/details`)
          await page
            .getByRole('group', { name: /^Ticket 1: Table seat/ })
            .getByLabel('Name on the ticket')
            .fill('')
          await page.getByLabel('Arrival').fill('2026-02-30')
          await follow(page, 'button', 'Save changes')
          await page.getByRole('alert').waitFor()
          return page
        },
      ],
      [
        'the buyer’s form',
        async () => {
          const page = await t.newPage({ bypassCSP: true })
          await page.goto(`/orders/${order.code}/details?key=${order.accessKey}`)
          return page
        },
      ],
      [
        'the buyer’s page after the cut-off',
        async () => {
          const page = await t.newPage({ bypassCSP: true })
          await page.goto(`/orders/${late.code}/details?key=${late.accessKey}`)
          await page.getByText(/could be changed until/).waitFor()
          return page
        },
      ],
      [
        'the questions page with what buyers may change',
        async () => {
          const page = await asOrganiser()
          await page.goto(`/events/${eventId}/questions#buyer-edits`)
          return page
        },
      ],
    ]

    it.each(pages)('%s: axe finds nothing serious or critical at 390 and 1280 px', async (_name, open) => {
      const page = await open()
      await expectAccessibleAtWidths(page)
    })
  },
  { sqliteOnly: true },
)
