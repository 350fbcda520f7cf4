import jsqr from 'jsqr'
import QRCode from 'qrcode'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createStaffLink } from '../../src/features/check-in/door-staff.js'
import { findEvent } from '../../src/features/events/event.repository.js'
import { parseDoorCode } from '../../src/lib/door-code.js'
import { axeProblems } from '../helpers/axe.js'
import { TestBrowser } from '../helpers/browser.js'
import type { Page } from 'playwright-core'
import { type BrowserApp, describeInBrowser, logIn, useBrowserApp } from '../helpers/chromium.js'
import { doorCodesOfOrder } from '../helpers/door.js'
import { createEvent } from '../helpers/fixtures.js'
import { placeOrder } from '../helpers/orders.js'
import { payByHand } from '../helpers/paid-orders.js'
import { createUser } from '../helpers/personas.js'

/**
 * An organiser's event with `tickets` sold in one order (€25.00 each, paid;
 * `unpaid`: to pay at the door), its door codes, and a staff link's path.
 */
async function doorOf(t: BrowserApp, tickets: number, title: string, { unpaid = false } = {}) {
  const organiser = await createUser(t.db, 'organiser')
  const { event, ticketTypes } = await createEvent(t.db, organiser.id, {
    title,
    ticketTypes: [{ name: 'General', priceMinor: 2500, capacity: 50 }],
  })
  const order = await placeOrder(t.db, event.id, ticketTypes[0]!.id, { buyerName: 'Dana Door', quantity: tickets })
  if (!unpaid) await payByHand(t.db, order.id)
  const codes = await doorCodesOfOrder(t.db, order.id)
  const change = {
    event: (await findEvent(t.db, event.id))!,
    actor: { userId: organiser.id, label: organiser.email, isAdmin: false, ip: null },
  }
  const link = `/door/${await createStaffLink(t.db, change, 'Test phone')}`
  return { organiser, eventId: event.id, orderId: order.id, orderCode: order.code, codes, link }
}

/** The check-in page's answer to a scan made by another phone (over app.inject), as the server gives it. */
async function scanElsewhere(t: BrowserApp, link: string, eventId: number, code: string) {
  const phone = new TestBrowser(t.app)
  await phone.get(link)
  await phone.get(`/events/${eventId}/check-in`)
  const answer = await phone.post(`/events/${eventId}/check-in`, { code, gate: 'Side gate' })
  return /data-scan-answer="([a-z-]+)"/.exec(answer.body)?.[1]
}

describeInBrowser('checking tickets in at the door', (kind) => {
  const t = useBrowserApp(kind)

  it('with JavaScript off: a staff link opens the page, a typed code and Enter admit the ticket, a second try is caught', async () => {
    const { eventId, codes, link } = await doorOf(t, 2, 'Typed at the Door')
    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(link)
    await page.getByRole('heading', { name: 'Check-in' }).waitFor()
    expect(await page.locator('.check-in__counts').innerText()).toBe('0 admitted of 2 expected')

    await page.getByLabel('Gate').fill('Main doors')
    await page.getByLabel('Ticket code').fill(codes[0]!.toLowerCase())
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/events/${eventId}/check-in`)),
      page.getByLabel('Ticket code').press('Enter'),
    ])
    await page.locator('[data-scan-answer="admitted"]').getByText('Admitted').waitFor()
    expect(await page.locator('[data-scan-answer]').innerText()).toContain('Dana Door')
    expect(await page.locator('.check-in__counts').innerText()).toBe('1 admitted of 2 expected')
    expect(await page.getByLabel('Gate').inputValue(), 'the gate is kept for the next scan').toBe('Main doors')
    expect(await page.getByLabel('Ticket code').inputValue(), 'the field is empty for the next scan').toBe('')

    await page.getByLabel('Ticket code').fill(codes[0]!)
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/events/${eventId}/check-in`)),
      page.getByLabel('Ticket code').press('Enter'),
    ])
    await page.locator('[data-scan-answer="already"]').waitFor()
    expect(await page.locator('[data-scan-answer]').innerText()).toContain('by Test phone at Main doors')

    const ticket = await t.db
      .selectFrom('tickets')
      .select(['checkedInGate', 'checkedInBy'])
      .where('id', '=', parseDoorCode(codes[0]!)!.ticketId)
      .executeTakeFirstOrThrow()
    expect(ticket).toEqual({ checkedInGate: 'Main doors', checkedInBy: 'Test phone' })
  })

  it('with JavaScript: scans made offline wait on the phone, and their answers, a conflict first, show once it is back online', async () => {
    const { eventId, codes, link } = await doorOf(t, 3, 'Bad Reception')
    const page = await t.newPage()
    await page.goto(link)
    await page.getByRole('heading', { name: 'Check-in' }).waitFor()
    // The live counts are followed over the WebSocket: admitting at another gate moves them.
    await page.locator('[data-live-event][data-live-current]').waitFor()
    expect(await scanElsewhere(t, link, eventId, codes[2]!)).toBe('admitted')
    await page.locator('[data-live-admitted]', { hasText: '1' }).waitFor()

    await page.context().setOffline(true)
    for (const code of [codes[0]!, codes[1]!]) {
      await page.getByLabel('Ticket code').fill(code)
      await page.getByLabel('Ticket code').press('Enter')
    }
    await page.locator('[data-queue-status]', { hasText: '2 scans wait to be sent.' }).waitFor()
    expect(await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]').length, `admit-one:check-in:${eventId}`)).toBe(2)
    // Meanwhile the second ticket is admitted at another gate.
    expect(await scanElsewhere(t, link, eventId, codes[1]!)).toBe('admitted')
    // Long enough for both queued scans to count as made offline when their answers come.
    await page.waitForTimeout(3100)

    await page.context().setOffline(false)
    await page.evaluate(() => window.dispatchEvent(new Event('online')))
    const answers = page.locator('[data-queue-list] li')
    await answers.nth(1).waitFor()
    expect(await answers.evaluateAll((items) => items.map((item) => item.getAttribute('data-offline-answer')))).toEqual([
      'already',
      'admitted',
    ])
    expect(await answers.first().innerText()).toContain('at Side gate')
    await page.locator('[data-queue-status]', { hasText: /^$/ }).waitFor({ state: 'attached' })
    expect(await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]').length, `admit-one:check-in:${eventId}`)).toBe(0)
    await page.locator('[data-live-admitted]', { hasText: '3' }).waitFor()

    const log = await t.db.selectFrom('checkIns').select(['ticketId', 'action']).where('eventId', '=', eventId).orderBy('id').execute()
    expect(log.map((row) => row.ticketId)).toEqual([codes[2], codes[1], codes[0]].map((code) => parseDoorCode(code!)!.ticketId))
  })

  it('with JavaScript off: a ticket to pay at the door says what to collect; "Paid — let in" records the payment and admits', async () => {
    const { eventId, orderId, orderCode, codes, link } = await doorOf(t, 2, 'Cash at the Door', { unpaid: true })
    const page = await t.newPage({ javaScriptEnabled: false })
    await page.goto(link)
    expect(await page.locator('.check-in__counts').innerText()).toBe('0 admitted of 2 expected')
    await page.getByLabel('Ticket code').fill(codes[0]!)
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/events/${eventId}/check-in`)),
      page.getByLabel('Ticket code').press('Enter'),
    ])
    const answer = page.locator('[data-scan-answer="collect"]')
    await answer.getByText('Collect €50.00', { exact: true }).waitFor()
    expect(await answer.innerText()).toContain(`Collect €50.00 (order ${orderCode}) before letting in`)
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/events/${eventId}/check-in/collect`)),
      answer.getByRole('button', { name: 'Paid — let in' }).click(),
    ])
    await page.locator('[data-scan-answer="admitted"]').waitFor()
    expect(await page.locator('.check-in__counts').innerText()).toBe('1 admitted of 2 expected')
    const payments = await t.db
      .selectFrom('payments')
      .select(['method', 'amountMinor', 'recordedBy'])
      .where('orderId', '=', orderId)
      .execute()
    expect(payments).toEqual([{ method: 'at-door', amountMinor: 5000, recordedBy: 'Test phone' }])
  })

  it('with JavaScript: a scan made offline of a ticket to pay at the door comes back "collect", listed on top with its "Paid — let in"', async () => {
    const { eventId, orderId, codes, link } = await doorOf(t, 1, 'Cash and Bad Reception', { unpaid: true })
    const page = await t.newPage()
    await page.goto(link)
    await page.locator('[data-live-event][data-live-current]').waitFor()
    await page.context().setOffline(true)
    await page.getByLabel('Ticket code').fill(codes[0]!)
    await page.getByLabel('Ticket code').press('Enter')
    await page.locator('[data-queue-status]', { hasText: '1 scan waits to be sent.' }).waitFor()
    // Long enough for the queued scan to count as made offline when its answer comes.
    await page.waitForTimeout(3100)
    await page.context().setOffline(false)
    await page.evaluate(() => window.dispatchEvent(new Event('online')))

    const listed = page.locator('[data-queue-list] li').first()
    await listed.waitFor()
    expect(await listed.getAttribute('data-offline-answer')).toBe('collect')
    expect(await listed.innerText()).toContain('Collect €25.00')
    // The answer fills the screen too, with the same button.
    await page.locator('[data-scan-answer="collect"]').getByRole('button', { name: 'Paid — let in' }).waitFor()
    const ticket = parseDoorCode(codes[0]!)!.ticketId
    expect(
      (await t.db.selectFrom('tickets').select('checkedInAt').where('id', '=', ticket).executeTakeFirstOrThrow()).checkedInAt,
    ).toBeNull()

    // Settled at the desk, from the list.
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/events/${eventId}/check-in/collect`)),
      listed.getByRole('button', { name: 'Paid — let in' }).click(),
    ])
    await page.locator('[data-scan-answer="admitted"]').waitFor()
    expect((await t.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status).toBe('paid')
    expect(
      (await t.db.selectFrom('tickets').select('checkedInAt').where('id', '=', ticket).executeTakeFirstOrThrow()).checkedInAt,
    ).not.toBeNull()
  })

  it('the organiser reaches the door from the event, and undoes a check-in from the orders page', async () => {
    const { organiser, eventId, codes } = await doorOf(t, 1, 'Undo at the Door')
    const page = await t.newPage()
    await logIn(page, organiser)
    await page.goto(`/edit-event/${eventId}`)
    await Promise.all([page.waitForURL(`**/events/${eventId}/check-in`), page.getByRole('link', { name: 'Check-in' }).click()])
    await page.getByLabel('Ticket code').fill(codes[0]!)
    await page.getByLabel('Ticket code').press('Enter')
    await page.locator('[data-scan-answer="admitted"]').waitFor()
    await page.goto(`/events/${eventId}/orders`)
    await Promise.all([page.waitForURL(`**/events/${eventId}/orders`), page.getByRole('button', { name: /Undo check-in/ }).click()])
    await page.getByText('Check-in undone').waitFor()
    const ticket = await t.db
      .selectFrom('tickets')
      .select('checkedInAt')
      .where('id', '=', parseDoorCode(codes[0]!)!.ticketId)
      .executeTakeFirstOrThrow()
    expect(ticket.checkedInAt).toBeNull()
  })
})

describeInBrowser(
  'the check-in page on a phone',
  () => {
    const t = useBrowserApp('sqlite')

    it('axe finds nothing serious at 390 px, light or dark, with an answer on screen; nothing scrolls sideways', async () => {
      const { eventId, codes, link } = await doorOf(t, 1, 'A Narrow Door')
      const page = await t.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true })
      await page.goto(link)
      await page.getByLabel('Ticket code').fill(codes[0]!)
      await page.getByLabel('Ticket code').press('Enter')
      await page.locator('[data-scan-answer="admitted"]').waitFor()
      expect(await axeProblems(page)).toEqual([])
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
      expect(widths.page).toBeLessThanOrEqual(widths.screen)
      await page.goto(`/events/${eventId}/door-list`)
      expect(await axeProblems(page)).toEqual([])
    })

    it('axe finds nothing serious at 390 px with money to collect on screen, nor on a door list of unpaid tickets; nothing scrolls sideways', async () => {
      const { organiser, eventId, codes, link } = await doorOf(t, 2, 'A Narrow Till', { unpaid: true })
      const page = await t.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true })
      await page.goto(link)
      await page.getByLabel('Ticket code').fill(codes[0]!)
      await page.getByLabel('Ticket code').press('Enter')
      await page.locator('[data-scan-answer="collect"]').getByRole('button', { name: 'Paid — let in' }).waitFor()
      expect(await axeProblems(page)).toEqual([])
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
      expect(widths.page).toBeLessThanOrEqual(widths.screen)
      const list = await t.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true })
      await logIn(list, organiser)
      await list.goto(`/events/${eventId}/door-list`)
      await list.getByText('To collect €50.00').first().waitFor()
      expect(await axeProblems(list)).toEqual([])
    })
  },
  { sqliteOnly: true },
)

/** Makes a staff link on the organiser's door staff page, as a person would; the page then shows it with its QR code. */
async function makeStaffLink(page: Page, eventId: number, label: string) {
  await page.goto(`/events/${eventId}/door-staff`)
  await page.getByLabel('Name of the link').fill(label)
  await Promise.all([page.waitForURL(`**/events/${eventId}/door-staff/links`), page.getByRole('button', { name: 'Make a link' }).click()])
  return page.getByRole('img', { name: `QR code of the staff link “${label}”` })
}

describeInBrowser(
  'a staff link for a door tablet',
  () => {
    const t = useBrowserApp('sqlite')

    it('comes with a QR code, drawn under the real CSP, that opens the door; the tablet then finds the door in its menu', async () => {
      const { organiser, eventId } = await doorOf(t, 1, 'Tablet at the Door')
      const page = await t.newPage()
      await logIn(page, organiser)
      const qr = await makeStaffLink(page, eventId, 'Door tablet')
      const link = await page.locator('[data-staff-link]').innerText()
      // Read back from the pixels the browser drew, as the tablet's camera would.
      const pixels = await qr.evaluate((img: HTMLImageElement) => {
        const canvas = document.createElement('canvas')
        canvas.width = img.naturalWidth * 2
        canvas.height = img.naturalHeight * 2
        const context = canvas.getContext('2d')!
        context.drawImage(img, 0, 0, canvas.width, canvas.height)
        return { width: canvas.width, height: canvas.height, data: [...context.getImageData(0, 0, canvas.width, canvas.height).data] }
      })
      expect(pixels.width).toBeGreaterThan(0)
      // jsqr is CommonJS: under NodeNext its default import is the module, whose default is the function.
      expect(jsqr.default(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height)?.data).toBe(link)
      await page.goto(`/events/${eventId}/door-staff`)
      await page.getByRole('cell', { name: 'Door tablet', exact: true }).waitFor()
      expect(await page.locator('[data-staff-link], [data-staff-link-qr]').count(), 'shown once, on the answer to the form').toBe(0)

      const tablet = await t.newPage()
      await tablet.goto(link)
      await tablet.getByRole('heading', { name: 'Check-in' }).waitFor()
      await Promise.all([
        tablet.waitForURL('**/door'),
        tablet.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Door' }).click(),
      ])
      await tablet.getByRole('link', { name: 'Tablet at the Door' }).waitFor()
    })

    it('axe finds nothing serious on the page with a new link and its QR code, at 390 px, light or dark; nothing scrolls sideways', async () => {
      const { organiser, eventId } = await doorOf(t, 1, 'A Narrow Staff Page')
      const page = await t.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true })
      await logIn(page, organiser)
      await (await makeStaffLink(page, eventId, 'Phone at the side door')).waitFor()
      expect(await axeProblems(page)).toEqual([])
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }))
      expect(widths.page).toBeLessThanOrEqual(widths.screen)
    })
  },
  { sqliteOnly: true },
)

// Chromium's fake camera plays a Y4M file, read when the page starts the camera.
const videoDir = mkdtempSync(path.join(tmpdir(), 'admit-one-camera-'))
const videoFile = path.join(videoDir, 'ticket.y4m')
afterAll(() => rmSync(videoDir, { recursive: true, force: true }))

/** A few seconds of video of one QR code, black on white, as 4:2:0 Y4M frames. */
function writeQrVideo(file: string, text: string) {
  const width = 640
  const height = 480
  const modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules
  const quiet = 4
  const scale = Math.floor(Math.min(width, height) / (modules.size + 2 * quiet))
  const left = Math.floor((width - scale * modules.size) / 2)
  const top = Math.floor((height - scale * modules.size) / 2)
  const luma = Buffer.alloc(width * height, 235)
  for (let y = 0; y < modules.size * scale; y++) {
    for (let x = 0; x < modules.size * scale; x++) {
      if (modules.get(Math.floor(y / scale), Math.floor(x / scale))) luma[(top + y) * width + left + x] = 16
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128)
  const frames = Array.from({ length: 30 }, () => Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]))
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...frames]))
}

describeInBrowser(
  'scanning with the phone’s camera',
  () => {
    const t = useBrowserApp('sqlite', {
      chromiumArgs: [
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${videoFile}`,
      ],
    })

    it('reads the QR code in view and admits the ticket once, however long it stays in view', async () => {
      const { eventId, codes, link } = await doorOf(t, 1, 'Camera Night')
      writeQrVideo(videoFile, codes[0]!)
      const page = await t.newPage()
      await page.context().grantPermissions(['camera'])
      await page.goto(link)
      await page.getByRole('button', { name: 'Scan with the camera' }).click()
      await page.locator('[data-scan-answer="admitted"]').waitFor()
      expect(await page.locator('[data-scan-answer]').innerText()).toContain('Dana Door')
      // The same code stays in view past the page's 4 s for one code: still one scan, no "already checked in".
      await page.waitForTimeout(5000)
      expect(await page.locator('[data-scan-answer]').getAttribute('data-scan-answer')).toBe('admitted')
      const log = await t.db.selectFrom('checkIns').select('action').where('eventId', '=', eventId).execute()
      expect(log).toEqual([{ action: 'in' }])
    })
  },
  { sqliteOnly: true },
)
