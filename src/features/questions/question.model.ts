import type { HolderNames, QuestionKind } from '../../db/schema.js'

/**
 * What an event asks of its buyers: a name for each ticket (or not), and its
 * questions, each asked of the order once or of each ticket, of every ticket
 * type or of some.
 */

export const QUESTION_KINDS: readonly QuestionKind[] = [
  'short-text',
  'long-text',
  'one-choice',
  'several-choices',
  'yes-no',
  'number',
  'date',
]
export const HOLDER_NAMES: readonly HolderNames[] = ['off', 'optional', 'required']

/** The most characters an answer of each text kind may have, and a ticket holder's name (as the buyer's). */
export const MAX_SHORT_TEXT = 200
export const MAX_LONG_TEXT = 2000
export const MAX_HOLDER_NAME = 100

export function isChoice(kind: QuestionKind): boolean {
  return kind === 'one-choice' || kind === 'several-choices'
}

export interface QuestionOption {
  id: number
  label: string
  /** No longer offered: kept to name the answers that chose it. */
  removed: boolean
}

export interface Question {
  id: number
  eventId: number
  label: string
  help: string
  kind: QuestionKind
  required: boolean
  perTicket: boolean
  /** Null: asked of every ticket type; else only of these. */
  ticketTypeIds: number[] | null
  position: number
  /** Buyers may change their answer from their order page, when the event lets them (src/features/questions/buyer-edits.ts). */
  buyerEditable: boolean
  /** Every option it ever had, in the organiser's order, removed ones included. */
  options: QuestionOption[]
}

/** What an event asks, read once: the setting of ticket holders' names and the questions not removed, in order. */
export interface EventQuestions {
  holderNames: HolderNames
  questions: Question[]
}

/** Whether the event asks anything at all: read from its row, so that an event that asks nothing costs no query. */
export function asksAnything(event: { holderNames: HolderNames; questionCount: number }): boolean {
  return event.holderNames !== 'off' || event.questionCount > 0
}

/** Whether a question is asked of tickets of this type (per ticket), or of an order holding one (per order). */
export function askedOfType(question: Question, ticketTypeId: number): boolean {
  return question.ticketTypeIds === null || question.ticketTypeIds.includes(ticketTypeId)
}

/** The options a buyer may choose now. */
export function offeredOptions(question: Question): QuestionOption[] {
  return question.options.filter((option) => !option.removed)
}
