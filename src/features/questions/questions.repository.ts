import type { Db, Trx } from '../../db/database.js'
import type { HolderNames, QuestionRow } from '../../db/schema.js'
import type { EventQuestions, Question } from './question.model.js'

/**
 * The questions of an event that are asked now (not removed), in the
 * organiser's order, each with all its options and the ticket types it is
 * asked of. Three reads, whatever the number of questions.
 */
export async function questionsOf(db: Db | Trx, eventId: number): Promise<Question[]> {
  const rows = await db
    .selectFrom('questions')
    .selectAll()
    .where('eventId', '=', eventId)
    .where('removedAt', 'is', null)
    .orderBy('position')
    .orderBy('id')
    .execute()
  return withOptionsAndTypes(db, rows)
}

/** One question of the event, removed or not; undefined when the event has no such question. */
export async function findQuestion(db: Db | Trx, eventId: number, id: number): Promise<(Question & { removed: boolean }) | undefined> {
  const row = await db.selectFrom('questions').selectAll().where('id', '=', id).where('eventId', '=', eventId).executeTakeFirst()
  if (!row) return undefined
  const [question] = await withOptionsAndTypes(db, [row])
  return { ...question!, removed: row.removedAt !== null }
}

/** The questions given by id, removed ones too: to name the answers already given. */
export async function questionsById(db: Db | Trx, ids: number[]): Promise<Map<number, Question>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('questions').selectAll().where('id', 'in', ids).execute()
  return new Map((await withOptionsAndTypes(db, rows)).map((question) => [question.id, question]))
}

/** What the event asks: its holder-name setting (from the event already read) and its questions. */
export async function eventQuestionsOf(
  db: Db | Trx,
  event: { id: number; holderNames: HolderNames; questionCount: number },
): Promise<EventQuestions> {
  return { holderNames: event.holderNames, questions: event.questionCount > 0 ? await questionsOf(db, event.id) : [] }
}

async function withOptionsAndTypes(db: Db | Trx, rows: QuestionRow[]): Promise<Question[]> {
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.id)
  const options = await db
    .selectFrom('questionOptions')
    .select(['id', 'questionId', 'label', 'removedAt'])
    .where('questionId', 'in', ids)
    .orderBy('position')
    .orderBy('id')
    .execute()
  const scoped = rows.some((row) => row.forAllTypes === 0)
    ? await db.selectFrom('questionTicketTypes').select(['questionId', 'ticketTypeId']).where('questionId', 'in', ids).execute()
    : []
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    label: row.label,
    help: row.help,
    kind: row.kind,
    required: row.required === 1,
    perTicket: row.perTicket === 1,
    ticketTypeIds:
      row.forAllTypes === 1
        ? null
        : scoped
            .filter((scope) => scope.questionId === row.id)
            .map((scope) => scope.ticketTypeId)
            .sort((a, b) => a - b),
    position: row.position,
    buyerEditable: row.buyerEditable === 1,
    options: options
      .filter((option) => option.questionId === row.id)
      .map((option) => ({ id: option.id, label: option.label, removed: option.removedAt !== null })),
  }))
}

/** How many answers each of these questions has, blank ones left out (a question left blank is answered in any kind). */
export async function answerCounts(db: Db | Trx, questionIds: number[]): Promise<Map<number, number>> {
  if (questionIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('answers')
    .select((eb) => ['questionId', eb.fn.countAll<number>().as('count')])
    .where('questionId', 'in', questionIds)
    .where('value', '!=', '')
    .groupBy('questionId')
    .execute()
  return new Map(rows.map((row) => [row.questionId, Number(row.count)]))
}

export interface StoredAnswer {
  orderId: number
  /** Null for a question of the order. */
  ticketId: number | null
  questionId: number
  value: string
}

/** The answers to questions not removed, in the order given: what every page and export reads, narrowed by its caller. */
function shownAnswers(db: Db | Trx) {
  return db
    .selectFrom('answers')
    .innerJoin('questions', 'questions.id', 'answers.questionId')
    .select(['answers.orderId', 'answers.ticketId', 'answers.questionId', 'answers.value'])
    .where('questions.removedAt', 'is', null)
    .orderBy('answers.id')
}

/** The answers of these orders, to questions not removed, for their pages and exports. */
export async function answersOfOrders(db: Db | Trx, orderIds: number[]): Promise<StoredAnswer[]> {
  if (orderIds.length === 0) return []
  return shownAnswers(db).where('answers.orderId', 'in', orderIds).execute()
}

/** What an event asks now, and the answers of some of its orders: what pages and exports show. */
export interface EventAnswers {
  questions: Question[]
  answers: StoredAnswer[]
}

/** The questions an event asks and the answers of these orders to them; nothing read for an event that asks none. */
export async function answersOfEventOrders(
  db: Db | Trx,
  event: { id: number; questionCount: number },
  orderIds: number[],
): Promise<EventAnswers> {
  if (event.questionCount === 0) return { questions: [], answers: [] }
  const questions = await questionsOf(db, event.id)
  return { questions, answers: await answersOfOrders(db, orderIds) }
}

/** The answers of one ticket and of its order, to questions not removed: what the door is shown. */
export async function answersOfTicket(db: Db | Trx, orderId: number, ticketId: number): Promise<StoredAnswer[]> {
  return shownAnswers(db)
    .where('answers.orderId', '=', orderId)
    .where((eb) => eb.or([eb('answers.ticketId', 'is', null), eb('answers.ticketId', '=', ticketId)]))
    .execute()
}

/** The answers of every order of an event, to questions not removed: for the door list. */
export async function answersOfEvent(db: Db | Trx, eventId: number): Promise<StoredAnswer[]> {
  return shownAnswers(db).where('questions.eventId', '=', eventId).execute()
}

// Rows per INSERT: far below SQLite's 32,766 bound variables at four columns an answer.
const ANSWERS_PER_INSERT = 1000

/** Writes an order's answers, in the transaction that places it. */
export async function insertAnswers(trx: Trx, answers: StoredAnswer[]): Promise<void> {
  for (let start = 0; start < answers.length; start += ANSWERS_PER_INSERT) {
    await trx
      .insertInto('answers')
      .values(answers.slice(start, start + ANSWERS_PER_INSERT))
      .execute()
  }
}
