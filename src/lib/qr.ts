/**
 * QR codes of a text, drawn as a page, a mail or a PDF needs them, all at the
 * same error correction. qrcode is loaded at the first QR code rather than at
 * start, which it would slow by some 50 ms.
 */
const ERROR_CORRECTION = 'M'

async function qrcode() {
  return (await import('qrcode')).default
}

/** As SVG. */
export async function qrSvg(text: string): Promise<string> {
  return (await qrcode()).toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: ERROR_CORRECTION })
}

/** The same, as a data: URL for an <img>: the page needs no script and no second request (which would carry the text in its URL). */
export async function qrDataUrl(text: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(text)).toString('base64')}`
}

/** As a PNG, for mail programs, which show few SVGs: `scale` pixels a module, with the standard quiet zone of 4 modules. */
export async function qrPng(text: string, scale = 6): Promise<Buffer> {
  return (await qrcode()).toBuffer(text, { type: 'png', margin: 4, scale, errorCorrectionLevel: ERROR_CORRECTION })
}

/** The modules themselves, `size` × `size`, dark ones true, row by row: for drawing as vectors (a PDF). */
export async function qrModules(text: string): Promise<{ size: number; dark: (row: number, column: number) => boolean }> {
  const { modules } = (await qrcode()).create(text, { errorCorrectionLevel: ERROR_CORRECTION })
  return { size: modules.size, dark: (row, column) => Boolean(modules.get(row, column)) }
}
