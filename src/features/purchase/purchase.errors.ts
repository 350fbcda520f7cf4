import { DomainError } from '../../lib/errors.js'

/**
 * A purchase the rules refuse (sold out, not on sale, cancelled). Nothing was
 * written; the buyer is sent to /purchase/fail with this message.
 */
export class PurchaseRefused extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'Your order could not be completed'
}
