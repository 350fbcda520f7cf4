import { DomainError } from '../../lib/errors.js'
import type { ChangedPrice } from '../pricing/cart-pricing.js'
import type { PurchaseRefusal } from './purchase.refusals.js'

/**
 * A purchase the rules refuse (sold out, not on sale, cancelled), with why.
 * Nothing was written; the buyer is sent to /purchase/fail, which says why.
 */
export class PurchaseRefused extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'refusal.purchase.title'
  constructor(readonly reason: PurchaseRefusal) {
    // Its words are said by the page it leads to (purchaseRefusalText); the log keeps the reason's code.
    super(reason.code)
  }
}

/**
 * The price of something the buyer chose changed after the form was shown
 * (or the form did not say what it showed). Nothing was written; the form
 * comes back with the new prices and what the buyer typed.
 */
export class PriceChanged extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'refusal.purchase.pricesChanged.title'
  constructor(readonly changes: ChangedPrice[]) {
    super({ key: 'refusal.purchase.pricesChanged.message' })
  }
}
