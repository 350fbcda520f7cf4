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

/**
 * Logs in by the login form over HTTP, as a browser would, against a
 * listening server; then opens `page` and reads its form token: the cookie
 * and the token that the concurrency tests' fetches carry.
 */
export async function logInOverHttp(baseUrl: string, user: Persona, page = '/organiser'): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>()
  const keep = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair!.indexOf('=')
      jar.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
  }
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
  const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
  const form = await fetch(`${baseUrl}/login`)
  keep(form)
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token(await form.text()), email: user.email, password: user.password }),
    redirect: 'manual',
  })
  keep(login)
  if (login.status !== 303) throw new Error(`login answered ${login.status}`)
  const opened = await fetch(`${baseUrl}${page}`, { headers: { cookie: cookie() } })
  keep(opened)
  const csrf = token(await opened.text())
  if (!csrf) throw new Error(`${page} answered ${opened.status} without a form`)
  return { cookie: cookie(), csrf }
}
