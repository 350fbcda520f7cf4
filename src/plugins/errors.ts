import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { MessageKey } from '../i18n/catalogue.js'
import type { Translate } from '../i18n/translate.js'
import { DatabaseUnavailable, DomainError, NotFound, TooManyRequests, errorWords } from '../lib/errors.js'

interface ErrorPage {
  statusCode: number
  title: string
  message: string
}

/**
 * The one place errors become responses: an HTML page with a status, a title
 * and a plain sentence, in the request's language. 5xx pages show the request
 * id and never internals.
 */
export default fp(
  async (app) => {
    app.setNotFoundHandler(async (request, reply) => renderError(request, reply, toPage(request.t, new NotFound())))

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const page = toPage(request.t, error)
      if (page.statusCode >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.info({ code: error.code, statusCode: page.statusCode }, error.message)
      if (error instanceof TooManyRequests || error instanceof DatabaseUnavailable)
        reply.header('retry-after', Math.ceil(error.retryAfterSeconds))
      return renderError(request, reply, page)
    })
  },
  { name: 'errors', dependencies: ['views', 'i18n'] },
)

/** The words of the errors the framework raises: a heading and a sentence each. */
const FRAMEWORK_ERRORS: Record<string, { statusCode: number; title: MessageKey; message: MessageKey }> = {
  FST_CSRF_MISSING_SECRET: { statusCode: 403, title: 'errors.formExpired.title', message: 'errors.formExpired.message' },
  FST_CSRF_INVALID_TOKEN: { statusCode: 403, title: 'errors.formExpired.title', message: 'errors.formExpired.message' },
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, title: 'errors.tooLarge.title', message: 'errors.tooLarge.message' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 415,
    title: 'errors.unsupportedMediaType.title',
    message: 'errors.unsupportedMediaType.message',
  },
}

function toPage(t: Translate, error: FastifyError | DomainError): ErrorPage {
  if (error instanceof DomainError) return { statusCode: error.statusCode, ...errorWords(t, error) }
  const known = Object.hasOwn(FRAMEWORK_ERRORS, error.code) ? FRAMEWORK_ERRORS[error.code] : undefined
  if (known) return { statusCode: known.statusCode, title: t(known.title), message: t(known.message) }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return { statusCode: status, title: t('errors.badRequest.title'), message: t('errors.badRequest.message') }
  }
  return { statusCode: 500, title: t('errors.internal.title'), message: t('errors.internal.message') }
}

async function renderError(request: FastifyRequest, reply: FastifyReply, page: ErrorPage) {
  try {
    return await reply.render('errors/error.eta', { title: page.title, error: page, requestId: request.id }, page.statusCode)
  } catch (renderFailure) {
    // The page itself could not be drawn (say, the database is down): answer in plain text.
    request.log.error({ err: renderFailure }, 'error page failed to render')
    const detail = page.statusCode >= 500 ? request.t('errors.plainText.requestId', { id: request.id }) : page.message
    return reply
      .code(page.statusCode)
      .type('text/plain; charset=utf-8')
      .send(request.t('errors.plainText.page', { title: page.title, detail }))
  }
}
