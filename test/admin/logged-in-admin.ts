import { beforeAll } from 'vitest'
import type { AppHandle } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { type Persona, createUser } from '../helpers/personas.js'

/** An admin, logged in through the login form in a browser of their own before the file's tests run. */
export function useLoggedInAdmin(t: AppHandle): { readonly admin: Persona; readonly browser: TestBrowser } {
  let admin: Persona | undefined
  let browser: TestBrowser | undefined
  beforeAll(async () => {
    admin = await createUser(t.db, 'admin')
    browser = new TestBrowser(t.app)
    await browser.login(admin.email, admin.password)
  })
  return {
    get admin() {
      if (!admin) throw new Error('the admin logs in in beforeAll')
      return admin
    },
    get browser() {
      if (!browser) throw new Error('the admin logs in in beforeAll')
      return browser
    },
  }
}
