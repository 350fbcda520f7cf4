import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { DAY, ZONE, auditActions, eventFields, expectRedirect } from './support.js'
import { instantToLocalInput } from '../../src/lib/time.js'

describeEachDatabase('GET/POST /create-event', (kind) => {
  const t = useTestApp(kind)
  const me = useLoginAs(t, 'organiser')

  it('shows the form with the site time zone chosen and buyer cancellation on', async () => {
    const { browser } = await loginAs(t, me.user)
    const page = await browser.get('/create-event')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<option selected>UTC</option>')
    expect(page.body).toMatch(/id="f-allowBuyerCancellation"[^>]* checked/)
  })

  it('saves a draft owned by the organiser, with times read in its time zone, and audits it', async () => {
    const { browser } = await loginAs(t, me.user)
    const response = await browser.submit(
      '/create-event',
      '/create-event',
      eventFields({
        title: 'Winter Gala',
        startsAt: '2099-12-05T19:30',
        endsAt: '2099-12-05T23:00',
        capacity: '250',
        imageUrl: 'https://example.com/gala.jpg',
        allowBuyerCancellation: '',
      }),
    )
    expectRedirect(response, /^\/edit-event\/\d+$/)
    const id = Number(String(response.headers.location).split('/').pop())
    const event = await t.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(event).toMatchObject({
      ownerId: me.user.id,
      title: 'Winter Gala',
      status: 'draft',
      publishedAt: null,
      timeZone: ZONE,
      startsAt: Date.UTC(2099, 11, 5, 18, 30),
      endsAt: Date.UTC(2099, 11, 5, 22, 0),
      capacity: 250,
      imageUrl: 'https://example.com/gala.jpg',
      allowBuyerCancellation: 0,
      sold: 0,
    })
    expect(await auditActions(t.db, 'event', id)).toEqual(['event.created'])
    const manage = await browser.get(String(response.headers.location))
    expect(manage.body).toContain('Draft saved')
  })

  it('refuses invalid input with 422, a message next to each field and the values kept', async () => {
    const { browser } = await loginAs(t, me.user)
    const before = await t.db.selectFrom('events').select('id').execute()
    const response = await browser.submit(
      '/create-event',
      '/create-event',
      eventFields({
        title: '',
        venue: 'Kept <Venue>',
        startsAt: '2099-06-01T20:00',
        endsAt: '2099-06-01T19:00',
        imageUrl: 'http://example.com/x.jpg',
        capacity: 'lots',
      }),
    )
    expect(response.statusCode).toBe(422)
    expect(response.body).toMatch(/id="f-title-error"[^<]*<span[^>]*>Error:<\/span> Enter a title\./)
    expect(response.body).toMatch(/id="f-endsAt-error".*The end must be after the start\./)
    expect(response.body).toMatch(/id="f-imageUrl-error".*https:\/\//)
    expect(response.body).toMatch(/id="f-capacity-error".*whole number/)
    expect(response.body).toContain('value="Kept &lt;Venue&gt;"')
    expect(response.body).toContain('value="2099-06-01T20:00"')
    expect(response.body).toContain('value="lots"')
    expect(await t.db.selectFrom('events').select('id').execute()).toEqual(before)
  })

  it('refuses a start in the past and an unknown time zone', async () => {
    const { browser } = await loginAs(t, me.user)
    const past = Date.now() - DAY
    const inPast = await browser.submit(
      '/create-event',
      '/create-event',
      eventFields({ startsAt: instantToLocalInput(past, ZONE), endsAt: instantToLocalInput(past + DAY * 2, ZONE) }),
    )
    expect(inPast.statusCode).toBe(422)
    expect(inPast.body).toMatch(/id="f-startsAt-error".*The start cannot be in the past\./)

    const badZone = await browser.submit('/create-event', '/create-event', eventFields({ timeZone: 'Mars/Olympus' }))
    expect(badZone.statusCode).toBe(422)
    expect(badZone.body).toMatch(/id="f-timeZone-error".*Choose a time zone/)
  })

  it('refuses an image address that is not https, or carries credentials', async () => {
    const { browser } = await loginAs(t, me.user)
    for (const imageUrl of ['javascript:alert(1)', 'ftp://example.com/a.png', 'https://user:pw@example.com/a.png', 'example.com/a.png']) {
      const response = await browser.submit('/create-event', '/create-event', eventFields({ imageUrl }))
      expect(response.statusCode, imageUrl).toBe(422)
      expect(response.body).toContain('id="f-imageUrl-error"')
    }
  })

  it('accepts the longest description allowed in any script, not only in Latin letters', async () => {
    const { browser } = await loginAs(t, me.user)
    // Form-encoded, each Cyrillic letter takes six bytes and each of these nine.
    const description = 'Фестиваль '.repeat(1000) + '音楽祭'.repeat(3000)
    expect(description.length).toBe(19_000)
    const response = await browser.submit('/create-event', '/create-event', eventFields({ title: 'Долгий вечер', description }))
    expectRedirect(response, /^\/edit-event\/\d+$/)
    const id = Number(String(response.headers.location).split('/').pop())
    const event = await t.db.selectFrom('events').select('description').where('id', '=', id).executeTakeFirstOrThrow()
    expect(event.description).toBe(description.trim())
  })

  it('answers a field sent twice with 422, not a 500', async () => {
    const { browser } = await loginAs(t, me.user)
    await browser.get('/create-event')
    const response = await browser.post('/create-event', { ...eventFields(), title: ['One', 'Two'] })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('This field was sent more than once.')
  })
})
