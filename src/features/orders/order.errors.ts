import { DomainError } from '../../lib/errors.js'

/**
 * The buyer cancelled an order one of whose tickets was checked in meanwhile
 * (the door and the cancel form at the same moment): nothing was cancelled.
 * The cancel form says so with the 'checked-in' refusal's words.
 */
export class OrderCheckedIn extends DomainError {
  override readonly statusCode = 409
  override readonly title = 'This order can no longer be cancelled'
  constructor() {
    super('checked-in')
  }
}
