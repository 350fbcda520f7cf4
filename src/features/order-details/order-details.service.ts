import type { Db, Trx } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import { recordAudit } from '../audit/audit.repository.js'
import { type Actor, auditBy } from '../audit/actor.js'
import { toEvent } from '../events/event.model.js'
import { lockOrder } from '../orders/order.writes.js'
import { ticketStands } from '../orders/order.states.js'
import { type AnswerInput, type OrderDetails, answerCell } from '../questions/answers.js'
import { type BuyerEditRefusal, type Editor, type OrderEdit, buyerEditing, ticketStamp } from '../questions/order-edits.js'
import type { Question } from '../questions/question.model.js'

/** Why a save was refused: the buyer's rule (read again under the order's lock), or the order's tickets are not those the form showed. */
export type DetailsRefusal = BuyerEditRefusal | { code: 'order-changed' }

export type DetailsSaved = { kind: 'saved'; changes: number } | { kind: 'refused'; reason: DetailsRefusal }

export interface DetailsSave {
  order: { id: number; code: string; eventId: number }
  editor: Editor
  /** What the form asked, as read before the save. */
  edit: OrderEdit
  /** The names and answers as read and checked from the form (parseDetails against edit.asked). */
  details: OrderDetails
  /** The questions asked, by id (with every choice they ever had), to name what changed in the audit log. */
  questions: Map<number, Question>
  /** How people know a ticket: its door code. */
  nameOf: (ticketId: number) => string
  actor: Actor
  now?: number
}

/**
 * Saves names and answers changed after the purchase, in one transaction
 * under the order row's lock (as a check-in or a cancellation of it takes):
 * only what differs from what is stored is written, a name or an answer
 * UPDATEd in its row, or INSERTed for a question asked after the order was
 * placed (the partial unique indexes of 0020 keep it one row); and one audit
 * entry says each change, before and after. Nothing changed, nothing written.
 */
export async function saveOrderDetails(db: Db, save: DetailsSave): Promise<DetailsSaved> {
  const { order, edit, details } = save
  return db.transaction().execute(async (trx): Promise<DetailsSaved> => {
    const status = await lockOrder(trx, order.id)
    if (status === undefined) throw new NotFound()
    if (save.editor === 'buyer') {
      const event = toEvent(await trx.selectFrom('events').selectAll().where('id', '=', order.eventId).executeTakeFirstOrThrow())
      const rule = buyerEditing(event, status, save.now)
      if (!rule.allowed) return { kind: 'refused', reason: rule.reason }
    }
    const tickets = await trx
      .selectFrom('tickets')
      .select(['id', 'ticketTypeId', 'cancelledAt', 'holderName'])
      .where('orderId', '=', order.id)
      .execute()
    const stamp = ticketStamp(tickets.map((ticket) => ({ ...ticket, cancelled: !ticketStands(ticket) })))
    if (stamp !== edit.stamp) return { kind: 'refused', reason: { code: 'order-changed' } }
    const stored = await trx
      .selectFrom('answers')
      .select(['id', 'ticketId', 'questionId', 'value'])
      .where('orderId', '=', order.id)
      .execute()

    const before: Record<string, unknown> = {}
    const after: Record<string, unknown> = {}
    const writeAnswer = async (ticketId: number | null, answer: AnswerInput, where: string) => {
      const row = stored.find((candidate) => candidate.questionId === answer.questionId && candidate.ticketId === ticketId)
      const question = save.questions.get(answer.questionId)
      // No row: the question was asked after the order was placed, and a blank answer to it is what there was.
      if (sameAnswer(question, row?.value ?? '', answer.value)) return
      if (row) await trx.updateTable('answers').set({ value: answer.value }).where('id', '=', row.id).execute()
      else
        await trx
          .insertInto('answers')
          .values({ orderId: order.id, ticketId, questionId: answer.questionId, value: answer.value })
          .execute()
      const key = `${where}: ${question?.label ?? answer.questionId}`
      before[key] = question ? answerCell(question, row?.value ?? '') : (row?.value ?? '')
      after[key] = question ? answerCell(question, answer.value) : answer.value
    }
    for (const [i, given] of details.tickets.entries()) {
      const ticketId = edit.ticketIds[i]!
      const where = save.nameOf(ticketId)
      if (edit.asked.holderNames !== 'off') {
        const was = tickets.find((ticket) => ticket.id === ticketId)?.holderName ?? null
        if (was !== given.holderName) {
          await trx.updateTable('tickets').set({ holderName: given.holderName }).where('id', '=', ticketId).execute()
          before[`${where}: name`] = was ?? ''
          after[`${where}: name`] = given.holderName ?? ''
        }
      }
      for (const answer of given.answers) await writeAnswer(ticketId, answer, where)
    }
    for (const answer of details.order) await writeAnswer(null, answer, order.code)

    const changes = Object.keys(after).length
    if (changes > 0) await audit(trx, save, before, after)
    return { kind: 'saved', changes }
  })
}

/** Whether two answers say the same: choices ticked are the same set, whatever order the organiser has put them in since. */
function sameAnswer(question: Question | undefined, a: string, b: string): boolean {
  if (question?.kind !== 'several-choices') return a === b
  const chosen = (value: string) => value.split(',').sort().join(',')
  return chosen(a) === chosen(b)
}

function audit(trx: Trx, save: DetailsSave, before: Record<string, unknown>, after: Record<string, unknown>) {
  return recordAudit(trx, {
    ...auditBy(save.actor),
    action: 'order.details_changed',
    subjectType: 'order',
    subjectId: save.order.id,
    details: { eventId: save.order.eventId, code: save.order.code, editor: save.editor, before, after },
  })
}
