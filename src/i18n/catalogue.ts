import { en } from './en/index.js'
import type { Locale } from './locale.js'

/** Every message's key: a typo in a t() call is a compile error. */
export type MessageKey = keyof typeof en

/** A catalogue other than English may lack keys (a new feature not yet translated): those fall back to English. */
export type Catalogue = Partial<Record<MessageKey, string>>

export const CATALOGUES: Record<Locale, Catalogue> = { en }

export const SOURCE_CATALOGUE: Record<MessageKey, string> = en

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(SOURCE_CATALOGUE, value)
}
