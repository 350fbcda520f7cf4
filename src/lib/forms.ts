import { DEFAULT_LOCALE } from '../i18n/locale.js'
import { type Translate, translatorFor } from '../i18n/translate.js'

/**
 * Reading urlencoded forms. @fastify/formbody gives a string for a field sent
 * once and an array for a field sent twice; a hand-made POST can send either,
 * or anything else. Forms here read every field as one trimmed string and
 * report a repeated field as an error instead of guessing which value was meant.
 */
export type FieldErrors = Record<string, string>

// Tabs and line breaks are text; the other C0 controls (NUL above all, which
// PostgreSQL refuses to store) are not anything a person typed.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

// The controls that reorder text for display: embeddings and overrides
// (U+202A–U+202E), isolates (U+2066–U+2069) and the marks (U+200E, U+200F,
// U+061C). Typed into a name, "\u202Elive" shows as "evil" wherever the name
// appears, so they go from every field as it arrives. Pages isolate what people
// typed (<bdi>), so that right-to-left text needs none of them to show right.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g

const CHECKED = new Set(['1', 'on', 'true', 'yes'])

export class FormReader {
  readonly errors: FieldErrors = {}
  private readonly fields: Record<string, unknown>

  /**
   * `t` is the language of the page the form came from: the form's messages,
   * and those its feature's parser adds (form.t), are in it.
   */
  constructor(
    body: unknown,
    readonly t: Translate = translatorFor(DEFAULT_LOCALE),
  ) {
    this.fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}
  }

  /** The field as typed, without bidi controls and trimmed (unless `raw`: exactly as typed), or '' when missing. */
  text(name: string, options: { raw?: boolean } = {}): string {
    const value = this.fields[name]
    if (Array.isArray(value)) {
      this.fail(name, this.t('forms.field.sentTwice'))
      return ''
    }
    if (typeof value !== 'string') return ''
    if (CONTROL_CHARACTERS.test(value)) {
      this.fail(name, this.t('forms.field.controlCharacters'))
      return ''
    }
    return options.raw ? value : value.replace(BIDI_CONTROLS, '').trim()
  }

  /**
   * A field that may be sent several times (checkboxes of one name), as
   * trimmed strings, none when missing; a value with control characters fails
   * the field, as text() does.
   */
  list(name: string): string[] {
    const value = this.fields[name]
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
    const texts: string[] = []
    for (const item of values) {
      if (typeof item !== 'string') continue
      if (CONTROL_CHARACTERS.test(item)) {
        this.fail(name, this.t('forms.field.controlCharacters'))
        return []
      }
      texts.push(item.replace(BIDI_CONTROLS, '').trim())
    }
    return texts
  }

  /** Checked only for what a checked box sends (its value, or "on" without one): "false" or "off" is not a yes. */
  checkbox(name: string): boolean {
    const value = this.fields[name]
    return typeof value === 'string' && CHECKED.has(value.trim().toLowerCase())
  }

  /** Names of the fields that start with `prefix`, for forms with one input per row (e.g. qty_12). */
  names(prefix: string): string[] {
    return Object.keys(this.fields).filter((name) => name.startsWith(prefix))
  }

  /** Records the first problem found with a field; later ones are not shown. */
  fail(name: string, message: string): void {
    this.errors[name] ??= message
  }

  get ok(): boolean {
    return Object.keys(this.errors).length === 0
  }
}

// Loose on purpose (the only real check of an address is a message that
// arrives), but without the characters that give an address a second meaning
// where it is used: ? & # % , ; < > " ( ) [ ] \ : / and spaces would let a typed
// "a@b.example?bcc=c@d.example" add recipients to a mailto: link or a mail header.
const EMAIL_LOCAL = /^[\p{L}\p{N}.!$'*+=^_`{|}~-]+$/u
const EMAIL_DOMAIN = /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u

export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@')
  if (value.length > 254 || at < 1) return false
  return EMAIL_LOCAL.test(value.slice(0, at)) && EMAIL_DOMAIN.test(value.slice(at + 1))
}

/** A mailto: link to one address, even one stored before the check above refused such characters. */
export function mailtoHref(email: string): string {
  return `mailto:${encodeURIComponent(email).replace('%40', '@')}`
}
