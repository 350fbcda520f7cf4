import { beforeAll, expect, it } from 'vitest'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { createEvent } from '../helpers/fixtures.js'
import { loginAs, useLoginAs } from '../helpers/login.js'
import { createUser } from '../helpers/personas.js'
import { useMailApp } from '../helpers/smtp.js'
import { MailComposer, Uncomposable } from '../../src/features/mail/mail.messages.js'
import { getSiteSettings } from '../../src/features/settings/settings.repository.js'
import { qrDataUrl } from '../../src/lib/qr.js'

const DOOR_LINK = '<a href="/door"'

describeEachDatabase('door staff: told by mail, a menu link, a QR code for a tablet', (kind) => {
  const t = useMailApp(kind)
  const organiser = useLoginAs(t, 'organiser')
  let eventId: number

  beforeAll(async () => {
    eventId = (await createEvent(t.db, organiser.user.id, { title: 'Staffed Gala', startsAt: Date.UTC(2031, 5, 14, 18, 0) })).event.id
  })

  async function addStaff(email: string) {
    await organiser.browser.get(`/events/${eventId}/door-staff`)
    return organiser.browser.post(`/events/${eventId}/door-staff`, { email })
  }

  async function grantOf(userId: number) {
    return t.db.selectFrom('doorStaff').selectAll().where('eventId', '=', eventId).where('userId', '=', userId).executeTakeFirstOrThrow()
  }

  it('tells an account added as door staff by mail, written with the change and composed when sent', async () => {
    const staff = await createUser(t.db, 'attendee', { name: 'Sam Steward' })
    const added = await addStaff(staff.email)
    expect(added.statusCode).toBe(303)
    const grant = await grantOf(staff.id)
    const queued = await t.db.selectFrom('outbox').select(['kind', 'data']).where('recipient', '=', staff.email).execute()
    expect(queued).toEqual([{ kind: 'door-staff-added', data: JSON.stringify({ doorStaffId: grant.id, siteUrl: 'http://localhost:80' }) }])

    const [mail] = await t.smtp.waitFor(staff.email)
    expect(mail!.parsed.subject).toBe('You can check in tickets for Staffed Gala')
    const text = mail!.parsed.text!.replace(/\s+/g, ' ')
    expect(text).toContain(`Sam Steward, ${organiser.user.name} added you to the door staff of Staffed Gala, Sat, 14 Jun 2031, 20:00 CEST.`)
    expect(text).toContain('The door page: http://localhost:80/door')
    expect(mail!.parsed.html).toContain('href="http://localhost:80/door"')
  })

  it('sends nothing once the grant is revoked before the mail goes out', async () => {
    const staff = await createUser(t.db, 'attendee')
    expect((await addStaff(staff.email)).statusCode).toBe(303)
    // Composed as a sender that had not come to it yet would compose it, after the organiser revoked the grant.
    const grant = await grantOf(staff.id)
    await t.db.updateTable('doorStaff').set({ revokedAt: Date.now() }).where('id', '=', grant.id).execute()
    const row = await t.db.selectFrom('outbox').selectAll().where('recipient', '=', staff.email).executeTakeFirstOrThrow()
    await expect(new MailComposer(t.db, false, 'tickets@admit-one.test').compose(row, await getSiteSettings(t.db))).rejects.toBeInstanceOf(
      Uncomposable,
    )
  })

  it('links the menu to /door for door staff, by account or by staff link, and for no one else', async () => {
    const staff = await createUser(t.db, 'attendee')
    const door = await loginAs(t, staff)
    expect((await door.browser.get('/')).body).not.toContain(DOOR_LINK)
    expect((await addStaff(staff.email)).statusCode).toBe(303)
    expect((await door.browser.get('/')).body).toContain(DOOR_LINK)
    expect((await door.browser.get('/door')).body).toContain('Staffed Gala')

    const outsider = await loginAs(t, 'attendee')
    expect((await outsider.browser.get('/')).body).not.toContain(DOOR_LINK)
    expect((await organiser.browser.get('/')).body).not.toContain(DOOR_LINK)
    const anonymous = new TestBrowser(t.app)
    expect((await anonymous.get('/')).body).not.toContain(DOOR_LINK)
    expect((await anonymous.get('/door')).body).toContain('<a href="/login?next=%2Fdoor">Log in</a>')

    await organiser.browser.get(`/events/${eventId}/door-staff`)
    const made = await organiser.browser.post(`/events/${eventId}/door-staff/links`, { label: 'Side door tablet' })
    const link = /data-staff-link>([^<]+)</.exec(made.body)![1]!
    const tablet = new TestBrowser(t.app)
    await tablet.get(new URL(link).pathname)
    expect((await tablet.get('/')).body).toContain(DOOR_LINK)

    await organiser.browser.get(`/events/${eventId}/door-staff`)
    expect((await organiser.browser.post(`/events/${eventId}/door-staff/${(await grantOf(staff.id)).id}/revoke`)).statusCode).toBe(303)
    expect((await door.browser.get('/')).body).not.toContain(DOOR_LINK)
  })

  it('shows a new staff link with a QR code of it, on the answer to the form only', async () => {
    await organiser.browser.get(`/events/${eventId}/door-staff`)
    const made = await organiser.browser.post(`/events/${eventId}/door-staff/links`, { label: 'North gate tablet' })
    expect(made.statusCode).toBe(200)
    expect(made.headers['cache-control']).toContain('no-store')
    const link = /data-staff-link>([^<]+)</.exec(made.body)![1]!
    const qr = /<img class="staff-link__qr" src="([^"]+)"[^>]*alt="QR code of the staff link “North gate tablet”"/.exec(made.body)?.[1]
    expect(qr).toBe(await qrDataUrl(link))
    expect(Buffer.from(qr!.split(',')[1]!, 'base64').toString()).toMatch(/^<svg /)
    expect((await organiser.browser.get(`/events/${eventId}/door-staff`)).body).not.toContain('data-staff-link-qr')
  })
})
