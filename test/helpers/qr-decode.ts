import jsqr from 'jsqr'
import { inflateSync } from 'node:zlib'

/**
 * Reading back the QR codes the app draws, as a camera would: each drawing
 * (an SVG, a PNG, a PDF's rectangles) is turned into pixels here, by code
 * that knows nothing of how the app made it, and read by jsQR.
 */

/** A picture as jsQR takes it: RGBA, 4 bytes a pixel. */
interface Pixels {
  width: number
  height: number
  data: Uint8ClampedArray
}

function read(pixels: Pixels): string | null {
  // jsqr is CommonJS: under NodeNext its default import is the module, whose default is the function.
  return jsqr.default(pixels.data, pixels.width, pixels.height)?.data ?? null
}

/** Dark squares (x, y, width, height, in any unit) on white, `scale` pixels a unit, with a white border of `margin` units. */
function paint(squares: [number, number, number, number][], scale: number, margin: number): Pixels {
  const right = Math.max(...squares.map(([x, , w]) => x + w))
  const bottom = Math.max(...squares.map(([, y, , h]) => y + h))
  const left = Math.min(...squares.map(([x]) => x))
  const top = Math.min(...squares.map(([, y]) => y))
  const width = Math.ceil((right - left + 2 * margin) * scale)
  const height = Math.ceil((bottom - top + 2 * margin) * scale)
  const data = new Uint8ClampedArray(width * height * 4).fill(255)
  for (const [x, y, w, h] of squares) {
    const x0 = Math.round((x - left + margin) * scale)
    const y0 = Math.round((y - top + margin) * scale)
    const x1 = Math.round((x + w - left + margin) * scale)
    const y1 = Math.round((y + h - top + margin) * scale)
    for (let row = y0; row < y1; row++) {
      for (let column = x0; column < x1; column++) {
        const at = (row * width + column) * 4
        data[at] = data[at + 1] = data[at + 2] = 0
      }
    }
  }
  return { width, height, data }
}

/**
 * The text of a QR code drawn as SVG the way the qrcode package draws it: one
 * path of horizontal strokes 1 unit thick ("M1 1.5h7m2 0h1…", absolute M,
 * relative m and h), over a white square.
 */
export function decodeSvgQr(svg: string): string | null {
  const path = /<path[^>]*stroke="#000000"[^>]*\sd="([^"]+)"/.exec(svg)?.[1]
  if (!path) return null
  const squares: [number, number, number, number][] = []
  let x = 0
  let y = 0
  for (const [, command, args] of path.matchAll(/([MmHhVv])([^MmHhVv]*)/g)) {
    const numbers = args!
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number)
    switch (command) {
      case 'M':
        ;[x, y] = [numbers[0]!, numbers[1]!]
        break
      case 'm':
        ;[x, y] = [x + numbers[0]!, y + numbers[1]!]
        break
      case 'h':
        squares.push([Math.min(x, x + numbers[0]!), y - 0.5, Math.abs(numbers[0]!), 1])
        x += numbers[0]!
        break
      default:
        throw new Error(`an SVG path command this reader does not know: ${command}`)
    }
  }
  return read(paint(squares, 8, 4))
}

/** The text of a QR code in a PNG (8 bits a channel, not interlaced, as the qrcode package writes it). */
export function decodePngQr(png: Buffer): string | null {
  return read(decodePng(png))
}

/** The text of a QR code drawn as filled rectangles (a PDF's), in the rectangles' own unit. */
export function decodeRectsQr(rects: [number, number, number, number][]): string | null {
  const module = Math.min(...rects.map(([, , , h]) => h))
  return read(paint(rects, 8 / module, 4 * module))
}

function decodePng(png: Buffer): Pixels {
  if (png.subarray(0, 8).toString('latin1') !== '\x89PNG\r\n\x1a\n') throw new Error('not a PNG')
  let width = 0
  let height = 0
  let channels = 0
  const compressed: Buffer[] = []
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at)
    const type = png.subarray(at + 4, at + 8).toString('latin1')
    const body = png.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      const [bitDepth, colourType, , , interlace] = body.subarray(8, 13)
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colourType!] ?? 0
      if (bitDepth !== 8 || channels === 0 || interlace !== 0)
        throw new Error(`a PNG this reader does not know: ${[...body.subarray(8, 13)]}`)
    } else if (type === 'IDAT') compressed.push(body)
    at += 12 + length
  }
  const raw = inflateSync(Buffer.concat(compressed))
  const stride = width * channels
  const rows = new Uint8Array(height * stride)
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? rows[row * stride + i - channels]! : 0
      const b = row > 0 ? rows[(row - 1) * stride + i]! : 0
      const c = i >= channels && row > 0 ? rows[(row - 1) * stride + i - channels]! : 0
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]
      if (predicted === undefined) throw new Error(`PNG filter ${filter}`)
      rows[row * stride + i] = (line[i]! + predicted) & 0xff
    }
  }
  const data = new Uint8ClampedArray(width * height * 4)
  for (let pixel = 0; pixel < width * height; pixel++) {
    const source = rows.subarray(pixel * channels, (pixel + 1) * channels)
    const [r, g, b] = channels >= 3 ? [source[0]!, source[1]!, source[2]!] : [source[0]!, source[0]!, source[0]!]
    data.set([r, g, b, 255], pixel * 4)
  }
  return { width, height, data }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}
