import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { type LoggedIn, loginAs } from '../helpers/login.js'
import { askQuestions, optionIds } from '../helpers/questions.js'

/**
 * Where the answers show, once given through the buy form: the buyer's order
 * page, the organiser's orders page, the door list, the check-in answer and
 * the attendee export, which stays safe to open in a spreadsheet.
 */
describeEachDatabase('names and answers where the order is shown', (kind) => {
  const t = useTestApp(kind)
  let me: LoggedIn
  let eventId: number
  let orderId: number
  let orderPage: string
  let removedId: number

  beforeAll(async () => {
    me = await loginAs(t, 'organiser')
    const { event, ticketTypes } = await createEvent(t.db, me.user.id, {
      title: 'Lantern Walk',
      ticketTypes: [{ name: 'Walker', priceMinor: 0, capacity: 50 }],
    })
    eventId = event.id
    const walker = ticketTypes[0]!
    const [meal, age, company, newsletter, secret] = await askQuestions(t.db, event.id, 'required', [
      { label: 'Meal', kind: 'one-choice', perTicket: true, options: ['Soup', 'Vegan stew'] },
      { label: 'Age', kind: 'number', perTicket: true },
      { label: 'Company', kind: 'short-text' },
      { label: 'Newsletter', kind: 'yes-no' },
      { label: 'Secret', kind: 'short-text' },
    ])
    removedId = secret!
    const meals = await optionIds(t.db, meal!)
    const buyer = new TestBrowser(t.app)
    const form = await buyer.get(`/buy-tickets/${event.id}`)
    const key = /name="key" value="([^"]+)"/.exec(form.body)![1]!
    await buyer.post(`/purchase/${event.id}`, { key, [`qty_${walker.id}`]: '2', name: 'Bo Buyer', email: 'bo@example.test' })
    const placed = await buyer.post(`/purchase/${event.id}`, {
      step: 'details',
      [`t${walker.id}_1_name`]: '@Sam Formula',
      [`t${walker.id}_1_q${meal}`]: meals['Vegan stew']!,
      [`t${walker.id}_1_q${age}`]: '-3',
      [`t${walker.id}_2_name`]: 'Ann Able',
      [`t${walker.id}_2_q${meal}`]: meals.Soup!,
      [`q${company}`]: '=HYPERLINK("http://evil.example","click")',
      [`q${newsletter}`]: 'yes',
      [`q${secret}`]: 'hidden later',
    })
    expect(placed.statusCode).toBe(303)
    const order = await t.db.selectFrom('orders').select('id').where('eventId', '=', event.id).executeTakeFirstOrThrow()
    orderId = order.id
    orderPage = (await buyer.get(placed.headers.location!)).body
    // Removed after it was answered: its answers stay in the database, out of every page and export.
    await me.browser.get(`/events/${event.id}/questions`)
    expect((await me.browser.post(`/events/${event.id}/questions/${secret}/remove`)).statusCode).toBe(303)
  })

  it('shows the buyer each ticket’s name and answers, and the order’s answers, on the order page', () => {
    expect(orderPage).toContain('<strong dir="auto">@Sam Formula</strong>')
    expect(orderPage).toContain('<strong dir="auto">Ann Able</strong>')
    expect(orderPage).toContain('<dt><bdi>Meal</bdi></dt><dd class="pre-line" dir="auto">Vegan stew</dd>')
    expect(orderPage).toContain('<dt><bdi>Age</bdi></dt><dd class="pre-line" dir="auto">-3</dd>')
    expect(orderPage).toContain('Your answers')
    expect(orderPage).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)')
    expect(orderPage).toContain('<dt><bdi>Newsletter</bdi></dt><dd class="pre-line" dir="auto">Yes</dd>')
  })

  it('keeps a removed question’s answers off the order page', async () => {
    const order = await t.db.selectFrom('orders').select(['code', 'accessKey']).where('id', '=', orderId).executeTakeFirstOrThrow()
    const page = await new TestBrowser(t.app).get(`/orders/${order.code}?key=${order.accessKey}`)
    expect(page.body).toContain('Vegan stew')
    expect(page.body).not.toContain('Secret')
    expect(page.body).not.toContain('hidden later')
    const kept = await t.db.selectFrom('answers').select('value').where('questionId', '=', removedId).execute()
    expect(kept).toEqual([{ value: 'hidden later' }])
  })

  it('shows names and answers on the organiser’s orders page', async () => {
    const page = await me.browser.get(`/events/${eventId}/orders`)
    expect(page.body).toContain('<strong><bdi>@Sam Formula</bdi></strong>')
    expect(page.body).toContain('<strong><bdi>Ann Able</bdi></strong>')
    expect(page.body).toContain('Vegan stew')
    expect(page.body).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)')
    expect(page.body).not.toContain('hidden later')
  })

  it('lists each ticket by the name on it, with its answers, on the door list', async () => {
    const page = await me.browser.get(`/events/${eventId}/door-list`)
    const names = [...page.body.matchAll(/data-label="Name" dir="auto">([^<]*)</g)].map((match) => match[1])
    expect(names).toEqual(['@Sam Formula', 'Ann Able'])
    expect(page.body).toContain(
      'Meal: Vegan stew\nAge: -3\nCompany: =HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)\nNewsletter: Yes',
    )
    expect(page.body).not.toContain('hidden later')
  })

  it('names the ticket’s holder and gives its answers when it is checked in', async () => {
    const [first] = await doorCodesOfOrder(t.db, orderId)
    await me.browser.get(`/events/${eventId}/check-in`)
    const scanned = await me.browser.post(`/events/${eventId}/check-in`, {
      code: first!,
      nonce: 'answers-shown-1',
      gate: 'Door',
      mode: 'entry',
    })
    expect(scanned.body).toContain('data-scan-answer="admitted"')
    for (const line of ['@Sam Formula', 'Meal: Vegan stew', 'Age: -3', 'Newsletter: Yes']) expect(scanned.body).toContain(`<p>${line}</p>`)
    expect(scanned.body).not.toContain('hidden later')
  })

  it('exports a column for the holder and one per question, formula-safe', async () => {
    const csv = await me.browser.get(`/events/${eventId}/attendees.csv`)
    const [header, ...rows] = csv.body.slice(1).split('\r\n')
    expect(header!.split(',').slice(-5)).toEqual(['Ticket holder', 'Meal', 'Age', 'Company', 'Newsletter'])
    const [sam, ann] = await doorCodesOfOrder(t.db, orderId)
    const company = `"'=HYPERLINK(""http://evil.example"",""click"")"`
    expect(rows.find((row) => row.includes(sam!))!.endsWith(`,'@Sam Formula,Vegan stew,-3,${company},yes`)).toBe(true)
    expect(rows.find((row) => row.includes(ann!))!.endsWith(`,Ann Able,Soup,,${company},yes`)).toBe(true)
    expect(csv.body).not.toContain('hidden later')
  })
})
