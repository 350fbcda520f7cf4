import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useTestApp } from '../helpers/app.js'
import { createEvent } from '../helpers/fixtures.js'
import { createUser, type Persona } from '../helpers/personas.js'

const DAY = 24 * 60 * 60 * 1000

describeEachDatabase('browsing events', (kind) => {
  const t = useTestApp(kind)
  let organiser: Persona
  const base = Date.UTC(2031, 5, 1, 18, 0)

  beforeAll(async () => {
    organiser = await createUser(t.db, 'organiser')
    // 14 upcoming events a day apart, one past, one draft, one scheduled.
    for (let i = 0; i < 14; i++) {
      await createEvent(t.db, organiser.id, {
        title: `Concert ${String(i + 1).padStart(2, '0')}`,
        startsAt: base + i * DAY,
        timeZone: 'UTC',
      })
    }
    await createEvent(t.db, organiser.id, {
      title: 'Poetry 100% Live_Show',
      venue: 'Old Library',
      startsAt: base + 20 * DAY,
      timeZone: 'UTC',
    })
    await createEvent(t.db, organiser.id, { title: 'Été Festival', venue: 'Площадь Победы', startsAt: base + 21 * DAY, timeZone: 'UTC' })
    await createEvent(t.db, organiser.id, { title: 'Yesterday Gala', startsAt: Date.now() - 2 * DAY, endsAt: Date.now() - DAY })
    await createEvent(t.db, organiser.id, { title: 'Secret Draft', status: 'draft' })
    await createEvent(t.db, organiser.id, { title: 'Scheduled Surprise', publishedAt: Date.now() + DAY })
  })

  it('lists upcoming public events soonest first, twelve a page, with previous and next links', async () => {
    const browser = new TestBrowser(t.app)
    const first = await browser.get('/attendee')
    expect(first.statusCode).toBe(200)
    const titles = [...first.body.matchAll(/<a href="\/event\/\d+">([^<]+)<\/a>/g)].map((match) => match[1])
    expect(titles).toEqual(Array.from({ length: 12 }, (_, i) => `Concert ${String(i + 1).padStart(2, '0')}`))
    expect(first.body).toContain('href="/attendee?page=2"')
    expect(first.body).not.toContain('rel="prev"')
    const second = await browser.get('/attendee?page=2')
    expect(second.body).toContain('Concert 13')
    expect(second.body).toContain('Poetry 100% Live_Show')
    expect(second.body).toContain('rel="prev"')
    expect(second.body).not.toContain('rel="next"')
    for (const hidden of ['Secret Draft', 'Scheduled Surprise', 'Yesterday Gala']) {
      expect(first.body + second.body).not.toContain(hidden)
    }
  })

  it('says that a page past the last does not exist, and links to the last page or, when nothing matches, the first', async () => {
    const browser = new TestBrowser(t.app)
    const far = await browser.get('/attendee?page=999')
    expect(far.statusCode).toBe(200)
    expect(far.body).not.toContain('No events match')
    expect(far.body).toContain('There is no page 999: the list ends on page 2. <a href="/attendee?page=2">Go to the last page</a>')
    expect(far.body).not.toContain('rel="prev"')
    const nothing = await browser.get('/attendee?q=nowhere&page=3')
    expect(nothing.body).toContain('There is no page 3: no events match “nowhere”. <a href="/attendee?q=nowhere">Go to the first page</a>')
    const oneOnly = await browser.get('/attendee?q=poetry&page=2')
    expect(oneOnly.body).toContain('There is no page 2: the list ends on page 1. <a href="/attendee?q=poetry">Go to the first page</a>')
  })

  it('searches title, venue and description, treating % and _ as plain characters', async () => {
    const browser = new TestBrowser(t.app)
    expect((await browser.get('/attendee?q=old%20library')).body).toContain('Poetry 100% Live_Show')
    expect((await browser.get('/attendee?q=100%25')).body).toContain('Poetry 100% Live_Show')
    const percent = await browser.get('/attendee?q=%25')
    expect(percent.body).not.toContain('Concert 01')
    const underscore = await browser.get('/attendee?q=_')
    expect(underscore.body).toContain('Poetry')
    expect(underscore.body).not.toContain('Concert 01')
    expect((await browser.get('/attendee?q=secret')).body).toContain('No events match')
  })

  it('names the zone of the end when the clocks change during the event', async () => {
    // Berlin's clocks go back at 03:00 CEST on 26 October 2031.
    const { event } = await createEvent(t.db, organiser.id, {
      title: 'Clock Change Night',
      timeZone: 'Europe/Berlin',
      startsAt: Date.UTC(2031, 9, 25, 23, 30),
      endsAt: Date.UTC(2031, 9, 26, 4, 0),
    })
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).body).toContain('Sun, 26 Oct 2031, 01:30 CEST – 05:00 CET')
    const ordinary = await new TestBrowser(t.app).get('/attendee')
    expect(ordinary.body).toMatch(/Sun, 1 Jun 2031, 18:00 UTC – \d\d:\d\d</)
  })

  it('searches letters beyond A to Z without regard to case, on either database', async () => {
    const browser = new TestBrowser(t.app)
    for (const query of ['été', 'ÉTÉ', 'Площадь', 'площадь', 'ПОБЕДЫ']) {
      expect((await browser.get(`/attendee?q=${encodeURIComponent(query)}`)).body, query).toContain('Été Festival')
    }
  })

  it('searches without regard to accents, on either database: cafe finds Café, strasse finds Straße', async () => {
    await createEvent(t.db, organiser.id, { title: 'Café Concert', venue: 'Hauptstraße 5', startsAt: base + 40 * DAY, timeZone: 'UTC' })
    await createEvent(t.db, organiser.id, {
      title: 'Readings',
      venue: 'Chez Émile',
      description: 'A naïve evening of poems.',
      startsAt: base + 41 * DAY,
      timeZone: 'UTC',
    })
    const found = async (query: string) =>
      [
        ...(await new TestBrowser(t.app).get(`/attendee?q=${encodeURIComponent(query)}`)).body.matchAll(
          /<a href="\/event\/\d+">([^<]+)<\/a>/g,
        ),
      ].map((match) => match[1])
    for (const query of ['cafe', 'CAFE', 'café', 'Cafe concert']) expect(await found(query), query).toEqual(['Café Concert'])
    for (const query of ['strasse', 'STRASSE', 'straße']) expect(await found(query), query).toEqual(['Café Concert'])
    for (const query of ['emile', 'ÉMILE', 'naive', 'NAÏVE']) expect(await found(query), query).toEqual(['Readings'])
    expect(await found('cafés')).toEqual([])
  })

  it('filters by a date range in the site’s time zone, and says when a date is wrong', async () => {
    const browser = new TestBrowser(t.app)
    const range = await browser.get('/attendee?from=2031-06-03&to=2031-06-04')
    const titles = [...range.body.matchAll(/<a href="\/event\/\d+">([^<]+)<\/a>/g)].map((match) => match[1])
    expect(titles).toEqual(['Concert 03', 'Concert 04'])
    const bad = await browser.get('/attendee?from=tomorrow')
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('Enter a date like')
    expect(bad.body).toContain('value="tomorrow"')
  })

  it('shows past events on their own tab', async () => {
    const past = await new TestBrowser(t.app).get('/attendee?tab=past')
    expect(past.body).toContain('Yesterday Gala')
    expect(past.body).not.toContain('Concert 01')
  })

  it('shows the next events on the home page with the site name', async () => {
    const home = await new TestBrowser(t.app).get('/')
    expect(home.body).toContain('<h1>Admit One</h1>')
    expect(home.body).toContain('Concert 01')
    expect(home.body).not.toContain('Secret Draft')
  })

  it('badges sold-out and nearly sold-out events', async () => {
    const few = await createEvent(t.db, organiser.id, {
      title: 'Almost Gone',
      startsAt: base - DAY,
      timeZone: 'UTC',
      ticketTypes: [{ capacity: 100 }],
    })
    await t.db.updateTable('ticketTypes').set({ sold: 95 }).where('id', '=', few.ticketTypes[0]!.id).execute()
    const gone = await createEvent(t.db, organiser.id, {
      title: 'All Gone',
      startsAt: base - DAY,
      timeZone: 'UTC',
      ticketTypes: [{ capacity: 10 }],
    })
    await t.db.updateTable('ticketTypes').set({ sold: 10 }).where('id', '=', gone.ticketTypes[0]!.id).execute()
    const list = await new TestBrowser(t.app).get('/attendee?q=gone')
    expect(list.body).toMatch(/All Gone[\s\S]*Sold out/)
    expect(list.body).toMatch(/Almost Gone[\s\S]*Few left/)
    const page = await new TestBrowser(t.app).get(`/event/${gone.event.id}`)
    expect(page.body).toContain('Sold out')
    expect(page.body).not.toContain(`href="/buy-tickets/${gone.event.id}"`)
  })

  it('shows a draft to its owner with a notice, and 404 to everyone else', async () => {
    const { event } = await createEvent(t.db, organiser.id, {
      title: 'Owner Preview',
      status: 'draft',
      description: 'Line one\nline two\n\n<b>not bold</b>',
    })
    const owner = new TestBrowser(t.app)
    await owner.login(organiser.email, organiser.password)
    const seen = await owner.get(`/event/${event.id}`)
    expect(seen.statusCode).toBe(200)
    expect(seen.body).toContain('the event is not public yet')
    expect(seen.body).toContain('<p>Line one<br>line two</p>')
    expect(seen.body).toContain('&lt;b&gt;not bold&lt;/b&gt;')
    const other = await createUser(t.db, 'organiser')
    const stranger = new TestBrowser(t.app)
    await stranger.login(other.email, other.password)
    expect((await stranger.get(`/event/${event.id}`)).statusCode).toBe(404)
    expect((await new TestBrowser(t.app).get(`/event/${event.id}`)).statusCode).toBe(404)
  })

  it('prices each card from the cheapest type on sale, and says why when none is, on the home page and the list', async () => {
    const soon = Date.now() + DAY
    const sellOut = (typeId: number) => t.db.updateTable('ticketTypes').set({ sold: 10 }).where('id', '=', typeId).execute()
    const cheapGone = await createEvent(t.db, organiser.id, {
      title: 'Pricing cheap gone',
      startsAt: soon,
      ticketTypes: [
        { name: 'Cheap', priceMinor: 500, capacity: 10 },
        { name: 'Standard', priceMinor: 2000, capacity: 10 },
      ],
    })
    await sellOut(cheapGone.ticketTypes[0]!.id)
    const allGone = await createEvent(t.db, organiser.id, {
      title: 'Pricing all gone',
      startsAt: soon + 1,
      ticketTypes: [{ priceMinor: 500, capacity: 10 }],
    })
    await sellOut(allGone.ticketTypes[0]!.id)
    const opensAt = Date.UTC(2030, 0, 15, 9, 0)
    await createEvent(t.db, organiser.id, {
      title: 'Pricing opens later',
      startsAt: soon + 2,
      timeZone: 'UTC',
      ticketTypes: [{ priceMinor: 500, salesStartAt: opensAt }],
    })
    await createEvent(t.db, organiser.id, { title: 'Pricing free', startsAt: soon + 4, ticketTypes: [{ priceMinor: 0 }] })
    await createEvent(t.db, organiser.id, {
      title: 'Pricing free or paid',
      startsAt: soon + 5,
      ticketTypes: [
        { name: 'Door', priceMinor: 0 },
        { name: 'Seat', priceMinor: 1200 },
      ],
    })
    await createEvent(t.db, organiser.id, {
      title: 'Pricing sales over',
      startsAt: soon + 3,
      ticketTypes: [{ priceMinor: 500, salesEndAt: Date.now() - DAY }],
    })

    const home = await new TestBrowser(t.app).get('/')
    const list = await new TestBrowser(t.app).get('/attendee?q=pricing')
    for (const page of [home.body, list.body]) {
      const card = (title: string) => {
        const found = page.split('<li class="event-card"').find((chunk) => chunk.includes(`>${title}</a>`))
        if (!found) throw new Error(`no card for ${title}`)
        return found.slice(0, found.indexOf('</li>')).replace(/\s+/g, ' ')
      }
      expect(card('Pricing cheap gone')).toContain('From €20.00')
      expect(card('Pricing all gone')).toContain('Sold out')
      expect(card('Pricing all gone')).not.toContain('From')
      expect(card('Pricing opens later')).toContain('On sale from Tue, 15 Jan 2030, 09:00 UTC')
      expect(card('Pricing sales over')).toContain('Sales have ended')
      expect(card('Pricing free')).toContain('>Free</span>')
      expect(card('Pricing free or paid')).toContain('Free, or from €12.00')
      expect(page).not.toContain('From Free')
      expect(page).not.toContain('From €5.00')
    }
  })
})
