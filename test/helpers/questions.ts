import type { Db } from '../../src/db/database.js'
import type { HolderNames, QuestionKind } from '../../src/db/schema.js'
import { addQuestion, setHolderNames } from '../../src/features/questions/questions.service.js'

export interface QuestionFixture {
  label: string
  kind: QuestionKind
  required?: boolean
  perTicket?: boolean
  /** Only of these ticket types; every type unless told. */
  ticketTypeIds?: number[]
  options?: string[]
  help?: string
}

const ORGANISER = { userId: null, label: 'system', isAdmin: false, ip: null }

/**
 * What an event asks, set through the organiser's own service (as its
 * questions page does): the holder-name setting, then each question in
 * order. Returns the questions' ids, in the order given.
 */
export async function askQuestions(db: Db, eventId: number, holderNames: HolderNames, questions: QuestionFixture[]): Promise<number[]> {
  await setHolderNames(db, ORGANISER, eventId, holderNames)
  const ids: number[] = []
  for (const question of questions) {
    ids.push(
      await addQuestion(db, ORGANISER, eventId, {
        label: question.label,
        help: question.help ?? '',
        kind: question.kind,
        required: question.required ?? false,
        perTicket: question.perTicket ?? false,
        ticketTypeIds: question.ticketTypeIds ?? null,
        options: question.options ?? [],
      }),
    )
  }
  return ids
}

/** The ids of a choice question's options, by label. */
export async function optionIds(db: Db, questionId: number): Promise<Record<string, string>> {
  const rows = await db.selectFrom('questionOptions').select(['id', 'label']).where('questionId', '=', questionId).execute()
  return Object.fromEntries(rows.map((row) => [row.label, String(row.id)]))
}
