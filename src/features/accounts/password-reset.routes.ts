import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { say } from '../../i18n/translate.js'
import { FormReader, isEmail } from '../../lib/forms.js'
import { siteUrl } from '../../lib/site-url.js'
import { normaliseEmail } from './user.repository.js'
import { hashPassword, passwordProblem } from './passwords.js'
import { RESET_VALID_MS, requestPasswordReset, resetPassword, resetTokenIsUsable } from './password-reset.js'
import { passwordFormLimit } from './rate-limit.js'

/**
 * "Forgot password?": a link by e-mail that sets a new password once, within
 * an hour. Both forms share the login's limit per IP address, and one
 * account is sent at most RESETS_PER_ACCOUNT_PER_HOUR links an hour.
 */
export default async function passwordResetRoutes(app: FastifyInstance) {
  const limit = passwordFormLimit(app.config.rateLimits)

  app.get('/forgot-password', { config: { access: 'guest' } }, async (request, reply) => {
    const email = new FormReader(request.query, request.t).text('email')
    return reply.render('accounts/forgot-password.eta', {
      title: request.t('accounts.forgotPassword.title'),
      values: { email },
      errors: {},
    })
  })

  app.post('/forgot-password', { config: { access: 'guest', rateLimit: limit } }, async (request, reply) => {
    const form = new FormReader(request.body, request.t)
    const email = normaliseEmail(form.text('email'))
    if (!isEmail(email)) form.fail('email', request.t('accounts.forgotPassword.emailInvalid'))
    if (!form.ok) {
      return reply.render(
        'accounts/forgot-password.eta',
        { title: request.t('accounts.forgotPassword.title'), values: { email }, errors: form.errors },
        422,
      )
    }
    const { timeZone } = await request.siteSettings()
    await requestPasswordReset(app.db, { email, siteUrl: siteUrl(request), timeZone, ip: request.ip })
    app.afterCommit({ mailQueued: true })
    // The same page whether or not the address has an account.
    return reply.render('accounts/forgot-password-sent.eta', {
      title: request.t('accounts.forgotPasswordSent.title'),
      email,
      validMinutes: RESET_VALID_MS / 60_000,
    })
  })

  app.get('/reset-password', { config: { access: 'anyone' } }, async (request, reply) => {
    const token = new FormReader(request.query, request.t).text('token')
    noStore(reply)
    if (!(await resetTokenIsUsable(app.db, token))) return linkNoLongerWorks(request, reply)
    return reply.render('accounts/reset-password.eta', { title: request.t('accounts.resetPassword.title'), token, errors: {} })
  })

  app.post('/reset-password', { config: { access: 'anyone', rateLimit: limit } }, async (request, reply) => {
    const form = new FormReader(request.body, request.t)
    const token = form.text('token')
    const password = form.text('password', { raw: true })
    const confirmation = form.text('confirmation', { raw: true })
    noStore(reply)
    if (!(await resetTokenIsUsable(app.db, token))) return linkNoLongerWorks(request, reply)
    const problem = passwordProblem(password)
    if (problem) form.fail('password', say(request.t, problem))
    else if (confirmation !== password) form.fail('confirmation', request.t('accounts.resetPassword.differ'))
    if (!form.ok)
      return reply.render(
        'accounts/reset-password.eta',
        { title: request.t('accounts.resetPassword.title'), token, errors: form.errors },
        422,
      )

    // The slow hash before the transaction; the transaction decides whether the token still works.
    if (!(await resetPassword(app.db, token, await hashPassword(password), request.ip))) return linkNoLongerWorks(request, reply)
    reply.flash('success', 'flash.accounts.passwordChanged')
    return reply.redirect('/login', 303)
  })
}

function linkNoLongerWorks(request: FastifyRequest, reply: FastifyReply) {
  return reply.render('accounts/reset-link-invalid.eta', { title: request.t('accounts.resetLinkInvalid.title') }, 410)
}

/** The token is in the address: keep the page out of every cache. */
function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store')
}
