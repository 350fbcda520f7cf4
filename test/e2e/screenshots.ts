/**
 * `npm run screenshots`: seeds a demo site on a throwaway SQLite database,
 * serves it, and photographs the main pages in headless chromium at a phone
 * and a desktop width into docs/screenshots/, the pictures the README shows.
 */
import { doorCodeOf } from '../helpers/door.js'
import { addSeatBlock } from '../helpers/seats.js'
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { DateTime } from 'luxon'
import type { Browser, Page } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import type { Db } from '../../src/db/database.js'
import { placeOrder } from '../../src/features/purchase/purchase.service.js'
import { recordPaymentByHand } from '../../src/features/payments/confirm.js'
import { testConfig } from '../helpers/app.js'
import { CHROMIUM_PATH, browserAvailable, launchChromium, logIn } from '../helpers/chromium.js'
import { createTestDatabase } from '../helpers/database.js'
import { type TicketTypeFixture, createEvent } from '../helpers/fixtures.js'
import { type Persona, createUser } from '../helpers/personas.js'
import { askQuestions } from '../helpers/questions.js'

const OUT = path.resolve(import.meta.dirname, '../../docs/screenshots')
const ZONE = 'Europe/Lisbon'
type Size = 'phone' | 'desktop'
const VIEWPORTS: Record<Size, { width: number; height: number }> = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
}

/** Every shot at both sizes in the light scheme; shots marked `dark` also on a phone in the dark one. */
const VARIANTS: { suffix: string; size: Size; colorScheme: 'light' | 'dark'; onlyDark?: boolean }[] = [
  { suffix: 'phone', size: 'phone', colorScheme: 'light' },
  { suffix: 'desktop', size: 'desktop', colorScheme: 'light' },
  { suffix: 'phone-dark', size: 'phone', colorScheme: 'dark', onlyDark: true },
]

const BUYERS = [
  'Inês Costa',
  'Tom Becker',
  'Amara Okafor',
  'Lena Fischer',
  'João Pereira',
  'Sofia Marques',
  'Daniel Kim',
  'Clara Nunes',
  'Mateo García',
  'Rui Almeida',
]

/** An instant `days` from today at a local time of day in Lisbon. */
function at(days: number, hour: number, minute = 0): number {
  return DateTime.now().setZone(ZONE).plus({ days }).set({ hour, minute, second: 0, millisecond: 0 }).toMillis()
}

interface DemoEvent {
  title: string
  description: string
  venue: string
  startsAt: number
  hours: number
  status?: 'draft' | 'published'
  publishedAt?: number
  ticketTypes: TicketTypeFixture[]
  /** Orders to place: quantities per ticket type, in the order of ticketTypes. */
  sales?: number[][]
  /** Another organiser's event: the pictured dashboard shows the events on sale first. */
  byColleague?: boolean
}

const EVENTS: DemoEvent[] = [
  {
    title: 'Quayside Jazz Night',
    description:
      'The Rita Alves Quartet plays two sets on the water’s edge, with the lights of the bridge behind them.\n\nDoors open at 20:00. The bar serves local wine and petiscos until late.',
    venue: 'Armazém 16, Cais do Sodré',
    startsAt: at(9, 21),
    hours: 3,
    ticketTypes: [
      { name: 'Standard', priceMinor: 2500, capacity: 120, maxPerOrder: 6 },
      { name: 'Student', priceMinor: 1500, capacity: 40, maxPerOrder: 2 },
      { name: 'Table for two', priceMinor: 7000, capacity: 12, maxPerOrder: 1 },
    ],
    sales: [
      [2, 1, 0],
      [4, 0, 1],
      [1, 2, 0],
      [3, 0, 0],
      [2, 0, 1],
      [6, 0, 0],
      [0, 2, 0],
      [2, 0, 1],
    ],
  },
  {
    title: 'Fado at Dusk',
    description: 'Three voices and a Portuguese guitar in a small square of Alfama, as the light goes.',
    venue: 'Largo do Chafariz de Dentro, Alfama',
    startsAt: at(16, 19, 30),
    hours: 2,
    ticketTypes: [{ name: 'Seat', priceMinor: 1800, capacity: 60, maxPerOrder: 4 }],
    sales: [[4], [4], [4], [4], [4], [4], [4], [4], [4], [4], [4], [4], [4], [3]],
  },
  {
    title: 'Late Market on the Quay',
    description: 'Forty stalls of food, records and ceramics under the cranes. Live DJs from nine.',
    venue: 'Ribeira das Naus',
    startsAt: at(5, 18),
    hours: 6,
    ticketTypes: [{ name: 'Entry', priceMinor: 500, capacity: 40, maxPerOrder: 4 }],
    sales: [[4], [4], [4], [4], [4], [4], [4], [4], [4], [4]],
  },
  {
    title: 'Talk: The River and the City',
    description: 'The historian Helena Duarte on five centuries of the Tagus and the people who worked it.',
    venue: 'Museu do Oriente, auditorium',
    startsAt: at(12, 18, 30),
    hours: 2,
    ticketTypes: [{ name: 'Free admission', priceMinor: 0, capacity: 150, maxPerOrder: 4 }],
    sales: [[2], [1], [2], [4]],
  },
  {
    title: 'Harbour Lights Festival',
    description: 'Two days, three stages, twenty bands on the old docks, closing with fireworks over the river.',
    venue: 'Doca de Alcântara, North Quay',
    startsAt: at(40, 16),
    hours: 32,
    ticketTypes: [
      { name: 'Day pass', priceMinor: 3500, capacity: 400, maxPerOrder: 6 },
      { name: 'Weekend pass', priceMinor: 5900, capacity: 200, maxPerOrder: 6 },
      { name: 'Front row', priceMinor: 7950, capacity: 40, maxPerOrder: 2 },
    ],
    sales: [
      [2, 0, 0],
      [0, 2, 0],
      [0, 0, 2],
      [4, 0, 0],
      [0, 3, 0],
    ],
  },
  {
    title: 'Rooftop Strings',
    description: 'A string quartet plays Haydn and Piazzolla on a rooftop above the Baixa.',
    venue: 'Terraço do Chiado',
    startsAt: at(23, 20),
    hours: 2,
    ticketTypes: [{ name: 'Standard', priceMinor: 2200, capacity: 80, maxPerOrder: 4 }],
    sales: [[2], [2]],
  },
  {
    title: 'Winter Lanterns Walk',
    description: 'A guided night walk through Mouraria with paper lanterns.',
    venue: 'Largo da Severa, Mouraria',
    startsAt: at(70, 19),
    hours: 2,
    status: 'published',
    publishedAt: at(14, 10),
    byColleague: true,
    ticketTypes: [{ name: 'Walker', priceMinor: 1200, capacity: 30, maxPerOrder: 4 }],
  },
  {
    title: 'Boat Builders’ Open Day',
    description: 'Draft: dates to confirm with the shipyard.',
    venue: 'Estaleiro de Sarilhos Pequenos',
    startsAt: at(90, 10),
    hours: 7,
    status: 'draft',
    byColleague: true,
    ticketTypes: [{ name: 'Visitor', priceMinor: 800, capacity: 100, maxPerOrder: 6 }],
  },
]

async function seed(db: Db): Promise<{ organiser: Persona; admin: Persona; featuredId: number; theatreId: number }> {
  await db
    .updateTable('siteSettings')
    .set({
      siteName: 'Harbour Nights',
      siteDescription: 'Concerts, talks and late markets on the Lisbon waterfront, all summer long.',
      currency: 'EUR',
      timeZone: ZONE,
    })
    .execute()
  const admin = await createUser(db, 'admin', { name: 'Ana Ribeiro', email: 'ana@harbournights.example' })
  const organiser = await createUser(db, 'organiser', { name: 'Marta Silva', email: 'marta@harbournights.example' })
  const colleague = await createUser(db, 'organiser', { name: 'Rui Tavares', email: 'rui@harbournights.example' })
  let buyer = 0
  const ids: number[] = []
  for (const demo of EVENTS) {
    const { event, ticketTypes } = await createEvent(db, demo.byColleague ? colleague.id : organiser.id, {
      title: demo.title,
      description: demo.description,
      venue: demo.venue,
      startsAt: demo.startsAt,
      endsAt: demo.startsAt + demo.hours * 3_600_000,
      timeZone: ZONE,
      status: demo.status ?? 'published',
      publishedAt: demo.publishedAt,
      ticketTypes: demo.ticketTypes,
    })
    ids.push(event.id)
    for (const order of demo.sales ?? []) {
      const name = BUYERS[buyer++ % BUYERS.length]!
      const email = `${name
        .split(' ')[0]!
        .normalize('NFD')
        .replace(/[^a-z]/gi, '')
        .toLowerCase()}@example.com`
      await placeOrder(db, {
        cart: {
          eventId: event.id,
          quantities: new Map(
            order.map((quantity, index) => [ticketTypes[index]!.id, quantity] as const).filter(([, quantity]) => quantity > 0),
          ),
          seen: { currency: 'EUR', prices: new Map(ticketTypes.map((type) => [type.id, type.priceMinor])) },
          formKey: randomUUID(),
        },
        buyer: { name: name, email: email, browser: null },
        actor: { userId: null, label: email, isAdmin: false, ip: null },
        settings: { currency: 'EUR', maxTicketsPerOrder: 50, siteUrl: 'http://localhost' },
        channel: { kind: 'online' },
      })
    }
  }
  // A seated event: 10 rows of 16 in the stalls (wheelchair spaces at the front), 4 rows on the balcony, some seats sold.
  const { event: theatre, ticketTypes: seatTypes } = await createEvent(db, organiser.id, {
    title: 'Fado at the Harbour Theatre',
    venue: 'Teatro do Cais, Lisboa',
    startsAt: EVENTS[0]!.startsAt + 86_400_000,
    endsAt: EVENTS[0]!.startsAt + 86_400_000 + 2 * 3_600_000,
    timeZone: ZONE,
    ticketTypes: [
      { name: 'Stalls', priceMinor: 3800, capacity: 1, maxPerOrder: 6 },
      { name: 'Balcony', priceMinor: 2200, capacity: 1, maxPerOrder: 6 },
    ],
  })
  await addSeatBlock(db, organiser, theatre.id, {
    section: 'Stalls',
    rows: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'],
    seatsPerRow: 16,
    ticketTypeId: seatTypes[0]!.id,
    wheelchair: ['A1', 'A16'],
  })
  await addSeatBlock(db, organiser, theatre.id, {
    section: 'Balcony',
    rows: ['K', 'L', 'M', 'N'],
    seatsPerRow: 16,
    ticketTypeId: seatTypes[1]!.id,
  })
  const sold = await db
    .selectFrom('seats')
    .select(['id', 'ticketTypeId'])
    .where('eventId', '=', theatre.id)
    .where('rowLabel', 'in', ['C', 'D', 'K'])
    .execute()
  for (const seat of sold.filter((_, i) => i % 3 !== 0)) {
    await placeOrder(db, {
      cart: {
        eventId: theatre.id,
        quantities: new Map([[seat.ticketTypeId, 1]]),
        seats: { chosen: [seat.id], best: new Map() },
        seen: { currency: 'EUR', prices: new Map(seatTypes.map((type) => [type.id, type.priceMinor])) },
        formKey: randomUUID(),
      },
      buyer: { name: 'Seat Holder', email: `seat${seat.id}@example.com`, browser: null },
      actor: { userId: null, label: 'seat@example.com', isAdmin: false, ip: null },
      settings: { currency: 'EUR', maxTicketsPerOrder: 50, siteUrl: 'http://localhost' },
      channel: { kind: 'online' },
    })
  }
  return { organiser, admin, featuredId: ids[0]!, theatreId: theatre.id }
}

interface Shot {
  name: string
  /** Opens the page to photograph, in a page of its own. */
  open(page: Page): Promise<void>
  /** An element to scroll to the top at a size, when what matters is below the fold. */
  scrollTo?: Partial<Record<Size, string>>
  dark?: boolean
}

async function photograph(browser: Browser, origin: string, shots: Shot[]) {
  for (const variant of VARIANTS) {
    for (const shot of shots.filter((candidate) => !variant.onlyDark || candidate.dark)) {
      const viewport = VIEWPORTS[variant.size]
      const context = await browser.newContext({
        baseURL: origin,
        viewport,
        colorScheme: variant.colorScheme,
        deviceScaleFactor: 1,
        locale: 'en-GB',
      })
      const page = await context.newPage()
      await shot.open(page)
      // Filling a form scrolls and focuses; the picture shows the page as it opens, unless the shot scrolls on purpose.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
      const scrollTo = shot.scrollTo?.[variant.size]
      if (scrollTo) await page.locator(scrollTo).evaluate((element) => element.scrollIntoView())
      else await page.evaluate(() => window.scrollTo(0, 0))
      const file = path.join(OUT, `${shot.name}-${variant.suffix}.png`)
      await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' })
      console.log(`  ${path.relative(process.cwd(), file)}`)
      await context.close()
    }
  }
}

/** A paid order of these seats of row F at the theatre, for the printable tickets: its page's address (with the order's key). */
async function printableOrder(db: Db, theatreId: number, seatLabels: string[]): Promise<string> {
  const types = await db.selectFrom('ticketTypes').select(['id', 'priceMinor']).where('eventId', '=', theatreId).execute()
  const seats = await db
    .selectFrom('seats')
    .select(['id', 'ticketTypeId'])
    .where('eventId', '=', theatreId)
    .where('rowLabel', '=', 'F')
    .where('seatLabel', 'in', seatLabels)
    .execute()
  const email = 'ines@example.com'
  const actor = { userId: null, label: email, isAdmin: false, ip: null }
  const order = await placeOrder(db, {
    cart: {
      eventId: theatreId,
      quantities: new Map([[seats[0]!.ticketTypeId, seats.length]]),
      seats: { chosen: seats.map((seat) => seat.id), best: new Map() },
      seen: { currency: 'EUR', prices: new Map(types.map((type) => [type.id, type.priceMinor])) },
      formKey: randomUUID(),
    },
    buyer: { name: 'Inês Costa', email, browser: null },
    actor,
    settings: { currency: 'EUR', maxTicketsPerOrder: 50, siteUrl: 'http://localhost' },
    channel: { kind: 'online' },
  })
  await recordPaymentByHand(db, order.id, 'at-door', actor)
  const { accessKey } = await db.selectFrom('orders').select('accessKey').where('id', '=', order.id).executeTakeFirstOrThrow()
  return `/orders/${order.code}/tickets?key=${accessKey}`
}

/**
 * The printable tickets as they print: A4 at 96 px an inch, print media. A
 * screenshot does not paginate, so the order has one ticket: its page is what
 * each ticket's page of a larger order looks like.
 */
async function photographPrint(browser: Browser, origin: string, url: string) {
  const context = await browser.newContext({
    baseURL: origin,
    viewport: { width: 794, height: 1123 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
  })
  const page = await context.newPage()
  const response = await page.goto(url)
  if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`)
  await page.emulateMedia({ media: 'print' })
  const file = path.join(OUT, 'print-ticket-a4.png')
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' })
  console.log(`  ${path.relative(process.cwd(), file)}`)
  await context.close()
}

async function main() {
  if (!browserAvailable()) throw new Error(`screenshots need chromium at ${CHROMIUM_PATH}: apt-get install chromium`)
  mkdirSync(OUT, { recursive: true })
  const database = await createTestDatabase('sqlite')
  const app = await buildApp(testConfig(database))
  let browser: Browser | undefined
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const { organiser, admin, featuredId, theatreId } = await seed(app.db)
    const printable = await printableOrder(app.db, theatreId, ['11', '12'])
    const printableOne = await printableOrder(app.db, theatreId, ['14'])
    // An event that asks a name for each ticket and a few questions.
    const { event: supper, ticketTypes: supperTypes } = await createEvent(app.db, organiser.id, {
      title: 'Sardine Supper on the Quay',
      venue: 'Cais do Sodré, Lisboa',
      startsAt: at(40, 20),
      endsAt: at(40, 23),
      timeZone: ZONE,
      ticketTypes: [
        { name: 'Table seat', priceMinor: 3200, capacity: 60, maxPerOrder: 6 },
        { name: 'Child', priceMinor: 1500, capacity: 20, maxPerOrder: 4 },
      ],
    })
    await askQuestions(app.db, supper.id, 'required', [
      {
        label: 'Main course',
        kind: 'one-choice',
        required: true,
        perTicket: true,
        options: ['Grilled sardines', 'Bacalhau', 'Vegetable stew'],
      },
      { label: 'Allergies', kind: 'several-choices', perTicket: true, options: ['Nuts', 'Gluten', 'Shellfish'] },
      { label: 'Age', kind: 'number', perTicket: true, ticketTypeIds: [supperTypes[1]!.id], help: 'For the children’s menu.' },
      { label: 'Seat us near the music?', kind: 'yes-no' },
      { label: 'Anything else we should know?', kind: 'long-text' },
    ])
    browser = await launchChromium()

    const visit = (url: string) => async (page: Page) => {
      const response = await page.goto(url)
      if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`)
    }
    const fillOrder = async (page: Page) => {
      await visit(`/buy-tickets/${featuredId}`)(page)
      await page.getByLabel('Standard').fill('2')
      await page.getByLabel('Name').fill('Inês Costa')
      await page.getByLabel('Email').fill('ines@example.com')
    }
    await photograph(browser, origin, [
      { name: 'home', open: visit('/') },
      { name: 'browse', open: visit('/attendee') },
      { name: 'event', open: visit(`/event/${featuredId}`), dark: true },
      { name: 'buy', open: fillOrder },
      { name: 'seats', open: visit(`/buy-tickets/${theatreId}`), scrollTo: { phone: '#f-seats', desktop: '#f-seats' }, dark: true },
      {
        name: 'success',
        scrollTo: { phone: '.order > h2' },
        dark: true,
        open: async (page) => {
          await fillOrder(page)
          await Promise.all([page.waitForURL(/\/purchase\/success\?order=/), page.getByRole('button', { name: 'Buy tickets' }).click()])
        },
      },
      {
        name: 'dashboard',
        open: async (page) => {
          await logIn(page, organiser)
          await visit('/organiser')(page)
        },
      },
      {
        name: 'event-form-errors',
        open: async (page) => {
          await logIn(page, organiser)
          await visit('/create-event')(page)
          await page.getByLabel('Title', { exact: true }).fill('Autumn Sardine Supper')
          await page.getByLabel('Starts', { exact: true }).fill('2020-01-01T19:00')
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save draft' }).click()])
        },
      },
      {
        name: 'check-in',
        dark: true,
        open: async (page) => {
          const ticket = await app.db
            .selectFrom('tickets')
            .innerJoin('orders', 'orders.id', 'tickets.orderId')
            .select(['tickets.id'])
            .where('orders.eventId', '=', featuredId)
            .where('tickets.checkedInAt', 'is', null)
            .orderBy('tickets.id')
            .executeTakeFirstOrThrow()
          // A ticket not yet inside for each picture, so that each shows an admission.
          const code = await doorCodeOf(app.db, featuredId, ticket.id)
          await logIn(page, organiser)
          await visit(`/events/${featuredId}/check-in`)(page)
          await page.getByLabel('Gate').fill('River gate')
          await page.getByLabel('Ticket code').fill(code)
          await page.getByLabel('Ticket code').press('Enter')
          await page.locator('[data-scan-answer]').waitFor()
        },
      },
      {
        name: 'questions',
        open: async (page) => {
          await logIn(page, organiser)
          await visit(`/events/${supper.id}/questions`)(page)
        },
      },
      {
        name: 'who-is-coming',
        open: async (page) => {
          await visit(`/buy-tickets/${supper.id}`)(page)
          await page.getByLabel('Table seat').fill('1')
          await page.getByLabel('Child').fill('1')
          await page.getByLabel('Name', { exact: true }).fill('Inês Costa')
          await page.getByLabel('Email').fill('ines@example.com')
          await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()])
          await page.getByRole('group', { name: 'Ticket 1: Table seat' }).getByLabel('Name on the ticket').fill('Inês Costa')
          await page
            .getByRole('group', { name: 'Ticket 1: Table seat' })
            .getByLabel('Main course')
            .selectOption({ label: 'Grilled sardines' })
          await page.getByRole('group', { name: 'Ticket 2: Child' }).getByLabel('Name on the ticket').fill('Leonor Costa')
        },
      },
      {
        name: 'site-settings',
        open: async (page) => {
          await logIn(page, admin)
          await visit('/site-settings')(page)
        },
      },
      { name: 'print', open: visit(printable) },
    ])
    await photographPrint(browser, origin, printableOne)
  } finally {
    await browser?.close()
    await app.close()
    await database.drop()
  }
}

await main()
