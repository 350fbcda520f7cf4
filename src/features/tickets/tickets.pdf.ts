import type { Readable } from 'node:stream'
import type { Locale } from '../../i18n/locale.js'
import type { Translate } from '../../i18n/translate.js'
import { qrModules } from '../../lib/qr.js'
import { toWinAnsi } from '../../lib/win-ansi.js'
import type { PrintableOrder, PrintableTicket } from './printable.js'

/** A4 in PDF points (1/72 inch), and the margin all round (2 cm). */
const PAGE = { width: 595.28, height: 841.89, margin: 56.7 }
const WIDTH = PAGE.width - 2 * PAGE.margin
const QR_SIDE = 220
const GREY = '#444444'
/** The blank modules a reader needs around a QR code. */
const QUIET_ZONE = 4

/**
 * The order's tickets as a PDF, made here with pdfkit's standard fonts (no
 * browser, no font files): A4, one ticket a page, as the printable page
 * prints them, its QR code drawn as vectors, sharp at any size. Text goes
 * through toWinAnsi, the characters those fonts have. Ended and ready to
 * stream; pdfkit is loaded at the first PDF, not at start.
 */
export async function ticketsPdf(order: PrintableOrder, siteName: string, t: Translate, locale: Locale): Promise<Readable> {
  const { default: PDFDocument } = await import('pdfkit')
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    autoFirstPage: false,
    lang: locale,
    displayTitle: true,
    info: { Title: t('tickets.print.title', { code: order.code }), Author: siteName, Creator: siteName },
  })
  for (const ticket of order.tickets) {
    doc.addPage()
    await drawTicket(doc, order, ticket, siteName, t)
  }
  doc.end()
  return doc
}

async function drawTicket(doc: PDFKit.PDFDocument, order: PrintableOrder, ticket: PrintableTicket, siteName: string, t: Translate) {
  const text = (value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}) =>
    // Each piece in a box of its own, cut short rather than running onto a page of its own.
    doc.text(toWinAnsi(value), x, y, { width: WIDTH, lineBreak: true, ellipsis: true, ...options })
  const left = PAGE.margin
  let y = PAGE.margin

  doc.font('Helvetica').fontSize(10).fillColor(GREY)
  text(siteName, left, y, { height: 14 })
  y += 22
  doc.font('Helvetica-Bold').fontSize(24).fillColor('#000000')
  text(order.event.title, left, y, { height: 62 })
  y = Math.max(y + 36, doc.y) + 8
  doc.font('Helvetica-Bold').fontSize(14)
  text(order.event.when, left, y, { height: 20 })
  y += 20
  doc.font('Helvetica').fontSize(10).fillColor(GREY)
  text(t('tickets.print.timeZone', { timeZone: order.event.timeZone }), left, y, { height: 14 })
  y += 18
  doc.font('Helvetica').fontSize(14).fillColor('#000000')
  text(order.event.venue, left, y, { height: 38 })
  y = Math.max(y + 20, doc.y) + 14
  doc
    .moveTo(left, y)
    .lineTo(left + WIDTH, y)
    .lineWidth(1)
    .strokeColor(GREY)
    .dash(4, { space: 3 })
    .stroke()
    .undash()
  y += 20

  await drawQr(doc, ticket.doorCode, left, y, QR_SIDE)
  const column = left + QR_SIDE + 24
  const columnWidth = WIDTH - QR_SIDE - 24
  let row = y
  const fact = (label: string, value: string, height = 36) => {
    doc.font('Helvetica').fontSize(9).fillColor(GREY)
    text(label.toUpperCase(), column, row, { width: columnWidth, height: 12, characterSpacing: 0.5 })
    doc.font('Helvetica-Bold').fontSize(14).fillColor('#000000')
    text(value, column, row + 13, { width: columnWidth, height })
    row = Math.max(row + 13 + 18, doc.y) + 10
  }
  fact(t('tickets.print.holder'), ticket.holder)
  fact(t('tickets.print.ticket'), `${ticket.typeName} · ${ticket.price}`)
  if (ticket.seat) fact(t('tickets.print.seat'), ticket.seat)
  fact(t('tickets.print.order'), order.code, 18)
  if (ticket.checkedIn) {
    doc.font('Helvetica-Bold').fontSize(11).fillColor(GREY)
    text(t('tickets.print.checkedIn'), column, row, { width: columnWidth, height: 14 })
  }

  y += QR_SIDE + 16
  doc.font('Helvetica').fontSize(9).fillColor(GREY)
  text(t('tickets.print.code').toUpperCase(), left, y, { height: 12, characterSpacing: 0.5 })
  doc.font('Courier-Bold').fontSize(15).fillColor('#000000')
  text(ticket.doorCode, left, y + 13, { height: 20 })
  y += 50

  // What the door makes of it, boxed: a ticket still to be paid must not pass for a paid one.
  doc.font('Helvetica-Bold').fontSize(order.state.valid ? 12 : 14)
  const stateText = toWinAnsi(order.state.text)
  const boxHeight = doc.heightOfString(stateText, { width: WIDTH - 24 }) + 20
  doc
    .lineWidth(order.state.valid ? 1 : 3)
    .strokeColor('#000000')
    .rect(left, y, WIDTH, boxHeight)
    .stroke()
  doc.fillColor('#000000').text(stateText, left + 12, y + 10, { width: WIDTH - 24, height: boxHeight - 10 })

  const bottom = PAGE.height - PAGE.margin - 12
  doc.font('Helvetica').fontSize(9).fillColor(GREY)
  text(ticket.position, left, bottom, { height: 12, width: WIDTH / 3 })
  text(t('tickets.print.footer'), left + WIDTH / 3, bottom, { height: 12, width: (WIDTH * 2) / 3, align: 'right' })
}

/** The QR code in a square of `side`, its quiet zone of 4 modules inside it: filled squares, a row's adjacent dark modules as one rectangle. */
async function drawQr(doc: PDFKit.PDFDocument, content: string, left: number, top: number, side: number) {
  const { size, dark } = await qrModules(content)
  const module = side / (size + 2 * QUIET_ZONE)
  const x = left + QUIET_ZONE * module
  const y = top + QUIET_ZONE * module
  for (let row = 0; row < size; row++) {
    let column = 0
    while (column < size) {
      if (!dark(row, column)) {
        column++
        continue
      }
      const start = column
      while (column < size && dark(row, column)) column++
      doc.rect(x + start * module, y + row * module, (column - start) * module, module)
    }
  }
  doc.fillColor('#000000').fill()
}
