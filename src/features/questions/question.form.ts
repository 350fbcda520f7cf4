import type { HolderNames, QuestionKind, TicketTypeRow } from '../../db/schema.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import type { Translate } from '../../i18n/translate.js'
import type { Event } from '../events/event.model.js'
import { HOLDER_NAMES, QUESTION_KINDS, type Question, isChoice } from './question.model.js'
import { MAX_BUYER_EDIT_HOURS } from './order-edits.js'

const MAX_LABEL = 200
const MAX_HELP = 500
const MAX_OPTIONS = 50
const MAX_OPTION = 200

/** The organiser's question form as typed, to show again. */
export interface QuestionFormValues {
  label: string
  help: string
  kind: string
  required: boolean
  /** 'order' or 'ticket'. */
  asked: string
  /** 'all' or 'some' ticket types. */
  scope: string
  /** The ticket types ticked, as ids. */
  types: string[]
  /** One option a line. */
  options: string
}

/** A question as the service writes it: the choices (in order, for a choice question; none otherwise) by their labels. */
export interface QuestionInput extends Pick<Question, 'label' | 'help' | 'kind' | 'required' | 'perTicket' | 'ticketTypeIds'> {
  options: string[]
}

export function blankQuestionForm(): QuestionFormValues {
  return { label: '', help: '', kind: 'short-text', required: false, asked: 'order', scope: 'all', types: [], options: '' }
}

export function questionFormOf(question: Question): QuestionFormValues {
  return {
    label: question.label,
    help: question.help,
    kind: question.kind,
    required: question.required,
    asked: question.perTicket ? 'ticket' : 'order',
    scope: question.ticketTypeIds === null ? 'all' : 'some',
    types: (question.ticketTypeIds ?? []).map(String),
    options: question.options
      .filter((option) => !option.removed)
      .map((option) => option.label)
      .join('\n'),
  }
}

/**
 * Reads the question form against the event's ticket types. `answered`: the
 * question being edited has answers already, and so keeps its kind (its
 * answers are written in it).
 */
export function parseQuestionForm(
  body: unknown,
  types: Pick<TicketTypeRow, 'id'>[],
  t: Translate,
  editing?: { kind: QuestionKind; answered: boolean },
): { values: QuestionFormValues; errors: FieldErrors; input: QuestionInput | null } {
  const form = new FormReader(body, t)
  const values: QuestionFormValues = {
    label: form.text('label'),
    help: form.text('help'),
    kind: form.text('kind'),
    required: form.checkbox('required'),
    asked: form.text('asked'),
    scope: form.text('scope'),
    types: form.list('type'),
    options: form.text('options'),
  }
  if (values.label === '') form.fail('label', t('questions.form.labelMissing'))
  else if (values.label.length > MAX_LABEL) form.fail('label', t('forms.field.tooLong', { max: MAX_LABEL }))
  if (values.help.length > MAX_HELP) form.fail('help', t('forms.field.tooLong', { max: MAX_HELP }))

  const kind = QUESTION_KINDS.find((candidate) => candidate === values.kind)
  if (!kind) form.fail('kind', t('questions.form.kindMissing'))
  else if (editing?.answered && kind !== editing.kind) form.fail('kind', t('questions.form.kindAnswered'))
  if (values.asked !== 'order' && values.asked !== 'ticket') form.fail('asked', t('questions.form.askedMissing'))

  let ticketTypeIds: number[] | null = null
  if (values.scope === 'some') {
    const known = new Set(types.map((type) => String(type.id)))
    if (values.types.length === 0) form.fail('scope', t('questions.form.typesMissing'))
    else if (values.types.some((id) => !known.has(id))) form.fail('scope', t('questions.form.typeUnknown'))
    ticketTypeIds = [...new Set(values.types.map(Number))].sort((a, b) => a - b)
  } else if (values.scope !== 'all') {
    form.fail('scope', t('questions.form.scopeMissing'))
  }

  const options = values.options
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
  if (kind && isChoice(kind)) {
    const folded = options.map((option) => option.toLocaleLowerCase())
    if (options.length === 0) form.fail('options', t('questions.form.optionsMissing'))
    else if (options.length > MAX_OPTIONS) form.fail('options', t('questions.form.tooManyOptions', { max: MAX_OPTIONS }))
    else if (options.some((option) => option.length > MAX_OPTION))
      form.fail('options', t('questions.form.optionTooLong', { max: MAX_OPTION }))
    else if (new Set(folded).size < folded.length) form.fail('options', t('questions.form.optionTwice'))
  }

  if (!form.ok || !kind) return { values, errors: form.errors, input: null }
  return {
    values,
    errors: form.errors,
    input: {
      label: values.label,
      help: values.help,
      kind,
      required: values.required,
      perTicket: values.asked === 'ticket',
      ticketTypeIds,
      options: isChoice(kind) ? options : [],
    },
  }
}

/** The holder-name setting as sent, or null when it is none of them. */
export function parseHolderNames(body: unknown, t: Translate): { value: string; setting: HolderNames | null; errors: FieldErrors } {
  const form = new FormReader(body, t)
  const value = form.text('holderNames')
  const setting = HOLDER_NAMES.find((candidate) => candidate === value) ?? null
  if (!setting) form.fail('holderNames', t('questions.names.choose'))
  return { value, setting, errors: form.errors }
}

/** The settings of buyers' changes as typed, to show again. */
export interface BuyerEditsValues {
  on: boolean
  hours: string
  names: boolean
  /** The questions ticked, as ids. */
  editable: string[]
}

/** The settings of buyers' changes as the service writes them. */
export interface BuyerEditsInput {
  on: boolean
  hours: number
  /** Null: names are not asked, so the form did not show them, and their setting stays. */
  names: boolean | null
  /** Each question the form showed, and whether buyers may change its answer. */
  questions: { id: number; editable: boolean }[]
}

export function buyerEditsFormOf(
  event: Pick<Event, 'buyerEdits' | 'buyerEditHours' | 'buyerEditNames'>,
  questions: Question[],
): BuyerEditsValues {
  return {
    on: event.buyerEdits,
    hours: String(event.buyerEditHours),
    names: event.buyerEditNames,
    editable: questions.filter((question) => question.buyerEditable).map((question) => String(question.id)),
  }
}

/**
 * Reads the settings of buyers' changes. `shown` are the questions the form
 * listed (the field `shown`, one per question): only those change, so that a
 * question added meanwhile keeps its own setting.
 */
export function parseBuyerEdits(
  body: unknown,
  questions: Pick<Question, 'id'>[],
  namesAsked: boolean,
  t: Translate,
): { values: BuyerEditsValues; errors: FieldErrors; input: BuyerEditsInput | null } {
  const form = new FormReader(body, t)
  const values: BuyerEditsValues = {
    on: form.checkbox('buyerEdits'),
    hours: form.text('buyerEditHours'),
    names: form.checkbox('buyerEditNames'),
    editable: form.list('editable'),
  }
  const hours = /^\d{1,5}$/.test(values.hours) ? Number(values.hours) : NaN
  if (!(hours <= MAX_BUYER_EDIT_HOURS)) form.fail('buyerEditHours', t('questions.buyerEdits.hoursInvalid', { max: MAX_BUYER_EDIT_HOURS }))
  const shown = new Set(form.list('shown'))
  if (!form.ok) return { values, errors: form.errors, input: null }
  return {
    values,
    errors: form.errors,
    input: {
      on: values.on,
      hours,
      names: namesAsked ? values.names : null,
      questions: questions
        .filter((question) => shown.has(String(question.id)))
        .map((question) => ({ id: question.id, editable: values.editable.includes(String(question.id)) })),
    },
  }
}
