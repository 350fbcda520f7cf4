import { inflateSync } from 'node:zlib'

/**
 * A PDF as the tests read it, without a PDF library: its page objects, and
 * each page's content stream inflated and read for its text (the strings of
 * its Tj/TJ operators, decoded from WinAnsi, the standard fonts' encoding) and
 * its filled rectangles (`re` … `f`). Enough for PDFs whose objects are not
 * themselves compressed into object streams, as pdfkit writes them.
 */
export interface PdfPage {
  text: string
  filledRects: [number, number, number, number][]
}

export interface ReadPdf {
  /** The `/Type /Page` objects there are, counted in the file. */
  pageObjects: number
  /** The pages in their order (the /Kids of the page tree). */
  pages: PdfPage[]
  /** The document's title, from its info dictionary. */
  title: string | null
}

export function readPdf(file: Buffer): ReadPdf {
  const text = file.toString('latin1')
  if (!text.startsWith('%PDF-') || !text.trimEnd().endsWith('%%EOF')) throw new Error('not a whole PDF file')
  const objects = new Map<number, { dictionary: string; stream: Buffer | null }>()
  for (const match of text.matchAll(/(\d+) 0 obj\s*(<<[\s\S]*?>>)?\s*(stream\r?\n)?/g)) {
    const dictionary = match[2] ?? ''
    let stream: Buffer | null = null
    if (match[3]) {
      const start = match.index + match[0].length
      const length = Number(/\/Length (\d+)/.exec(dictionary)?.[1])
      const raw = file.subarray(start, start + length)
      stream = dictionary.includes('/FlateDecode') ? inflateSync(raw) : raw
    }
    objects.set(Number(match[1]), { dictionary, stream })
  }
  const kids = /\/Type \/Pages[\s\S]*?\/Kids \[([^\]]*)\]/.exec(text)?.[1] ?? ''
  const pages = [...kids.matchAll(/(\d+) 0 R/g)].map(([, id]) => {
    const page = objects.get(Number(id))!
    const contents = Number(/\/Contents (\d+) 0 R/.exec(page.dictionary)?.[1])
    return readContent(objects.get(contents)?.stream?.toString('latin1') ?? '')
  })
  const title = /\/Title \(([^)]*)\)/.exec(text)?.[1] ?? null
  return { pageObjects: (text.match(/\/Type \/Page(?!s)/g) ?? []).length, pages, title }
}

/** WinAnsi's characters at 0x80-0x9F, where it differs from Latin-1. */
const WIN_ANSI_HIGH: Record<number, string> = {
  0x80: '€',
  0x82: '‚',
  0x83: 'ƒ',
  0x84: '„',
  0x85: '…',
  0x86: '†',
  0x87: '‡',
  0x88: 'ˆ',
  0x89: '‰',
  0x8a: 'Š',
  0x8b: '‹',
  0x8c: 'Œ',
  0x8e: 'Ž',
  0x91: '‘',
  0x92: '’',
  0x93: '“',
  0x94: '”',
  0x95: '•',
  0x96: '–',
  0x97: '—',
  0x98: '˜',
  0x99: '™',
  0x9a: 'š',
  0x9b: '›',
  0x9c: 'œ',
  0x9e: 'ž',
  0x9f: 'Ÿ',
}

function winAnsi(hex: string): string {
  let out = ''
  for (let i = 0; i < hex.length; i += 2) {
    const byte = parseInt(hex.slice(i, i + 2), 16)
    out += WIN_ANSI_HIGH[byte] ?? String.fromCharCode(byte)
  }
  return out
}

function readContent(content: string): PdfPage {
  const lines: string[] = []
  for (const [, operands] of content.matchAll(/(\[[^\]]*\]|<[0-9a-fA-F]*>)\s*T[Jj]/g)) {
    lines.push([...operands!.matchAll(/<([0-9a-fA-F]*)>/g)].map(([, hex]) => winAnsi(hex!)).join(''))
  }
  const filledRects: [number, number, number, number][] = []
  let pending: [number, number, number, number][] = []
  for (const [, numbers, operator] of content.matchAll(/((?:-?[\d.]+\s+){0,6})(?<=^|\s)(re|f|S|n|B|b)(?=\s|$)/g)) {
    if (operator === 're') {
      const [x, y, w, h] = numbers!.trim().split(/\s+/).slice(-4).map(Number)
      pending.push([x!, y!, w!, h!])
    } else {
      if (operator === 'f') filledRects.push(...pending)
      pending = []
    }
  }
  return { text: lines.join('\n'), filledRects }
}
