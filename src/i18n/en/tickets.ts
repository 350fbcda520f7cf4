/** Tickets to print and to carry: the printable page of an order's tickets, and its PDF. */
export const tickets = {
  'tickets.print.title': 'Tickets of order {code}',
  'tickets.print.hint':
    'Print this page from your browser’s menu (or Ctrl+P, ⌘P on a Mac): each ticket comes out on a page of its own. Or take the PDF with you.',
  'tickets.print.pdf': 'Download the tickets as a PDF',
  'tickets.print.backToOrder': 'Back to the order',
  'tickets.print.backToOrders': 'Back to the orders',
  'tickets.print.holder': 'Name',
  'tickets.print.ticket': 'Ticket',
  'tickets.print.seat': 'Seat',
  'tickets.print.order': 'Order',
  'tickets.print.code': 'Ticket code',
  'tickets.print.timeZone': 'Times in {timeZone}',
  'tickets.print.qrCode': 'QR code of ticket {code}',
  'tickets.print.checkedIn': 'Checked in',
  'tickets.print.valid': 'Valid for one admission. Show it at the door, on paper or on a screen.',
  'tickets.print.payAtDoor': 'Not paid yet: the door collects {amount} for the whole order {code} before letting it in.',
  'tickets.print.footer': 'Each ticket is valid once: a copy of it gets nobody else in.',
  'tickets.print.withheld.awaitingPayment':
    'The tickets of order {code} can be printed once its payment has arrived. Until then they are not valid at the door.',
  'tickets.print.withheld.expired': 'Order {code} expired: it was not paid in time, so it has no tickets to print.',
  'tickets.print.withheld.cancelled': 'Order {code} was cancelled: its tickets are no longer valid, and there is nothing to print.',
  'tickets.print.withheld.eventCancelled': 'The event was cancelled: the tickets of order {code} are no longer valid.',
  'tickets.order.print': 'Print the tickets or save them as a PDF',
  'tickets.organiser.print': 'Tickets to print',
  'tickets.mail.qrCode': 'QR code of ticket {code}',
} as const
