import type { HolderNames, QuestionKind, TicketTypeRow } from '../../db/schema.js'
import { type FieldErrors, FormReader } from '../../lib/forms.js'
import { formatDate } from '../../lib/format.js'
import type { Locale } from '../../i18n/locale.js'
import type { Translate } from '../../i18n/translate.js'
import {
  type EventQuestions,
  MAX_HOLDER_NAME,
  MAX_LONG_TEXT,
  MAX_SHORT_TEXT,
  type Question,
  askedOfType,
  offeredOptions,
} from './question.model.js'
import type { StoredAnswer } from './questions.repository.js'

/**
 * The buyer's side of the questions: what the buy form asks of a cart, the
 * answers read and checked from the form, and answers as pages and exports
 * show them. Pure: the routes read and write.
 */

/** One ticket of a cart, before it exists: its type, and its number among the tickets of that type (from 1). */
export interface TicketSlot {
  ticketTypeId: number
  typeName: string
  index: number
}

/** What the form asks of a cart: the order's questions once, and for each ticket its name (unless off) and its questions. */
export interface Asked {
  holderNames: HolderNames
  order: Question[]
  tickets: { slot: TicketSlot; questions: Question[] }[]
}

/** The tickets of a cart, by ticket type (in id order, as the order lists them), numbered within their type. */
export function slotsOf(quantities: Map<number, number>, types: Pick<TicketTypeRow, 'id' | 'name'>[]): TicketSlot[] {
  return [...quantities]
    .filter(([, quantity]) => quantity > 0)
    .sort(([a], [b]) => a - b)
    .flatMap(([ticketTypeId, quantity]) => {
      const typeName = types.find((type) => type.id === ticketTypeId)?.name ?? ''
      return Array.from({ length: quantity }, (_, i) => ({ ticketTypeId, typeName, index: i + 1 }))
    })
}

/** What the form asks of these tickets; null when it asks nothing of them (no names, no question of their types). */
export function askedOf(asking: EventQuestions, slots: TicketSlot[]): Asked | null {
  const typeIds = new Set(slots.map((slot) => slot.ticketTypeId))
  const order = asking.questions.filter((question) => !question.perTicket && [...typeIds].some((id) => askedOfType(question, id)))
  const tickets = slots.map((slot) => ({
    slot,
    questions: asking.questions.filter((question) => question.perTicket && askedOfType(question, slot.ticketTypeId)),
  }))
  const asksTickets = asking.holderNames !== 'off' || tickets.some((ticket) => ticket.questions.length > 0)
  if (order.length === 0 && !asksTickets) return null
  return { holderNames: asking.holderNames, order, tickets: asksTickets ? tickets : [] }
}

/** The form field of a question of the order. */
export function orderField(question: Pick<Question, 'id'>): string {
  return `q${question.id}`
}

/** The form field of a ticket's name ('name') or of its answer to a question. */
export function ticketField(slot: TicketSlot, what: 'name' | Pick<Question, 'id'>): string {
  return `t${slot.ticketTypeId}_${slot.index}_${what === 'name' ? 'name' : `q${what.id}`}`
}

/** Whether a form field is one of the details (names and answers): carried through the buy form's steps as typed. */
export function isDetailField(name: string): boolean {
  return /^(q\d{1,10}|t\d{1,10}_\d{1,4}_(name|q\d{1,10}))$/.test(name)
}

/** The details as typed, by field: a string, or the values of a question with several choices. */
export type DetailValues = Record<string, string | string[]>

/** The details of a form body, as typed, for the form to show again. */
export function detailValuesOf(body: unknown): DetailValues {
  const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}
  const values: DetailValues = {}
  for (const [name, value] of Object.entries(fields)) {
    if (!isDetailField(name)) continue
    if (typeof value === 'string') values[name] = value
    else if (Array.isArray(value)) values[name] = value.filter((item): item is string => typeof item === 'string')
  }
  return values
}

export interface AnswerInput {
  questionId: number
  /** As stored: see answers in migrations/0020_questions.ts; '' when left blank. */
  value: string
}

/** What an order is given besides its tickets: each ticket's name and answers (in the cart's ticket order) and the order's answers. */
export interface OrderDetails {
  tickets: { ticketTypeId: number; holderName: string | null; answers: AnswerInput[] }[]
  order: AnswerInput[]
}

/**
 * Reads and checks the answers to what was asked. Every question asked gets
 * an answer, blank when an optional one was left so. A message at each field
 * that is wrong; details only when none is.
 */
export function parseDetails(body: unknown, asked: Asked, t: Translate): { errors: FieldErrors; details: OrderDetails | null } {
  const form = new FormReader(body, t)
  const answersOf = (questions: Question[], field: (question: Question) => string, where: (message: string) => string) =>
    questions.map((question) => {
      const checked = checkAnswer(form, field(question), question, t)
      if ('problem' in checked) form.fail(field(question), where(checked.problem))
      return { questionId: question.id, value: 'value' in checked ? checked.value : '' }
    })
  const tickets = asked.tickets.map(({ slot, questions }, i) => {
    const where = (message: string) => t('questions.answer.onTicket', { number: i + 1, type: slot.typeName, message })
    let holderName: string | null = null
    if (asked.holderNames !== 'off') {
      const field = ticketField(slot, 'name')
      const name = form.text(field)
      if (name === '' && asked.holderNames === 'required') form.fail(field, where(t('questions.answer.nameMissing')))
      else if (name.length > MAX_HOLDER_NAME) form.fail(field, where(t('forms.field.tooLong', { max: MAX_HOLDER_NAME })))
      holderName = name === '' ? null : name
    }
    return { ticketTypeId: slot.ticketTypeId, holderName, answers: answersOf(questions, (question) => ticketField(slot, question), where) }
  })
  // After the tickets', as the form lists them: the messages come in the order of the fields.
  const order = answersOf(asked.order, orderField, (message) => message)
  return { errors: form.errors, details: form.ok ? { tickets, order } : null }
}

const NUMBER = /^(-)?(\d{1,9})(?:[.,](\d{1,6}))?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** One answer read from its field: its value as stored, or what is wrong with it. */
function checkAnswer(form: FormReader, field: string, question: Question, t: Translate): { value: string } | { problem: string } {
  const named = { question: question.label }
  const missing = { problem: t('questions.answer.missing', named) }
  if (question.kind === 'several-choices') {
    const chosen = form.list(field)
    const offered = offeredOptions(question)
    if (chosen.some((id) => !offered.some((option) => String(option.id) === id)))
      return { problem: t('questions.answer.chooseListed', named) }
    if (chosen.length === 0 && question.required) return missing
    return {
      value: offered
        .filter((option) => chosen.includes(String(option.id)))
        .map((option) => option.id)
        .join(','),
    }
  }
  const typed = form.text(field)
  if (typed === '') return question.required ? missing : { value: '' }
  switch (question.kind) {
    case 'short-text':
    case 'long-text': {
      const max = question.kind === 'short-text' ? MAX_SHORT_TEXT : MAX_LONG_TEXT
      return typed.length > max ? { problem: t('questions.answer.tooLong', { ...named, max }) } : { value: typed }
    }
    case 'one-choice':
      return offeredOptions(question).some((option) => String(option.id) === typed)
        ? { value: typed }
        : { problem: t('questions.answer.chooseListed', named) }
    case 'yes-no':
      return typed === 'yes' || typed === 'no' ? { value: typed } : { problem: t('questions.answer.yesOrNo', named) }
    case 'number': {
      const number = NUMBER.exec(typed)
      if (!number) return { problem: t('questions.answer.notANumber', named) }
      const whole = number[2]!.replace(/^0+(?=\d)/, '')
      const fraction = (number[3] ?? '').replace(/0+$/, '')
      const value = `${whole}${fraction ? `.${fraction}` : ''}`
      return { value: number[1] && value !== '0' ? `-${value}` : value }
    }
    case 'date': {
      const date = DATE.exec(typed)
      const [year, month, day] = date ? [Number(date[1]), Number(date[2]), Number(date[3])] : [0, 0, 0]
      const ms = Date.UTC(year, month - 1, day)
      const real = date !== null && year >= 1000 && new Date(ms).getUTCMonth() === month - 1 && new Date(ms).getUTCDate() === day
      return real ? { value: typed } : { problem: t('questions.answer.notADate', named) }
    }
  }
}

/** One answer as a line of a page: the question and the answer in words. */
export interface AnswerLine {
  question: string
  answer: string
}

/** An answer in words, '' for a blank one: yes or no in the page's language, choices by their labels, a date in the locale's way. */
export function answerText(question: Pick<Question, 'kind' | 'options'>, value: string, t: Translate, locale?: Locale): string {
  if (value === '') return ''
  switch (question.kind) {
    case 'yes-no':
      return value === 'yes' ? t('questions.answer.yes') : t('questions.answer.no')
    case 'one-choice':
    case 'several-choices':
      return choiceLabels(question, value).join(', ')
    case 'date': {
      const date = DATE.exec(value)
      return date ? formatDate(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])), 'UTC', locale) : value
    }
    default:
      return value
  }
}

/** An answer as an export's cell: choices by their labels, yes/no and dates as stored, a number as a number. */
export function answerCell(question: Pick<Question, 'kind' | 'options'>, value: string): string | number {
  if (value === '') return ''
  if (question.kind === 'number') return Number(value)
  if (question.kind === 'one-choice' || question.kind === 'several-choices') return choiceLabels(question, value).join(', ')
  return value
}

function choiceLabels(question: Pick<Question, 'options'>, value: string): string[] {
  return value.split(',').flatMap((id) => question.options.find((option) => String(option.id) === id)?.label ?? [])
}

/** Answers grouped by their order. */
export function answersByOrder(answers: StoredAnswer[]): Map<number, StoredAnswer[]> {
  const grouped = new Map<number, StoredAnswer[]>()
  for (const answer of answers) grouped.set(answer.orderId, [...(grouped.get(answer.orderId) ?? []), answer])
  return grouped
}

/**
 * The answered questions of an order (ticketId null) or of one of its
 * tickets, from that order's answers, in the event's order of questions, as lines: blank answers and
 * removed questions left out.
 */
export function answerLines(
  questions: Question[],
  answers: StoredAnswer[],
  ticketId: number | null,
  t: Translate,
  locale?: Locale,
): AnswerLine[] {
  return questions.flatMap((question) => {
    const answer = answers.find((candidate) => candidate.questionId === question.id && candidate.ticketId === ticketId)
    const text = answer ? answerText(question, answer.value, t, locale) : ''
    return text === '' ? [] : [{ question: question.label, answer: text }]
  })
}

/** The kinds whose field is one line of text, and its input type. */
export const INPUT_TYPES: Partial<Record<QuestionKind, string>> = { 'short-text': 'text', number: 'text', date: 'date' }
