import type { FastifyInstance } from 'fastify'
import type { Db } from '../../src/db/database.js'
import type { HolderNames, QuestionKind } from '../../src/db/schema.js'
import { addQuestion, setHolderNames } from '../../src/features/questions/questions.service.js'
import { type FormFields, TestBrowser } from './browser.js'

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

/** The value a text field of the page holds, by name. */
export function fieldValue(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1]
}

/** The message next to a field (by the field's name), as the page says it. */
export function messageAt(html: string, name: string): string | undefined {
  return new RegExp(`id="f-${name}-error"><span class="visually-hidden">Error:</span> ([^<]*)<`).exec(html)?.[1]
}

/**
 * An order bought through the buy form's two steps, as a buyer does: the
 * tickets (quantities by ticket type id), then who is coming (the second
 * step's fields, t<type>_<n>_name and so on). The browser that bought it is
 * returned with it.
 */
export async function buyWithDetails(
  app: FastifyInstance,
  db: Db,
  eventId: number,
  quantities: Record<number, number>,
  details: FormFields,
  buyer = { name: 'Bea Buyer', email: 'bea@example.test' },
) {
  const browser = new TestBrowser(app)
  const form = await browser.get(`/buy-tickets/${eventId}`)
  const key = /name="key" value="([^"]+)"/.exec(form.body)?.[1]
  if (!key) throw new Error('the buy page has no form key')
  const chosen = Object.fromEntries(Object.entries(quantities).map(([typeId, quantity]) => [`qty_${typeId}`, String(quantity)]))
  const step = await browser.post(`/purchase/${eventId}`, { key, ...chosen, ...buyer })
  if (step.statusCode !== 200) throw new Error(`the first step answered ${step.statusCode}`)
  const placed = await browser.post(`/purchase/${eventId}`, { step: 'details', ...details })
  if (placed.statusCode !== 303) throw new Error(`the order was not placed: ${placed.statusCode}`)
  const order = await db
    .selectFrom('orders')
    .select(['id', 'code', 'accessKey'])
    .where('idempotencyKey', '=', key)
    .executeTakeFirstOrThrow()
  return { browser, order }
}
