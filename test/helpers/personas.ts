import type { Db } from '../../src/db/database.js'
import type { Role } from '../../src/db/schema.js'
import { hashPassword } from '../../src/features/accounts/passwords.js'
import { type User, insertUser } from '../../src/features/accounts/user.repository.js'

export const PASSWORD = 'correct horse battery staple'

// One hash for every persona: argon2 is deliberately slow, and the tests make many users.
let sharedHash: Promise<string> | undefined

export interface Persona extends User {
  password: string
}

let counter = 0

/** A user straight in the database, with the shared test password. */
export async function createUser(db: Db, role: Role, fields: { name?: string; email?: string } = {}): Promise<Persona> {
  sharedHash ??= hashPassword(PASSWORD)
  counter += 1
  const user = await insertUser(db, {
    name: fields.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${counter}`,
    email: fields.email ?? `${role}-${counter}-${process.pid}@example.test`,
    passwordHash: await sharedHash,
    role,
  })
  return { ...user, password: PASSWORD }
}

/**
 * The named people of the authorization tests: an admin, an organiser, a
 * second organiser who owns nothing of the first's, and an attendee.
 */
export async function createPersonas(db: Db) {
  return {
    admin: await createUser(db, 'admin', { name: 'Ada Admin' }),
    organiser: await createUser(db, 'organiser', { name: 'Olive Organiser' }),
    otherOrganiser: await createUser(db, 'organiser', { name: 'Oscar Otherorg' }),
    attendee: await createUser(db, 'attendee', { name: 'Alex Attendee' }),
  }
}
