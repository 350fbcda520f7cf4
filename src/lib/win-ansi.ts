/**
 * Text as the PDF standard fonts (Helvetica, Courier…) can show it. They
 * carry WinAnsi's 218 characters: all of Western Europe (é, ß, ø, œ, ñ, š, ž)
 * but not, say, Polish Ł or Czech ř, nor other scripts; and pdfkit writes a
 * character outside WinAnsi as bytes that garble the rest of the line. So a
 * character the fonts lack becomes its letter without accent (ř → r, Ł → L)
 * when it has one, and "?" when it has none (Cyrillic, Greek, CJK…): the
 * printable page, in the browser's fonts, shows every name as typed.
 */
export function toWinAnsi(text: string): string {
  let out = ''
  for (const char of text) out += showable(char) ? char : fallback(char)
  return out
}

/** Beyond Latin-1's 0xA0-0xFF, the characters WinAnsi puts at 0x80-0x9F. */
const WIN_ANSI_EXTRAS = new Set(
  [
    0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018, 0x2019, 0x201c, 0x201d,
    0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178,
  ].map((code) => String.fromCodePoint(code)),
)

function showable(char: string): boolean {
  const code = char.codePointAt(0)!
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char)
}

/** Letters whose accent is part of the letter (no decomposition takes it off), and dashes and spaces WinAnsi lacks. */
const PLAIN: Readonly<Record<string, string>> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
  Ŧ: 'T',
  ŧ: 't',
  ẞ: 'SS',
  '\u2010': '-',
  '\u2011': '-',
  '\u2212': '-',
  '\u2009': ' ',
  '\u202f': ' ',
}

function fallback(char: string): string {
  if (char in PLAIN) return PLAIN[char]!
  // Control characters (a tab, a stray newline) are no part of one line of text.
  if (/\p{Cc}/u.test(char)) return ' '
  const bare = char.normalize('NFKD').replace(/\p{M}/gu, '')
  return bare !== '' && [...bare].every(showable) ? bare : '?'
}
