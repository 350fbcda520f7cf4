import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUniqueViolation } from '../../db/database.js'
import { Forbidden, NotFound } from '../../lib/errors.js'
import { FormReader } from '../../lib/forms.js'
import { readNewAccount } from '../accounts/account.form.js'
import { logIn } from '../accounts/log-in.js'
import { hashPassword } from '../accounts/passwords.js'
import { passwordFormLimit } from '../accounts/rate-limit.js'
import { anyAdminExists } from '../accounts/user.repository.js'
import { SetupToken, createFirstAdmin } from './setup.service.js'

/**
 * First run: while no admin exists, each start prints a one-time link to the
 * log and, as a plain line, to stdout, and /setup?token=… creates the first
 * admin. Afterwards /setup is gone.
 */
export default async function setupRoutes(app: FastifyInstance) {
  const token = new SetupToken()

  app.addHook('onReady', async () => {
    // A database that fails here fails every page too, and /readyz says so; starting anyway keeps that visible.
    const adminExists = await anyAdminExists(app.db).catch((error: unknown) => {
      app.log.error({ err: error }, 'could not check for an admin account; no setup link printed')
      return true
    })
    if (adminExists) return
    const host = ['0.0.0.0', '::'].includes(app.config.host) ? 'localhost' : app.config.host
    const link = `${app.config.publicUrl ?? `http://${host}:${app.config.port}`}/setup?token=${token.issue()}`
    const message = `No admin account yet. Create the first one at ${link} (a one-time link; use your site's address if it is not this one).`
    app.log.warn(message)
    // The log line is JSON, for log collectors; the person starting a new site reads this one.
    if (app.config.logLevel !== 'silent') process.stdout.write(`${message}\n`)
  })

  /** The token from the link, or a refusal: 404 once an admin exists, 403 for a wrong or missing token. */
  async function checkedToken(request: FastifyRequest): Promise<string> {
    if (await anyAdminExists(app.db)) throw new NotFound()
    const given = new FormReader(request.query, request.t).text('token')
    if (!token.matches(given)) {
      throw new Forbidden({ key: 'admin.setup.invalidLink' })
    }
    return given
  }

  app.get('/setup', { config: { access: 'anyone' } }, async (request, reply) => {
    return reply.render('setup/setup.eta', {
      title: request.t('admin.setup.title'),
      token: await checkedToken(request),
      values: { name: '', email: '' },
      errors: {},
    })
  })

  app.post('/setup', { config: { access: 'anyone', rateLimit: passwordFormLimit(app.config.rateLimits) } }, async (request, reply) => {
    const given = await checkedToken(request)
    const form = new FormReader(request.body, request.t)
    const { name, email, password } = readNewAccount(form)
    const rerender = () =>
      reply.render(
        'setup/setup.eta',
        { title: request.t('admin.setup.title'), token: given, values: { name, email }, errors: form.errors },
        422,
      )
    if (!form.ok) return rerender()

    let admin
    try {
      admin = await createFirstAdmin(app.db, { name, email, passwordHash: await hashPassword(password) }, request.ip)
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      form.fail('email', request.t('admin.setup.emailTaken'))
      return rerender()
    }
    if (!admin) throw new NotFound()
    token.revoke()
    await logIn(request, reply, admin.id)
    reply.flash('success', 'flash.setup.welcome')
    return reply.redirect('/site-settings', 303)
  })
}
