import type { QuestionKind } from '../../db/schema.js'
import type { FieldErrors } from '../../lib/forms.js'
import type { Translate } from '../../i18n/translate.js'
import { type Asked, type DetailValues, orderField, ticketField } from './answers.js'
import { MAX_HOLDER_NAME, MAX_LONG_TEXT, MAX_SHORT_TEXT, type Question, offeredOptions } from './question.model.js'

/** One field of the buy form's "Who is coming" step, as its template draws it. */
export interface AnswerFieldView {
  name: string
  /** A ticket holder's name, or what the question asks for. */
  kind: QuestionKind | 'holder-name'
  label: string
  help: string
  required: boolean
  /** As typed (one value), or the choices ticked (several). */
  value: string
  chosen: string[]
  options: { value: string; label: string }[]
  maxLength: number | null
  error: string | null
}

export interface DetailsView {
  order: AnswerFieldView[]
  tickets: { heading: string; fields: AnswerFieldView[] }[]
}

/** The fields of what is asked, filled with what was typed, each with its message. */
export function toDetailsView(asked: Asked, values: DetailValues, errors: FieldErrors, t: Translate): DetailsView {
  const one = (name: string) => {
    const value = values[name]
    return typeof value === 'string' ? value : ''
  }
  const questionField = (question: Question, name: string): AnswerFieldView => {
    const value = values[name]
    return {
      name,
      kind: question.kind,
      label: question.required ? question.label : `${question.label} ${t('questions.details.optional')}`,
      help: question.help,
      required: question.required,
      value: one(name),
      chosen: Array.isArray(value) ? value : typeof value === 'string' ? [value] : [],
      options:
        question.kind === 'yes-no'
          ? [
              { value: 'yes', label: t('questions.answer.yes') },
              { value: 'no', label: t('questions.answer.no') },
            ]
          : offeredOptions(question).map((option) => ({ value: String(option.id), label: option.label })),
      maxLength: question.kind === 'short-text' ? MAX_SHORT_TEXT : question.kind === 'long-text' ? MAX_LONG_TEXT : null,
      error: errors[name] ?? null,
    }
  }
  return {
    order: asked.order.map((question) => questionField(question, orderField(question))),
    tickets: asked.tickets.map(({ slot, questions }, i) => {
      const name = ticketField(slot, 'name')
      const holder: AnswerFieldView[] =
        asked.holderNames === 'off'
          ? []
          : [
              {
                name,
                kind: 'holder-name',
                label: t(asked.holderNames === 'required' ? 'questions.details.holder' : 'questions.details.holderOptional'),
                help: '',
                required: asked.holderNames === 'required',
                value: one(name),
                chosen: [],
                options: [],
                maxLength: MAX_HOLDER_NAME,
                error: errors[name] ?? null,
              },
            ]
      return {
        heading: t('questions.details.ticket', { number: i + 1, type: slot.typeName }),
        fields: [...holder, ...questions.map((question) => questionField(question, ticketField(slot, question)))],
      }
    }),
  }
}
