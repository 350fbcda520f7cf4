import { DomainError } from '../../lib/errors.js'
import type { ChangedPrice } from '../pricing/cart-pricing.js'
import { type PurchaseRefusal, purchaseRefusalText } from './purchase.refusals.js'

/**
 * A purchase the rules refuse (sold out, not on sale, cancelled), with why.
 * Nothing was written; the buyer is sent to /purchase/fail, which says why.
 */
export class PurchaseRefused extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'Your order could not be completed'
  constructor(readonly reason: PurchaseRefusal) {
    super(purchaseRefusalText(reason))
  }
}

/**
 * The price of something the buyer chose changed after the form was shown
 * (or the form did not say what it showed). Nothing was written; the form
 * comes back with the new prices and what the buyer typed.
 */
export class PriceChanged extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'Prices have changed'
  constructor(readonly changes: ChangedPrice[]) {
    super('Prices have changed since this page was shown.')
  }
}
