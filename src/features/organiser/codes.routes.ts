import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import type { Db } from '../../db/database.js'
import type { Translate } from '../../i18n/translate.js'
import { type CsvCell, csvChunks } from '../../lib/csv.js'
import { NotFound, idParam } from '../../lib/errors.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { pageNumber, pager } from '../../lib/paging.js'
import { siteUrl } from '../../lib/site-url.js'
import { eventOf } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import type { Event } from '../events/event.model.js'
import { refuseIfCancelled } from './event.service.js'
import { ticketTypesByEvent } from '../events/event.repository.js'
import type { Code } from '../codes/code.model.js'
import {
  type CodeFormValues,
  type GenerateFormValues,
  blankCodeForm,
  blankGenerateForm,
  codeFormOf,
  parseCodeForm,
  parseGenerateForm,
} from '../codes/code.form.js'
import { codesOfEvent, findCode } from '../codes/codes.repository.js'
import {
  type CodeChangeRefusal,
  NO_SUCH_CODE,
  createCode,
  generateCodes,
  isRefusal,
  switchCode,
  updateCode,
} from '../codes/codes.service.js'
import { type CodeContext, codeFormView, codeLink, codesCsvHeader, toCodeListItem, toCodesCsvRow } from '../codes/codes.view.js'
import { takenOffByCode } from '../purchase/order.repository.js'

const CODES_PER_PAGE = 50
/** Codes per read of the export. */
const CSV_BATCH = 500

/**
 * The organiser's pages of an event's discount and access codes: the list
 * (with each code's uses and the money it took off), one code typed, many
 * generated with a prefix, an edit, the switch, and the export as CSV. Every
 * route is the event owner's. The codes themselves live in src/features/codes;
 * these pages are the organiser's because they read the orders' money.
 */
export default async function codesRoutes(app: FastifyInstance) {
  const owner = { config: { access: 'event-owner' as const } }
  const page = (event: Pick<Event, 'id'>) => `/events/${event.id}/codes`
  const typesOf = async (event: Event) => (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []

  async function contextOf(request: FastifyRequest, event: Event, codes: Code[]): Promise<CodeContext> {
    const { currency } = await request.siteSettings()
    return {
      types: await typesOf(event),
      currency,
      timeZone: event.timeZone,
      takenOff: await takenOffByCode(
        app.db,
        codes.map((code) => code.id),
      ),
      buyUrl: `${siteUrl(request)}/buy-tickets/${event.id}`,
      now: Date.now(),
      t: request.t,
    }
  }

  app.get('/events/:id/codes', owner, async (request, reply) => {
    const event = eventOf(request)
    const query = new FormReader(request.query)
    const q = query.text('q').slice(0, 40)
    const number = pageNumber(query.text('page'))
    const found = await codesOfEvent(app.db, event.id, { text: q, limit: CODES_PER_PAGE + 1, offset: (number - 1) * CODES_PER_PAGE })
    const codes = found.slice(0, CODES_PER_PAGE)
    const context = await contextOf(request, event, codes)
    return reply.render('codes/codes.eta', {
      title: request.t('codes.page.title', { title: event.title }),
      event: { id: event.id, title: event.title, cancelled: event.status === 'cancelled' },
      q,
      codes: codes.map((code) => toCodeListItem(code, context)),
      csv: `${page(event)}.csv${q ? `?q=${encodeURIComponent(q)}` : ''}`,
      pager: pager(page(event), { q }, number, found.length > CODES_PER_PAGE),
    })
  })

  app.get('/events/:id/codes.csv', owner, async (request, reply) => {
    const event = eventOf(request)
    const q = new FormReader(request.query).text('q').slice(0, 40)
    const { currency } = await request.siteSettings()
    const base = { ...(await contextOf(request, event, [])), currency }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="codes-event-${event.id}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csvChunks(codeRows(app.db, event, q, base, request.t))))
  })

  interface CodeForm {
    values: CodeFormValues
    errors: FieldErrors
    /** The code being edited. */
    editing?: Code
  }

  async function renderForm(request: FastifyRequest, reply: FastifyReply, event: Event, form: CodeForm, status?: number) {
    const { t } = request
    const { currency } = await request.siteSettings()
    const { editing } = form
    return reply.render(
      'codes/code.eta',
      {
        title: t(editing ? 'codes.form.editTitle' : 'codes.form.newTitle', { title: event.title }),
        event: { id: event.id, title: event.title, timeZone: event.timeZone },
        action: editing ? `${page(event)}/${editing.id}/edit` : `${page(event)}/new`,
        editing: editing ? { used: editing.used, link: codeLink(`${siteUrl(request)}/buy-tickets/${event.id}`, editing) } : null,
        currency,
        values: form.values,
        errors: form.errors,
        ...codeFormView(form.values, await typesOf(event), t),
      },
      status,
    )
  }

  async function renderGenerate(
    request: FastifyRequest,
    reply: FastifyReply,
    event: Event,
    values: GenerateFormValues,
    errors: FieldErrors,
    status?: number,
  ) {
    const { t } = request
    const { currency } = await request.siteSettings()
    return reply.render(
      'codes/generate.eta',
      {
        title: t('codes.generate.title', { title: event.title }),
        event: { id: event.id, title: event.title, timeZone: event.timeZone },
        currency,
        values,
        errors,
        ...codeFormView(values, await typesOf(event), t),
      },
      status,
    )
  }

  /** The code the URL names, of this event. */
  async function codeOf(request: FastifyRequest): Promise<Code> {
    const code = await findCode(app.db, eventOf(request).id, idParam(request.params, 'codeId'))
    if (!code) throw new NotFound(NO_SUCH_CODE)
    return code
  }

  async function parseContext(request: FastifyRequest, event: Event) {
    return { types: await typesOf(event), currency: (await request.siteSettings()).currency, timeZone: event.timeZone, t: request.t }
  }

  app.get('/events/:id/codes/new', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    return renderForm(request, reply, event, { values: blankCodeForm(), errors: {} })
  })

  app.post('/events/:id/codes/new', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    const { values, errors, input } = parseCodeForm(request.body, await parseContext(request, event))
    if (!input) return renderForm(request, reply, event, { values, errors }, 422)
    const made = await createCode(app.db, actorOf(request), event.id, input)
    if (isRefusal(made)) return renderForm(request, reply, event, { values, errors: refusalErrors(made, request.t) }, 422)
    app.afterCommit({ eventChanged: event.id })
    reply.flash('success', 'flash.codes.created', { code: made.code })
    return reply.redirect(page(event), 303)
  })

  app.get('/events/:id/codes/generate', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    return renderGenerate(request, reply, event, blankGenerateForm(), {})
  })

  app.post('/events/:id/codes/generate', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    const { values, errors, input } = parseGenerateForm(request.body, await parseContext(request, event))
    if (!input) return renderGenerate(request, reply, event, values, errors, 422)
    const made = await generateCodes(app.db, actorOf(request), event.id, input)
    if (isRefusal(made)) return renderGenerate(request, reply, event, values, refusalErrors(made, request.t), 422)
    app.afterCommit({ eventChanged: event.id })
    reply.flash('success', 'flash.codes.generated', { count: made.length, prefix: input.prefix })
    // The list shows the new ones, found by their prefix, with the export of them.
    return reply.redirect(input.prefix ? `${page(event)}?q=${encodeURIComponent(input.prefix)}` : page(event), 303)
  })

  app.get('/events/:id/codes/:codeId/edit', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    const code = await codeOf(request)
    const { currency } = await request.siteSettings()
    return renderForm(request, reply, event, { values: codeFormOf(code, currency, event.timeZone), errors: {}, editing: code })
  })

  app.post('/events/:id/codes/:codeId/edit', owner, async (request, reply) => {
    const event = eventOf(request)
    refuseIfCancelled(event)
    const code = await codeOf(request)
    const { values, errors, input } = parseCodeForm(request.body, await parseContext(request, event))
    if (!input) return renderForm(request, reply, event, { values, errors, editing: code }, 422)
    const saved = await updateCode(app.db, actorOf(request), event.id, code.id, input)
    if (isRefusal(saved)) return renderForm(request, reply, event, { values, errors: refusalErrors(saved, request.t), editing: code }, 422)
    app.afterCommit({ eventChanged: event.id })
    reply.flash('success', 'flash.codes.saved', { code: saved.code })
    return reply.redirect(page(event), 303)
  })

  app.post('/events/:id/codes/:codeId/switch', owner, async (request, reply) => {
    const event = eventOf(request)
    const on = new FormReader(request.body).text('on') === '1'
    const code = await codeOf(request)
    const switched = await switchCode(app.db, actorOf(request), event.id, code.id, on)
    if (isRefusal(switched)) {
      const said = refusalErrors(switched, request.t)
      reply.flash('error', 'flash.codes.notSwitched', { code: code.code, why: Object.values(said)[0] ?? '' })
    } else if (switched) {
      app.afterCommit({ eventChanged: event.id })
      reply.flash('success', on ? 'flash.codes.switchedOn' : 'flash.codes.switchedOff', { code: code.code })
    }
    return reply.redirect(`${page(event)}#code-${code.id}`, 303)
  })
}

/** Why a change of codes was refused, at its field. */
function refusalErrors(refusal: CodeChangeRefusal, t: Translate): FieldErrors {
  switch (refusal.code) {
    case 'code-taken':
      return { code: t('codes.form.error.codeTaken', { taken: refusal.taken }) }
    case 'no-room':
      return { maxUses: t('codes.form.error.noRoom', { free: refusal.free }) }
    case 'no-room-for-codes':
      return { count: t('codes.form.error.noRoomForCodes', { free: refusal.free }) }
    case 'below-used':
      return { maxUses: t('codes.form.error.belowUsed', { used: refusal.used }) }
    case 'counted-locked':
      return { countedPer: t('codes.form.error.countedLocked') }
    case 'event-cancelled':
      return { event: t('codes.form.error.eventCancelled') }
  }
}

/** The export's rows, the header first, a batch of codes at a time. */
async function* codeRows(db: Db, event: Event, q: string, base: CodeContext, t: Translate): AsyncGenerator<CsvCell[][]> {
  yield [codesCsvHeader(t, event.timeZone)]
  for (let offset = 0; ; offset += CSV_BATCH) {
    const codes = await codesOfEvent(db, event.id, { text: q, limit: CSV_BATCH, offset })
    if (codes.length === 0) return
    const context = {
      ...base,
      takenOff: await takenOffByCode(
        db,
        codes.map((code) => code.id),
      ),
    }
    yield codes.map((code) => toCodesCsvRow(code, context))
  }
}
