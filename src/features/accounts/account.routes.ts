import type { MessageKey } from '../../i18n/catalogue.js'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { FormReader } from '../../lib/forms.js'
import { siteUrl } from '../../lib/site-url.js'
import { safeReturnPath } from '../../plugins/auth.js'
import { renewCsrfSecret } from '../../plugins/security.js'
import { readNewAccount } from './account.form.js'
import { authenticate, register } from './account.service.js'
import { logIn } from './log-in.js'
import { passwordFormLimit } from './rate-limit.js'
import { normaliseEmail } from './user.repository.js'

export default async function accountRoutes(app: FastifyInstance) {
  const authLimit = passwordFormLimit(app.config.rateLimits)

  app.get('/login', { config: { access: 'guest' } }, async (request, reply) => {
    const query = request.query as { next?: unknown }
    return reply.render('accounts/login.eta', {
      title: request.t('accounts.login.title'),
      values: { email: '', next: safeReturnPath(query.next) },
      errors: {},
    })
  })

  app.post('/login', { config: { access: 'guest', rateLimit: authLimit } }, async (request, reply) => {
    const form = new FormReader(request.body, request.t)
    const email = normaliseEmail(form.text('email'))
    const password = form.text('password', { raw: true })
    const next = safeReturnPath(form.text('next'))
    const values = { email, next }
    if (!email) form.fail('email', request.t('accounts.login.emailMissing'))
    if (!password) form.fail('password', request.t('accounts.login.passwordMissing'))
    if (!form.ok) return reply.render('accounts/login.eta', { title: request.t('accounts.login.title'), values, errors: form.errors }, 422)

    const user = await authenticate(app.db, { email, password, ip: request.ip }, app.config.rateLimits.authPer15Minutes)
    if (!user) {
      // At the password, which comes back empty: typing it again is the way on. The same words whichever of the two was wrong.
      const errors = { password: request.t('accounts.login.noMatch') }
      return reply.render('accounts/login.eta', { title: request.t('accounts.login.title'), values, errors }, 401)
    }

    await logIn(request, reply, user.id)
    return reply.redirect(next, 303)
  })

  // A URL of the system this replaces, kept for bookmarks: a failed login now re-renders the form.
  app.get('/auth-fail', { config: { access: 'anyone' } }, async (_request, reply) => reply.redirect('/login', 303))

  app.get('/register', { config: { access: 'guest' } }, async (request, reply) => {
    const { signupPolicy } = await request.siteSettings()
    return reply.render('accounts/register.eta', {
      title: request.t('accounts.register.title'),
      signupPolicy,
      values: { name: '', email: '', organiser: false },
      errors: {},
    })
  })

  app.post('/register', { config: { access: 'guest', rateLimit: authLimit } }, async (request, reply) => {
    const { signupPolicy } = await request.siteSettings()
    const form = new FormReader(request.body, request.t)
    const { name, email, password } = readNewAccount(form)
    const values = { name, email, organiser: signupPolicy !== 'closed' && form.checkbox('organiser') }

    const rerender = (status: number) =>
      reply.render(
        'accounts/register.eta',
        { title: request.t('accounts.register.title'), signupPolicy, values, errors: form.errors },
        status,
      )
    if (!form.ok) return rerender(422)

    const user = await register(app.db, { name, email, password, organiser: values.organiser }, signupPolicy, {
      ip: request.ip,
      siteUrl: siteUrl(request),
    })
    if (!user) {
      form.fail('email', request.t('accounts.register.emailTaken'))
      return rerender(422)
    }
    if (user.organiserRequestedAt !== null) app.afterCommit({ mailQueued: true })

    await logIn(request, reply, user.id)
    reply.flash('success', registeredMessage(user.role, user.organiserRequestedAt !== null))
    return reply.redirect(user.role === 'organiser' ? '/organiser' : '/', 303)
  })

  app.post('/logout', { config: { access: 'user' } }, async (request, reply: FastifyReply) => {
    await request.session.destroy()
    renewCsrfSecret(request, reply)
    return reply.redirect('/', 303)
  })
}

function registeredMessage(role: string, organiserRequested: boolean): MessageKey {
  if (role === 'organiser') return 'flash.accounts.welcomeOrganiser'
  if (organiserRequested) return 'flash.accounts.welcomeRequested'
  return 'flash.accounts.welcome'
}
