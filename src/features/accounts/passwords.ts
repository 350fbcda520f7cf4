import type { argon2id } from 'argon2'
import type { Message } from '../../i18n/translate.js'

// Loaded at the first password rather than at start: its native addon takes a while to load.
const loadArgon2 = () => import('argon2').then((module) => module.default)

// OWASP's argon2id parameters: 19 MiB of memory, 2 iterations, 1 lane.
const OPTIONS = { type: 2 satisfies typeof argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256

export async function hashPassword(password: string): Promise<string> {
  return (await loadArgon2()).hash(password, OPTIONS)
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const argon2 = await loadArgon2()
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

// Verified against when the email is unknown, so that a wrong email takes as long as a wrong password.
let decoyHash: Promise<string> | undefined
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoyHash ??= hashPassword('decoy password that no one has')
  await verifyPassword(await decoyHash, password)
  return false
}

// The most used passwords of at least ten characters, from public breach lists.
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '1234567891',
  '123456789a',
  'qwertyuiop',
  '1q2w3e4r5t',
  'password123',
  'password12',
  'password1!',
  'passw0rd123',
  'qwerty1234',
  'qwerty12345',
  'qwerty123456',
  'iloveyou123',
  'abcdefghij',
  'abc1234567',
  '1qaz2wsx3edc',
  'zaq12wsxcde',
  'aaaaaaaaaa',
  '1111111111',
  '0000000000',
  '9876543210',
  'football123',
  'baseball123',
  'princess123',
  'sunshine123',
  'welcome123',
  'letmein123',
  'starwars123',
  'dragon1234',
  'monkey1234',
  'superman123',
  'trustno1234',
  'administrator',
  'adminadmin',
  'admin12345',
  'admin123456',
  'changeme123',
  'passwordpassword',
  'qwertyuiop123',
  'asdfghjkl1',
  'asdfghjkl123',
  'zxcvbnm123',
  '1q2w3e4r5t6y',
  'q1w2e3r4t5',
  'password1234',
  'computer123',
  'michael123',
  'charlie123',
  'whatever123',
  'ticketsticket',
  'admitoneadmin',
])

/** A reason the password cannot be used, or null. No composition rules, on purpose. */
export function passwordProblem(password: string): Message | null {
  if (password.length < PASSWORD_MIN) return { key: 'accounts.password.tooShort', params: { min: PASSWORD_MIN } }
  if (password.length > PASSWORD_MAX) return { key: 'forms.field.tooLong', params: { max: PASSWORD_MAX } }
  if (COMMON.has(password.toLowerCase())) return { key: 'accounts.password.common' }
  return null
}
