import { createHash, randomBytes, randomInt } from 'node:crypto'

// Crockford's base32 without I, L, O, U: easy to read aloud and to type from paper.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** An unguessable code of `length` base32 characters (5 bits each). */
export function randomCode(length: number): string {
  let code = ''
  for (let i = 0; i < length; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return code
}

/** A URL-safe secret with `bytes` of entropy. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url')
}

/** What is kept of a secret sent in a link (a reset, a waiting-list offer): its SHA-256, hex, which opens nothing by itself. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
