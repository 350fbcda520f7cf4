import { beforeAll } from 'vitest'
import type { Role } from '../../src/db/schema.js'
import type { AppHandle } from './app.js'
import { TestBrowser } from './browser.js'
import { type Persona, createUser } from './personas.js'

export interface LoggedIn {
  readonly user: Persona
  /** A browser of its own, with the session the login gave it. */
  readonly browser: TestBrowser
}

/**
 * Logs in through the login form, as a person would, in a new browser: as a
 * persona made earlier, or as a new account of the role given.
 */
export async function loginAs(t: Pick<AppHandle, 'app' | 'db'>, who: Role | Persona): Promise<LoggedIn> {
  const user = typeof who === 'string' ? await createUser(t.db, who) : who
  const browser = new TestBrowser(t.app)
  await browser.login(user.email, user.password)
  return { user, browser }
}

/** loginAs a new account of `role` once, before the file's tests, for the tests that share it. */
export function useLoginAs(t: AppHandle, role: Role): LoggedIn {
  let loggedIn: LoggedIn | undefined
  beforeAll(async () => {
    loggedIn = await loginAs(t, role)
  })
  const done = (): LoggedIn => {
    if (!loggedIn) throw new Error(`the ${role} logs in in beforeAll`)
    return loggedIn
  }
  return {
    get user() {
      return done().user
    },
    get browser() {
      return done().browser
    },
  }
}
