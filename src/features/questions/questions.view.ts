import type { HolderNames, QuestionKind, TicketTypeRow } from '../../db/schema.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { type Question, HOLDER_NAMES, QUESTION_KINDS } from './question.model.js'
import type { BuyerEditsValues, QuestionFormValues } from './question.form.js'
import type { Event } from '../events/event.model.js'

export const KIND_LABELS: Record<QuestionKind, MessageKey> = {
  'short-text': 'questions.kind.short-text',
  'long-text': 'questions.kind.long-text',
  'one-choice': 'questions.kind.one-choice',
  'several-choices': 'questions.kind.several-choices',
  'yes-no': 'questions.kind.yes-no',
  number: 'questions.kind.number',
  date: 'questions.kind.date',
}

const HOLDER_NAME_LABELS: Record<HolderNames, MessageKey> = {
  off: 'questions.names.off',
  optional: 'questions.names.optional',
  required: 'questions.names.required',
}

/** The organiser's list of an event's questions, as its page shows them. */
export function toQuestionList(
  questions: Question[],
  types: Pick<TicketTypeRow, 'id' | 'name'>[],
  answers: Map<number, number>,
  t: Translate,
) {
  return questions.map((question, i) => ({
    id: question.id,
    label: question.label,
    kind: t(KIND_LABELS[question.kind]),
    required: t(question.required ? 'questions.list.required' : 'questions.list.optional'),
    asked: t(question.perTicket ? 'questions.list.perTicket' : 'questions.list.perOrder'),
    types:
      question.ticketTypeIds === null
        ? t('questions.list.allTypes')
        : t('questions.list.someTypes', {
            types: types
              .filter((type) => question.ticketTypeIds!.includes(type.id))
              .map((type) => type.name)
              .join(', '),
          }),
    options: question.options.filter((option) => !option.removed).map((option) => option.label),
    answers: answers.get(question.id) ?? 0,
    first: i === 0,
    last: i === questions.length - 1,
  }))
}

export function holderNameChoices(current: string, t: Translate) {
  return HOLDER_NAMES.map((value) => ({ value, label: t(HOLDER_NAME_LABELS[value]), checked: value === current }))
}

/** The question form's choices: kinds, and the event's ticket types with those ticked. */
export function questionFormView(values: QuestionFormValues, types: Pick<TicketTypeRow, 'id' | 'name'>[], t: Translate) {
  return {
    kinds: QUESTION_KINDS.map((kind) => ({ value: kind, label: t(KIND_LABELS[kind]) })),
    types: types.map((type) => ({ id: type.id, name: type.name, checked: values.types.includes(String(type.id)) })),
  }
}

/** The form of buyers' changes: the setting, the cut-off, and a box for the names (while asked) and for each question. */
export function buyerEditsView(values: BuyerEditsValues, event: Pick<Event, 'holderNames'>, questions: Question[]) {
  return {
    on: values.on,
    hours: values.hours,
    names: event.holderNames === 'off' ? null : { checked: values.names },
    questions: questions.map((question) => ({
      id: question.id,
      label: question.label,
      checked: values.editable.includes(String(question.id)),
    })),
  }
}
