import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { axeProblems } from '../helpers/axe.js'
import { describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { TestSmtpServer, fastMail } from '../helpers/smtp.js'

describeInBrowser('writing to ticket holders with JavaScript switched off', (kind) => {
  const smtp = new TestSmtpServer()
  beforeAll(() => smtp.start())
  afterAll(() => smtp.close())
  const t = useBrowserApp(kind, { config: () => ({ mail: fastMail(smtp.url) }) })

  it('the organiser writes a message, previews it, sends it, and each holder gets it once; after a move the event’s page offers it filled in', async () => {
    const organiser = await createUser(t.db, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
      title: 'Lantern Walk',
      venue: 'Old Harbour',
      timeZone: 'Europe/Berlin',
      startsAt: Date.UTC(2099, 8, 4, 17, 0),
      endsAt: Date.UTC(2099, 8, 4, 19, 0),
      ticketTypes: [
        { name: 'Adult', priceMinor: 0 },
        { name: 'Child', priceMinor: 0 },
      ],
    })
    await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: 'Ann', buyerEmail: 'ann@example.test' })
    await placeOrder(t.db, event.id, ticketTypes[1]!.id, { buyerName: 'Kit', buyerEmail: 'kit@example.test' })

    const page = await t.newPage({ javaScriptEnabled: false })
    await logIn(page, organiser)
    await page.goto(`/edit-event/${event.id}`)
    await page.getByRole('link', { name: 'Messages to ticket holders' }).click()
    await page.getByRole('link', { name: 'Write to ticket holders' }).click()
    await page.getByLabel('Subject').fill('Bring a lantern')
    await page.getByLabel('Message').fill('Lanterns are sold at the gate.\nBring warm clothes.')
    await page.getByLabel('Holders of the ticket types ticked here:').check()
    await page.getByLabel('Child').check()
    await Promise.all([page.waitForURL(`**/events/${event.id}/messages/preview`), page.getByRole('button', { name: 'Preview' }).click()])
    await page.getByText('It goes to 1 ticket holder: Ticket types: Child · Everyone, let in at the door or not.').waitFor()
    const preview = page.getByRole('region', { name: 'The message as a ticket holder gets it' })
    await preview.getByText('Lanterns are sold at the gate.').waitFor()
    expect(await preview.locator('p', { hasText: 'Lanterns are sold at the gate.' }).innerHTML()).toBe(
      'Lanterns are sold at the gate.<br>Bring warm clothes.',
    )

    // Changing it first: the form comes back as it was sent.
    await page.getByRole('button', { name: 'Change the message' }).click()
    expect(await page.getByLabel('Message').inputValue()).toBe('Lanterns are sold at the gate.\nBring warm clothes.')
    expect(await page.getByLabel('Child').isChecked()).toBe(true)
    await page.getByLabel('Subject').fill('Bring a lantern, and gloves')
    await page.getByRole('button', { name: 'Preview' }).click()
    await Promise.all([
      page.waitForURL(`**/events/${event.id}/messages`),
      page.getByRole('button', { name: 'Send to 1 ticket holder' }).click(),
    ])
    await page.getByText('Your message is on its way to 1 ticket holder.').waitFor()
    await page.getByRole('rowheader', { name: 'Bring a lantern, and gloves' }).waitFor()

    const [mail] = await waitForSubject('kit@example.test', 'Bring a lantern, and gloves')
    expect(mail!.parsed.text).toContain('Lanterns are sold at the gate.\nBring warm clothes.')
    expect(smtp.to('ann@example.test').filter((received) => received.parsed.subject?.startsWith('Bring a lantern'))).toEqual([])
    await page.reload()
    await page.getByText('1 of 1').waitFor()

    // The event moves, the automatic message unticked: its page offers to tell ticket holders, with the change filled in.
    await page.goto(`/edit-event/${event.id}`)
    await page.getByLabel('Venue', { exact: true }).fill('New Quay')
    await page.getByLabel('Tell the ticket holders by e-mail when the date, time or venue changes').uncheck()
    await Promise.all([page.waitForURL(/moved=untold/), page.getByRole('button', { name: 'Save changes' }).click()])
    await page.getByRole('link', { name: 'Tell ticket holders' }).click()
    expect(await page.getByLabel('Subject').inputValue()).toBe('Changed: Lantern Walk')
    expect(await page.getByLabel('Message').inputValue()).toContain(
      'Before: Fri, 4 Sept 2099, 19:00 CEST to Fri, 4 Sept 2099, 21:00 CEST, Old Harbour',
    )
    await page.getByRole('button', { name: 'Preview' }).click()
    await Promise.all([
      page.waitForURL(`**/events/${event.id}/messages`),
      page.getByRole('button', { name: 'Send to 2 ticket holders' }).click(),
    ])
    for (const address of ['ann@example.test', 'kit@example.test']) {
      const [changed] = await waitForSubject(address, 'Changed: Lantern Walk')
      expect(changed!.parsed.text).toContain('Now: Fri, 4 Sept 2099, 19:00 CEST to Fri, 4 Sept 2099, 21:00 CEST, New Quay')
    }
    await t.app.mail.runRound()
    const received = (address: string, subject: string) => smtp.to(address).filter((mail) => mail.parsed.subject === subject).length
    expect([
      received('kit@example.test', 'Bring a lantern, and gloves'),
      received('ann@example.test', 'Changed: Lantern Walk'),
      received('kit@example.test', 'Changed: Lantern Walk'),
    ]).toEqual([1, 1, 1])
  })

  async function waitForSubject(address: string, subject: string) {
    const until = Date.now() + 10_000
    for (;;) {
      const found = smtp.to(address).filter((received) => received.parsed.subject === subject)
      if (found.length > 0) return found
      if (Date.now() > until) throw new Error(`no mail "${subject}" to ${address}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
})

describeInBrowser(
  'accessibility of the pages for writing to ticket holders',
  (kind) => {
    const t = useBrowserApp(kind)
    let organiser: Persona
    let eventId: number

    beforeAll(async () => {
      organiser = await createUser(t.db, 'organiser')
      const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
        title: 'Quayside Jazz Night',
        ticketTypes: [
          { name: 'Standard', priceMinor: 0 },
          { name: 'Student', priceMinor: 0 },
        ],
      })
      eventId = event.id
      await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: 'Dora Door' })
      await placeOrder(t.db, event.id, ticketTypes[1]!.id, { buyerName: 'Sam Student' })
    })

    async function asOrganiser(url: string): Promise<Page> {
      const page = await t.newPage({ bypassCSP: true })
      await logIn(page, organiser)
      await page.goto(url)
      return page
    }

    async function previewPage(): Promise<Page> {
      const page = await asOrganiser(`/events/${eventId}/messages/new`)
      await page.getByLabel('Subject').fill('Doors at seven')
      await page.getByLabel('Message').fill('See you there.\n\nBring your ticket.')
      await Promise.all([page.waitForURL(/\/preview$/), page.getByRole('button', { name: 'Preview' }).click()])
      return page
    }

    const pages: [string, () => Promise<Page>][] = [
      ['the message form', () => asOrganiser(`/events/${eventId}/messages/new`)],
      [
        'the message form with its mistakes',
        async () => {
          const page = await asOrganiser(`/events/${eventId}/messages/new`)
          await page.getByLabel('Holders of the ticket types ticked here:').check()
          await Promise.all([page.waitForURL(/\/preview$/), page.getByRole('button', { name: 'Preview' }).click()])
          await page.getByText('Tick at least one ticket type').first().waitFor()
          return page
        },
      ],
      ['the preview', previewPage],
      [
        'the list of messages sent',
        async () => {
          const page = await previewPage()
          await Promise.all([page.waitForURL(/\/messages$/), page.getByRole('button', { name: 'Send to 2 ticket holders' }).click()])
          return page
        },
      ],
      ['the event’s page offering to write after a move', () => asOrganiser(`/edit-event/${eventId}?moved=told`)],
    ]

    it.each(pages)('%s: axe finds nothing serious or critical at 390 and 1280 px, light or dark', async (_name, open) => {
      const page = await open()
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 })
        expect(await axeProblems(page), `at ${width} px`).toEqual([])
      }
    })

    it.each(pages)('%s: fits a phone, with nothing that scrolls the page sideways', async (_name, open) => {
      const page = await open()
      await page.setViewportSize({ width: 390, height: 844 })
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
      expect(widths.page, 'page width at a 390 px viewport').toBeLessThanOrEqual(widths.screen)
    })
  },
  { sqliteOnly: true },
)
