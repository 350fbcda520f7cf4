import { createHmac, timingSafeEqual } from 'node:crypto'
import { MAX_INT32 } from './numbers.js'

/**
 * A ticket's door code, as its QR code carries it: `<event id>-<ticket id>-<signature>`,
 * the signature being the first 80 bits of an HMAC-SHA256 of the two ids under
 * the event's own secret, in Crockford's base32 (no I, L, O, U; read aloud and
 * typed from paper without confusion). A forged or mistyped code is refused
 * before any lookup, and a scanner that holds the secret can check codes offline.
 */
export interface DoorCode {
  eventId: number
  ticketId: number
  signature: string
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const SIGNATURE_LENGTH = 16
const DOOR_CODE = /^([1-9][0-9]{0,9})-([1-9][0-9]{0,9})-([0-9A-HJKMNP-TV-Z]{16})$/

export function signDoorCode(secret: string, eventId: number, ticketId: number): string {
  return `${eventId}-${ticketId}-${signature(secret, eventId, ticketId)}`
}

/**
 * The code's parts, or null for anything that is not shaped like a door code.
 * Scanners and people type in any case, with stray spaces, and may read the
 * letters O, I and L for the digits they look like. Ids past the database's
 * 32-bit columns are no door code (and are never looked up).
 */
export function parseDoorCode(text: string): DoorCode | null {
  const cleaned = text.trim().toUpperCase().replace(/\s+/g, '')
  const match = DOOR_CODE.exec(cleaned.replace(/[OIL]/g, (c) => (c === 'O' ? '0' : '1')))
  if (!match) return null
  const eventId = Number(match[1])
  const ticketId = Number(match[2])
  if (eventId > MAX_INT32 || ticketId > MAX_INT32) return null
  return { eventId, ticketId, signature: match[3]! }
}

/** Whether the code was signed with this secret. */
export function isSignedBy(code: DoorCode, secret: string): boolean {
  const expected = Buffer.from(signature(secret, code.eventId, code.ticketId))
  const given = Buffer.from(code.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

function signature(secret: string, eventId: number, ticketId: number): string {
  const digest = createHmac('sha256', secret).update(`admit-one door ${eventId}-${ticketId}`).digest()
  // 16 characters of 5 bits: the first 10 bytes of the digest.
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of digest) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5 && out.length < SIGNATURE_LENGTH) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    if (out.length === SIGNATURE_LENGTH) break
    value &= (1 << bits) - 1
  }
  return out
}
