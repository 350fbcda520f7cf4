import type { FastifyInstance, FastifyReply } from 'fastify'
import { isUniqueViolation } from '../../db/database.js'
import { FormReader } from '../../lib/forms.js'
import { safeReturnPath } from '../../plugins/auth.js'
import { recordAudit } from '../audit/audit.repository.js'
import { readNewAccount } from './account.form.js'
import { logIn } from './log-in.js'
import { claimLoginAttempt, settleLoginAttempt } from './login-throttle.js'
import { passwordFormLimit } from './rate-limit.js'
import { PASSWORD_MAX, hashPassword, verifyAgainstDecoy, verifyPassword } from './passwords.js'
import { findUserByEmail, insertUser, normaliseEmail } from './user.repository.js'

export default async function accountRoutes(app: FastifyInstance) {
  const authLimit = passwordFormLimit(app.config.rateLimits)

  app.get('/login', { config: { access: 'guest' } }, async (request, reply) => {
    const query = request.query as { next?: unknown }
    return reply.render('accounts/login.eta', { title: 'Log in', values: { email: '', next: safeReturnPath(query.next) }, errors: {} })
  })

  app.post('/login', { config: { access: 'guest', rateLimit: authLimit } }, async (request, reply) => {
    const form = new FormReader(request.body)
    const email = normaliseEmail(form.text('email'))
    const password = form.text('password', { raw: true })
    const next = safeReturnPath(form.text('next'))
    const values = { email, next }
    if (!email) form.fail('email', 'Enter your email address.')
    if (!password) form.fail('password', 'Enter your password.')
    if (!form.ok) return reply.render('accounts/login.eta', { title: 'Log in', values, errors: form.errors }, 422)

    const attemptId = await claimLoginAttempt(app.db, email, request.ip, app.config.rateLimits.authPer15Minutes)
    const user = password.length <= PASSWORD_MAX ? await findUserByEmail(app.db, email) : undefined
    const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDecoy(password)
    if (!user || !valid || user.status !== 'active') {
      await settleLoginAttempt(app.db, attemptId, { succeeded: false, userId: user?.id ?? null })
      return reply.render(
        'accounts/login.eta',
        { title: 'Log in', values, errors: {}, failed: 'That email and password do not match an active account.' },
        401,
      )
    }

    await logIn(request, user.id)
    await settleLoginAttempt(app.db, attemptId, { succeeded: true, userId: user.id })
    return reply.redirect(next, 303)
  })

  app.get('/auth-fail', { config: { access: 'anyone' } }, async (_request, reply) => {
    return reply.render('accounts/auth-fail.eta', { title: 'Login failed' }, 401)
  })

  app.get('/register', { config: { access: 'guest' } }, async (request, reply) => {
    const { signupPolicy } = await request.siteSettings()
    return reply.render('accounts/register.eta', {
      title: 'Create an account',
      signupPolicy,
      values: { name: '', email: '', organiser: false },
      errors: {},
    })
  })

  app.post('/register', { config: { access: 'guest', rateLimit: authLimit } }, async (request, reply) => {
    const { signupPolicy } = await request.siteSettings()
    const form = new FormReader(request.body)
    const { name, email, password } = readNewAccount(form)
    const values = { name, email, organiser: signupPolicy !== 'closed' && form.checkbox('organiser') }

    const rerender = (status: number) =>
      reply.render('accounts/register.eta', { title: 'Create an account', signupPolicy, values, errors: form.errors }, status)
    if (!form.ok) return rerender(422)

    // Hashed first: argon2 takes a while, and the transaction should not wait for it.
    const passwordHash = await hashPassword(password)
    let user
    try {
      user = await app.db.transaction().execute(async (trx) => {
        const created = await insertUser(trx, {
          name: values.name,
          email: values.email,
          passwordHash,
          role: values.organiser && signupPolicy === 'open' ? 'organiser' : 'attendee',
          organiserRequested: values.organiser && signupPolicy === 'approval',
        })
        await recordAudit(trx, {
          actorId: created.id,
          actorLabel: created.email,
          action: 'account.registered',
          subjectType: 'user',
          subjectId: created.id,
          details: { role: created.role, organiserRequested: created.organiserRequestedAt !== null },
          ip: request.ip,
        })
        return created
      })
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      // Recorded for the admins; it guesses no password, so it never counts against the account.
      await recordAudit(app.db, { actorId: null, actorLabel: values.email, action: 'register.failed', details: { reason: 'email taken' }, ip: request.ip })
      form.fail('email', 'An account with this email already exists. Log in instead.')
      return rerender(422)
    }

    await logIn(request, user.id)
    reply.flash('success', registeredMessage(user.role, user.organiserRequestedAt !== null))
    return reply.redirect(user.role === 'organiser' ? '/organiser' : '/', 303)
  })

  app.post('/logout', { config: { access: 'user' } }, async (request, reply: FastifyReply) => {
    await request.session.destroy()
    return reply.redirect('/', 303)
  })
}

function registeredMessage(role: string, organiserRequested: boolean): string {
  if (role === 'organiser') return 'Welcome! Your organiser account is ready: create your first event.'
  if (organiserRequested) return 'Welcome! An admin will review your request to organise events.'
  return 'Welcome! Your account is ready.'
}
