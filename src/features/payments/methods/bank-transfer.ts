import type { PaymentMethod } from '../payment-method.js'

const DAY = 24 * 60 * 60 * 1000

/**
 * A bank transfer: the order page and the mail show the organiser's bank
 * details with the order code as the reference; the organiser marks the
 * order paid when the money shows on the statement. The hold is counted in
 * days, since a transfer takes days, but never past the event's end.
 */
export const bankTransfer: PaymentMethod = {
  id: 'bank-transfer',
  onSite: true,
  online: false,
  paidAtDoor: false,
  usableFor: (event) => event.bankDetails.trim() !== '',
  deadlineFor: (event, now) => Math.min(now + event.transferDays * DAY, event.endsAt),
  start: async () => null,
  cancelStarted: async () => {},
  sendRefund: null,
}
