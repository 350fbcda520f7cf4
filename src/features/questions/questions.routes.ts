import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NotFound, idParam } from '../../lib/errors.js'
import type { FieldErrors } from '../../lib/forms.js'
import { FormReader } from '../../lib/forms.js'
import { eventOf } from '../../plugins/auth.js'
import { actorOf } from '../audit/actor.js'
import type { Event } from '../events/event.model.js'
import { ticketTypesByEvent } from '../events/event.repository.js'
import {
  type BuyerEditsValues,
  type QuestionFormValues,
  blankQuestionForm,
  buyerEditsFormOf,
  parseBuyerEdits,
  parseHolderNames,
  parseQuestionForm,
  questionFormOf,
} from './question.form.js'
import type { Question } from './question.model.js'
import { answerCounts, findQuestion, questionsOf } from './questions.repository.js'
import {
  NO_SUCH_QUESTION,
  addQuestion,
  moveQuestion,
  removeQuestion,
  setBuyerEdits,
  setHolderNames,
  updateQuestion,
} from './questions.service.js'
import { KIND_LABELS, buyerEditsView, holderNameChoices, questionFormView, toQuestionList } from './questions.view.js'

/**
 * The organiser's page of what an event asks its buyers: a name on each
 * ticket (off, optional, required) and the questions, added, edited, moved up
 * or down and removed through plain forms; and whether buyers may change
 * their names and answers later, until when, and which. Every route is the
 * event owner's.
 */
export default async function questionsRoutes(app: FastifyInstance) {
  const owner = { config: { access: 'event-owner' as const } }
  const page = (event: Pick<Event, 'id'>) => `/events/${event.id}/questions`

  const typesOf = async (event: Event) => (await ticketTypesByEvent(app.db, [event.id])).get(event.id) ?? []

  /** A form of the page that came back with mistakes: the holder-name setting or the buyers' changes, as typed. */
  interface ListForm {
    names?: string
    buyerEdits?: BuyerEditsValues
    errors: FieldErrors
  }

  async function renderList(reply: FastifyReply, event: Event, failed?: ListForm) {
    const { t } = reply.request
    const questions = await questionsOf(app.db, event.id)
    const answers = await answerCounts(
      app.db,
      questions.map((question) => question.id),
    )
    return reply.render(
      'questions/questions.eta',
      {
        title: t('questions.page.title', { title: event.title }),
        event: { id: event.id, title: event.title },
        holderNames: holderNameChoices(failed?.names ?? event.holderNames, t),
        errors: failed?.errors ?? {},
        questions: toQuestionList(questions, await typesOf(event), answers, t),
        buyerEdits: buyerEditsView(failed?.buyerEdits ?? buyerEditsFormOf(event, questions), event, questions),
      },
      failed ? 422 : 200,
    )
  }

  interface QuestionForm {
    values: QuestionFormValues
    errors: FieldErrors
    /** The question being edited, with whether it has answers (and so keeps its kind). */
    editing?: { question: Question; answered: boolean }
  }

  async function renderForm(reply: FastifyReply, event: Event, form: QuestionForm, status?: number) {
    const { t } = reply.request
    const editing = form.editing
    return reply.render(
      'questions/question.eta',
      {
        title: t(editing ? 'questions.form.editTitle' : 'questions.form.newTitle', { title: event.title }),
        event: { id: event.id, title: event.title },
        action: editing ? `${page(event)}/${editing.question.id}/edit` : `${page(event)}/new`,
        editing: editing !== undefined,
        kindLocked: editing?.answered ? { value: editing.question.kind, label: t(KIND_LABELS[editing.question.kind]) } : null,
        values: form.values,
        errors: form.errors,
        ...questionFormView(form.values, await typesOf(event), t),
      },
      status,
    )
  }

  /** The question the URL names, of this event and not removed, with whether it has answers. */
  async function questionOf(request: FastifyRequest) {
    const question = await findQuestion(app.db, eventOf(request).id, idParam(request.params, 'questionId'))
    if (!question || question.removed) throw new NotFound(NO_SUCH_QUESTION)
    const answers = (await answerCounts(app.db, [question.id])).get(question.id) ?? 0
    return { question, answers }
  }

  app.get('/events/:id/questions', owner, async (request, reply) => renderList(reply, eventOf(request)))

  app.post('/events/:id/questions/names', owner, async (request, reply) => {
    const event = eventOf(request)
    const { value, setting, errors } = parseHolderNames(request.body, request.t)
    if (!setting) return renderList(reply, event, { names: value, errors })
    if (await setHolderNames(app.db, actorOf(request), event.id, setting)) reply.flash('success', 'flash.questions.namesSaved', { setting })
    return reply.redirect(page(event), 303)
  })

  app.post('/events/:id/questions/buyer-edits', owner, async (request, reply) => {
    const event = eventOf(request)
    const questions = await questionsOf(app.db, event.id)
    const { values, errors, input } = parseBuyerEdits(request.body, questions, event.holderNames !== 'off', request.t)
    if (!input) return renderList(reply, event, { buyerEdits: values, errors })
    const changed = await setBuyerEdits(app.db, actorOf(request), event.id, input)
    reply.flash(changed ? 'success' : 'info', changed ? 'flash.questions.buyerEditsSaved' : 'flash.questions.buyerEditsUnchanged')
    return reply.redirect(`${page(event)}#buyer-edits`, 303)
  })

  app.get('/events/:id/questions/new', owner, async (request, reply) =>
    renderForm(reply, eventOf(request), { values: blankQuestionForm(), errors: {} }),
  )

  app.post('/events/:id/questions/new', owner, async (request, reply) => {
    const event = eventOf(request)
    const { values, errors, input } = parseQuestionForm(request.body, await typesOf(event), request.t)
    if (!input) return renderForm(reply, event, { values, errors }, 422)
    await addQuestion(app.db, actorOf(request), event.id, input)
    reply.flash('success', 'flash.questions.added', { label: input.label })
    return reply.redirect(page(event), 303)
  })

  app.get('/events/:id/questions/:questionId/edit', owner, async (request, reply) => {
    const { question, answers } = await questionOf(request)
    return renderForm(reply, eventOf(request), {
      values: questionFormOf(question),
      errors: {},
      editing: { question, answered: answers > 0 },
    })
  })

  app.post('/events/:id/questions/:questionId/edit', owner, async (request, reply) => {
    const event = eventOf(request)
    const { question, answers } = await questionOf(request)
    const editing = { question, answered: answers > 0 }
    const { values, errors, input } = parseQuestionForm(request.body, await typesOf(event), request.t, {
      kind: question.kind,
      answered: editing.answered,
    })
    if (!input) return renderForm(reply, event, { values, errors, editing }, 422)
    const refusal = await updateQuestion(app.db, actorOf(request), event.id, question.id, input)
    // Answered between the form and now: its kind stays.
    if (refusal) return renderForm(reply, event, { values, errors: { kind: request.t('questions.form.kindAnswered') }, editing }, 422)
    reply.flash('success', 'flash.questions.saved', { label: input.label })
    return reply.redirect(page(event), 303)
  })

  app.get('/events/:id/questions/:questionId/remove', owner, async (request, reply) => {
    const event = eventOf(request)
    const { question, answers } = await questionOf(request)
    return reply.render('questions/remove.eta', {
      title: request.t('questions.remove.title', { title: event.title }),
      event: { id: event.id, title: event.title },
      question: { id: question.id, label: question.label, answers },
    })
  })

  app.post('/events/:id/questions/:questionId/remove', owner, async (request, reply) => {
    const event = eventOf(request)
    const removed = await removeQuestion(app.db, actorOf(request), event.id, idParam(request.params, 'questionId'))
    reply.flash(removed ? 'success' : 'info', removed ? 'flash.questions.removed' : 'flash.questions.alreadyRemoved')
    return reply.redirect(page(event), 303)
  })

  app.post('/events/:id/questions/:questionId/move', owner, async (request, reply) => {
    const event = eventOf(request)
    const direction = new FormReader(request.body).text('direction') === 'up' ? 'up' : 'down'
    const moved = await moveQuestion(app.db, actorOf(request), event.id, idParam(request.params, 'questionId'), direction)
    reply.flash(moved ? 'success' : 'info', moved ? 'flash.questions.moved' : 'flash.questions.notMoved')
    return reply.redirect(`${page(event)}#questions`, 303)
  })
}
