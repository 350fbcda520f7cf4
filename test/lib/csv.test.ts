import { describe, expect, it } from 'vitest'
import { type CsvCell, csvCell, csvChunks, csvDateTime } from '../../src/lib/csv.js'

describe('csvCell', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(csvCell('Ada Lovelace')).toBe('Ada Lovelace')
    expect(csvCell(12)).toBe('12')
    expect(csvCell('')).toBe('')
  })

  it('quotes commas, quotes and line breaks, doubling the quotes (RFC 4180)', () => {
    expect(csvCell('Smith, Jo')).toBe('"Smith, Jo"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"')
  })

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('neutralises a formula starting %j with an apostrophe', (text) => {
    const cell = csvCell(text)
    expect(cell.replace(/^"/, '').startsWith(`'${text[0]}`)).toBe(true)
  })

  it('neutralises and quotes at once', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`)
  })

  it('does not touch a formula character later in the text', () => {
    expect(csvCell('a=b')).toBe('a=b')
    expect(csvCell('jo@example.test')).toBe('jo@example.test')
  })

  it('leaves numbers alone, which no stranger typed', () => {
    expect(csvCell(-3)).toBe('-3')
  })
})

describe('csvChunks', () => {
  async function file(batches: CsvCell[][][]): Promise<string> {
    let text = ''
    for await (const chunk of csvChunks(batches)) text += chunk
    return text
  }

  it('starts with a byte order mark and ends every record with CRLF', async () => {
    expect(
      await file([
        [
          ['a', 'b'],
          ['c, d', 1],
        ],
      ]),
    ).toBe('\uFEFFa,b\r\n"c, d",1\r\n')
  })

  it('keeps non-ASCII text as UTF-8 characters', async () => {
    expect(await file([[['Zoë', '東京']]])).toBe('\uFEFFZoë,東京\r\n')
  })

  it('writes batch after batch as one file, whatever their sizes', async () => {
    expect(await file([[['a']], [], [['b'], ['c']]])).toBe('\uFEFFa\r\nb\r\nc\r\n')
  })
})

describe('csvDateTime', () => {
  it('writes ISO 8601 to the second with the offset of the time zone, so that the hour a clock change repeats stays two hours', () => {
    // Berlin's clocks go back at 03:00 CEST on 25 October 2026: 02:30 happens twice.
    expect(csvDateTime(Date.UTC(2026, 9, 25, 0, 30), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00')
    expect(csvDateTime(Date.UTC(2026, 9, 25, 1, 30), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00')
    expect(csvDateTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678), 'UTC')).toBe('2026-01-02T03:04:05+00:00')
    expect(csvDateTime(Date.UTC(2026, 0, 2, 3, 4), 'Asia/Kolkata')).toBe('2026-01-02T08:34:00+05:30')
  })
})
