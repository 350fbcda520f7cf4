import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export type FormFields = Record<string, string | number | string[]>

/**
 * A minimal browser over app.inject: it keeps cookies, remembers the last CSRF
 * token a page carried, and sends it with every form, as a real browser would.
 * It also remembers the other hidden fields of each form it was shown, by the
 * form's action, and sends them with a post to that action unless the test
 * gives its own.
 */
export class TestBrowser {
  /** Name → value, as the browser holds them; a test may edit one, as a tampering visitor would. */
  readonly cookies = new Map<string, string>()
  private readonly hiddenFields = new Map<string, Record<string, string>>()
  csrfToken: string | undefined

  /** `remoteAddress`: the client's IP, for tests of what is counted per address (default 127.0.0.1). */
  constructor(
    private readonly app: FastifyInstance,
    private readonly options: { remoteAddress?: string } = {},
  ) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: this.headers(), remoteAddress: this.options.remoteAddress })
    this.remember(response)
    return response
  }

  /** Posts a urlencoded form, with the last CSRF token unless the fields carry their own. */
  async post(url: string, fields: FormFields = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams()
    if (this.csrfToken && !('_csrf' in fields)) body.append('_csrf', this.csrfToken)
    for (const [name, value] of Object.entries(this.hiddenFields.get(url) ?? {})) {
      if (!(name in fields)) body.append(name, value)
    }
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, String(item))
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
      remoteAddress: this.options.remoteAddress,
    })
    this.remember(response)
    return response
  }

  /** Opens a page (to get its form's token), then submits the form. */
  async submit(pageUrl: string, actionUrl: string, fields: FormFields = {}): Promise<LightMyRequestResponse> {
    await this.get(pageUrl)
    return this.post(actionUrl, fields)
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const response = await this.submit('/login', '/login', { email, password })
    if (response.statusCode !== 303) throw new Error(`login as ${email} failed with ${response.statusCode}`)
    return response
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get('admit_one_session')
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private headers(): Record<string, string> {
    return this.cookies.size > 0 ? { cookie: this.cookieHeader() } : {}
  }

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now())
      if (expired || cookie.value === '') this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)
    if (token) this.csrfToken = token[1]
    for (const form of response.body.matchAll(/<form[^>]*\saction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)) {
      const hidden: Record<string, string> = {}
      for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
        if (input[1] !== '_csrf') hidden[input[1]!] = decodeEntities(input[2]!)
      }
      this.hiddenFields.set(decodeEntities(form[1]!), hidden)
    }
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}
