/**
 * A QR code as SVG. qrcode is loaded at the first QR code rather than at
 * start, which it would slow by some 50 ms.
 */
export async function qrSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode')
  return QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
}

/** The same, as a data: URL for an <img>: the page needs no script and no second request (which would carry the text in its URL). */
export async function qrDataUrl(text: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(text)).toString('base64')}`
}
