import type { Db } from '../../src/db/database.js'
import type { Code } from '../../src/features/codes/code.model.js'
import { pricesWithCode } from '../../src/features/codes/code.model.js'
import { findCode, findCodeByText } from '../../src/features/codes/codes.repository.js'
import type { CodeTerms } from '../../src/features/codes/code.form.js'
import { createCode, isRefusal } from '../../src/features/codes/codes.service.js'
import { type PaymentChoice, placeOrder } from '../../src/features/purchase/purchase.service.js'

/** The organiser who makes the codes of these tests, as the audit log names them. */
export const CODE_MAKER = { userId: null, label: 'organiser@example.test', isAdmin: false, ip: null }

/** A 20 % code for every listed type, without limits, unless told otherwise. */
export async function makeCode(db: Db, eventId: number, code: string, terms: Partial<CodeTerms> = {}): Promise<Code> {
  const made = await createCode(db, CODE_MAKER, eventId, {
    code,
    discount: 'percent',
    amount: 20,
    ticketTypeIds: null,
    validFrom: null,
    validUntil: null,
    maxUses: null,
    countedPer: 'order',
    maxPerOrder: null,
    reserved: false,
    ...terms,
  })
  if (isRefusal(made)) throw new Error(`the code ${code} was refused: ${made.code}`)
  return made
}

/** The code as it is now. */
export async function codeNow(db: Db, code: Pick<Code, 'id' | 'eventId'>): Promise<Code> {
  return (await findCode(db, code.eventId, code.id))!
}

let counter = 0

/**
 * An order placed by the real purchase with the code typed, at the prices the
 * code makes (what the buy form shows): `quantities` by ticket type id.
 */
export async function buyWithCode(
  db: Db,
  eventId: number,
  typed: string | null,
  quantities: [number, number][],
  options: { payment?: PaymentChoice; buyerEmail?: string } = {},
) {
  counter += 1
  const types = await db.selectFrom('ticketTypes').selectAll().where('eventId', '=', eventId).execute()
  const found = typed === null ? undefined : await findCodeByText(db, eventId, typed)
  const shown = pricesWithCode(found ?? null, types, 'EUR')
  const email = options.buyerEmail ?? `code-buyer${counter}@example.test`
  return placeOrder(db, {
    cart: {
      eventId,
      quantities: new Map(quantities),
      seen: { currency: 'EUR', prices: new Map([...shown].map(([id, price]) => [id, price.minor])) },
      formKey: `code-order-${process.pid}-${counter}`,
    },
    buyer: { name: `Code buyer ${counter}`, email, browser: null },
    actor: { userId: null, label: email, isAdmin: false, ip: null },
    settings: { currency: 'EUR', maxTicketsPerOrder: 50, siteUrl: 'http://admit-one.test' },
    channel: { kind: 'online' },
    code: typed === null ? undefined : { found },
    payment: options.payment,
  })
}
