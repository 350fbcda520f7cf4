import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DatabaseUnavailable, DomainError, NotFound, TooManyRequests } from '../lib/errors.js'

interface ErrorPage {
  statusCode: number
  title: string
  message: string
}

/**
 * The one place errors become responses: an HTML page with a status, a title
 * and a plain sentence. 5xx pages show the request id and never internals.
 */
export default fp(
  async (app) => {
    app.setNotFoundHandler(async (request, reply) => renderError(request, reply, toPage(new NotFound())))

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const page = toPage(error)
      if (page.statusCode >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.info({ code: error.code, statusCode: page.statusCode }, error.message)
      if (error instanceof TooManyRequests || error instanceof DatabaseUnavailable)
        reply.header('retry-after', Math.ceil(error.retryAfterSeconds))
      return renderError(request, reply, page)
    })
  },
  { name: 'errors', dependencies: ['views'] },
)

function toPage(error: FastifyError | DomainError): ErrorPage {
  if (error instanceof DomainError) return { statusCode: error.statusCode, title: error.title, message: error.message }
  switch (error.code) {
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return {
        statusCode: 403,
        title: 'This form has expired',
        message: 'For your safety the form could not be accepted. Go back, reload the page, and send it again.',
      }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { statusCode: 413, title: 'Too much data', message: 'The form sent more than this site accepts.' }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { statusCode: 415, title: 'Unsupported form', message: 'This kind of request is not accepted here.' }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return { statusCode: status, title: 'That request was not understood', message: 'Please go back and try again.' }
  }
  return {
    statusCode: 500,
    title: 'Something went wrong on our side',
    message: 'The problem has been logged. Please try again in a moment.',
  }
}

async function renderError(request: FastifyRequest, reply: FastifyReply, page: ErrorPage) {
  try {
    return await reply.render('errors/error.eta', { title: page.title, error: page, requestId: request.id }, page.statusCode)
  } catch (renderFailure) {
    // The page itself could not be drawn (say, the database is down): answer in plain text.
    request.log.error({ err: renderFailure }, 'error page failed to render')
    return reply
      .code(page.statusCode)
      .type('text/plain; charset=utf-8')
      .send(`${page.title}. ${page.statusCode >= 500 ? `Request id: ${request.id}` : page.message}`)
  }
}
