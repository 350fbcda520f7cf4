import type { Db, Trx } from '../../db/database.js'
import type { HolderNames } from '../../db/schema.js'
import { NotFound } from '../../lib/errors.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { lockEvent } from '../events/event.repository.js'
import type { BuyerEditsInput, QuestionInput } from './question.form.js'
import type { Question } from './question.model.js'
import { answerCounts, findQuestion, questionsOf } from './questions.repository.js'

/**
 * The organiser's changes to what an event asks. Each is one transaction
 * under the event row's lock (two tabs editing at once take turns), audited,
 * and keeps events.question_count true by counting again. A question is never
 * deleted: removed, it is no longer asked nor shown, and its answers stay.
 */

export const NO_SUCH_QUESTION = { key: 'questions.notFound' } as const

/** Why an edit was refused: the question has answers, and they are written in its kind. */
export type QuestionRefusal = { code: 'kind-answered' } | null

export async function setHolderNames(db: Db, actor: Actor, eventId: number, setting: HolderNames): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, eventId)
    if (!event) throw new NotFound()
    if (event.holderNames === setting) return false
    await trx.updateTable('events').set({ holderNames: setting }).where('id', '=', eventId).execute()
    await audit(trx, actor, 'event.holder_names_set', eventId, { eventId, from: event.holderNames, to: setting })
    return true
  })
}

/**
 * Whether buyers may change names and answers, until how many hours before
 * the event, and which: one transaction under the event's lock, audited with
 * what changed, before and after. False when nothing changed.
 */
export async function setBuyerEdits(db: Db, actor: Actor, eventId: number, input: BuyerEditsInput): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, eventId)
    if (!event) throw new NotFound()
    const before: Record<string, unknown> = {}
    const after: Record<string, unknown> = {}
    const change = (name: string, was: unknown, now: unknown) => {
      if (was === now) return false
      before[name] = was
      after[name] = now
      return true
    }
    const names = input.names ?? event.buyerEditNames
    const eventChanged = [
      change('buyerEdits', event.buyerEdits, input.on),
      change('buyerEditHours', event.buyerEditHours, input.hours),
      change('buyerEditNames', event.buyerEditNames, names),
    ].some(Boolean)
    if (eventChanged) {
      await trx
        .updateTable('events')
        .set({ buyerEdits: input.on ? 1 : 0, buyerEditHours: input.hours, buyerEditNames: names ? 1 : 0 })
        .where('id', '=', eventId)
        .execute()
    }
    const asked = await questionsOf(trx, eventId)
    for (const { id, editable } of input.questions) {
      const question = asked.find((candidate) => candidate.id === id)
      // Removed meanwhile: its setting no longer matters.
      if (!question || !change(`question ${id} (${question.label})`, question.buyerEditable, editable)) continue
      await trx
        .updateTable('questions')
        .set({ buyerEditable: editable ? 1 : 0 })
        .where('id', '=', id)
        .execute()
    }
    if (Object.keys(after).length === 0) return false
    await audit(trx, actor, 'event.buyer_edits_set', eventId, { eventId, before, after })
    return true
  })
}

export async function addQuestion(db: Db, actor: Actor, eventId: number, input: QuestionInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockEvent(trx, eventId))) throw new NotFound()
    const now = Date.now()
    const last = await trx
      .selectFrom('questions')
      .select((eb) => eb.fn.max('position').as('position'))
      .where('eventId', '=', eventId)
      .executeTakeFirst()
    const { id } = await trx
      .insertInto('questions')
      .values({
        eventId,
        ...questionColumns(input),
        position: Number(last?.position ?? 0) + 1,
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (input.options.length > 0) {
      await trx
        .insertInto('questionOptions')
        .values(input.options.map((label, position) => ({ questionId: id, label, position })))
        .execute()
    }
    await writeScope(trx, id, input.ticketTypeIds)
    await countQuestions(trx, eventId)
    await audit(trx, actor, 'question.added', id, { eventId, ...input })
    return id
  })
}

/**
 * Its answers are kept as they are: a choice answered keeps its option (by
 * id), whose label may change in case or spelling only as a new line; an
 * option no longer listed is removed (answers that chose it still name it),
 * and one listed again comes back.
 */
export async function updateQuestion(
  db: Db,
  actor: Actor,
  eventId: number,
  questionId: number,
  input: QuestionInput,
): Promise<QuestionRefusal> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockEvent(trx, eventId))) throw new NotFound()
    const before = await findQuestion(trx, eventId, questionId)
    if (!before || before.removed) throw new NotFound(NO_SUCH_QUESTION)
    if (before.kind !== input.kind && ((await answerCounts(trx, [questionId])).get(questionId) ?? 0) > 0) return { code: 'kind-answered' }
    const now = Date.now()
    await trx
      .updateTable('questions')
      .set({ ...questionColumns(input), updatedAt: now })
      .where('id', '=', questionId)
      .execute()
    await writeOptions(trx, before, input.options, now)
    await trx.deleteFrom('questionTicketTypes').where('questionId', '=', questionId).execute()
    await writeScope(trx, questionId, input.ticketTypeIds)
    await audit(trx, actor, 'question.updated', questionId, {
      eventId,
      before: {
        label: before.label,
        help: before.help,
        kind: before.kind,
        required: before.required,
        perTicket: before.perTicket,
        ticketTypeIds: before.ticketTypeIds,
        options: before.options.filter((option) => !option.removed).map((option) => option.label),
      },
      after: input,
    })
    return null
  })
}

/** Removes a question (its answers stay, out of view). False when it was removed already. */
export async function removeQuestion(db: Db, actor: Actor, eventId: number, questionId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockEvent(trx, eventId))) throw new NotFound()
    const removed = await trx
      .updateTable('questions')
      .set({ removedAt: Date.now() })
      .where('id', '=', questionId)
      .where('eventId', '=', eventId)
      .where('removedAt', 'is', null)
      .returning('label')
      .executeTakeFirst()
    if (!removed) return false
    await countQuestions(trx, eventId)
    await audit(trx, actor, 'question.removed', questionId, { eventId, label: removed.label })
    return true
  })
}

/** Moves a question one place up or down the list; false when it is at that end already. */
export async function moveQuestion(db: Db, actor: Actor, eventId: number, questionId: number, direction: 'up' | 'down'): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockEvent(trx, eventId))) throw new NotFound()
    const list = await trx
      .selectFrom('questions')
      .select(['id', 'position'])
      .where('eventId', '=', eventId)
      .where('removedAt', 'is', null)
      .orderBy('position')
      .orderBy('id')
      .execute()
    const at = list.findIndex((question) => question.id === questionId)
    if (at === -1) throw new NotFound(NO_SUCH_QUESTION)
    const to = direction === 'up' ? at - 1 : at + 1
    if (to < 0 || to >= list.length) return false
    const order = list.map((question) => question.id)
    order.splice(to, 0, order.splice(at, 1)[0]!)
    // Numbered again from 1: positions stay distinct whatever came before.
    for (const [index, id] of order.entries()) {
      if (list[index]!.id !== id || list[index]!.position !== index + 1)
        await trx
          .updateTable('questions')
          .set({ position: index + 1 })
          .where('id', '=', id)
          .execute()
    }
    await audit(trx, actor, 'question.moved', questionId, { eventId, direction })
    return true
  })
}

function questionColumns(input: QuestionInput) {
  return {
    label: input.label,
    help: input.help,
    kind: input.kind,
    required: input.required ? 1 : 0,
    perTicket: input.perTicket ? 1 : 0,
    forAllTypes: input.ticketTypeIds === null ? 1 : 0,
  }
}

async function writeScope(trx: Trx, questionId: number, ticketTypeIds: number[] | null): Promise<void> {
  if (ticketTypeIds === null || ticketTypeIds.length === 0) return
  await trx
    .insertInto('questionTicketTypes')
    .values(ticketTypeIds.map((ticketTypeId) => ({ questionId, ticketTypeId })))
    .execute()
}

/** The options as listed now, matched to those it had by label (any case): a kept one keeps its id, and so its answers. */
async function writeOptions(trx: Trx, before: Question, labels: string[], now: number): Promise<void> {
  const fold = (label: string) => label.toLocaleLowerCase()
  const kept = new Set<number>()
  for (const [position, label] of labels.entries()) {
    // A live option first; else one removed before, which comes back with its answers.
    const match =
      before.options.find((option) => !option.removed && !kept.has(option.id) && fold(option.label) === fold(label)) ??
      before.options.find((option) => !kept.has(option.id) && fold(option.label) === fold(label))
    if (match) {
      kept.add(match.id)
      await trx.updateTable('questionOptions').set({ label, position, removedAt: null }).where('id', '=', match.id).execute()
    } else {
      await trx.insertInto('questionOptions').values({ questionId: before.id, label, position }).execute()
    }
  }
  // Those no longer listed go after the rest, in their order.
  const dropped = before.options.filter((option) => !option.removed && !kept.has(option.id))
  for (const [i, option] of dropped.entries()) {
    await trx
      .updateTable('questionOptions')
      .set({ removedAt: now, position: labels.length + i })
      .where('id', '=', option.id)
      .execute()
  }
}

/** Writes how many questions the event asks, counted under its lock: what lets an event that asks none read none. */
async function countQuestions(trx: Trx, eventId: number): Promise<void> {
  await trx
    .updateTable('events')
    .set((eb) => ({
      questionCount: eb
        .selectFrom('questions')
        .select(eb.fn.countAll<number>().as('n'))
        .where('questions.eventId', '=', eventId)
        .where('questions.removedAt', 'is', null),
    }))
    .where('id', '=', eventId)
    .execute()
}

function audit(trx: Trx, actor: Actor, action: string, subjectId: number, details: Record<string, unknown>) {
  return recordAudit(trx, {
    ...auditBy(actor),
    action,
    subjectType: action.startsWith('question.') ? 'question' : 'event',
    subjectId,
    details,
  })
}
