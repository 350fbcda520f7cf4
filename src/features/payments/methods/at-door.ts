import type { PaymentMethod } from '../payment-method.js'

/**
 * Paid at the door: the order is a reservation that holds its tickets until
 * the event, counted as money due and never as money received until the door
 * marks it paid. Needs no set-up, so it is what a new event offers.
 */
export const atDoor: PaymentMethod = {
  id: 'at-door',
  onSite: true,
  online: false,
  paidAtDoor: true,
  usableFor: () => true,
  deadlineFor: () => null,
  start: async () => null,
  cancelStarted: async () => {},
  sendRefund: null,
}
