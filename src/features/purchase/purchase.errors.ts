import { DomainError } from '../../lib/errors.js'

/**
 * A purchase the rules refuse (sold out, not on sale, cancelled). Nothing was
 * written; the buyer is sent to /purchase/fail with this message.
 */
export class PurchaseRefused extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'Your order could not be completed'
}

/** A ticket type whose price is not the one the buyer saw on the form. */
export interface ChangedPrice {
  ticketTypeId: number
  /** What the form showed, or null when the form did not say (a page from before prices were carried). */
  seenMinor: number | null
  nowMinor: number
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
