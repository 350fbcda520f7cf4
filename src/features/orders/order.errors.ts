import { DomainError } from '../../lib/errors.js'

/**
 * The buyer cancelled an order one of whose tickets was checked in meanwhile
 * (the door and the cancel form at the same moment): nothing was cancelled.
 * The cancel form says so with the 'checked-in' refusal's words, as its page would.
 */
export class OrderCheckedIn extends DomainError {
  override readonly statusCode = 409
  override readonly titleKey = 'refusal.cancellation.checkedIn.title'
  constructor() {
    super({ key: 'refusal.cancellation.checkedIn' })
  }
}
