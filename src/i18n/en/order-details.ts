/** Names and answers changed after the purchase: the organiser's and the buyer's form, and what the order page says of it. */
export const orderDetails = {
  'orderDetails.nothingAsked': 'This order has no names or answers to change: the event asks none of its tickets.',
  'orderDetails.form.title': 'Names and answers · order {code}',
  'orderDetails.form.heading': 'Names and answers',
  'orderDetails.form.order': 'Order {code}',
  'orderDetails.form.buyer': 'Bought by {name} ({email})',
  'orderDetails.form.until': 'You can change these until {until}.',
  'orderDetails.form.audited': 'Each change is kept in the audit log, with what was there before.',
  'orderDetails.form.ticket': 'Ticket {number}: {type} · {code}{cancelled, select, true { (cancelled)} other {}}',
  'orderDetails.form.aboutOrder': 'About the order',
  'orderDetails.form.save': 'Save changes',
  'orderDetails.form.backToOrders': 'Back to the orders',
  'orderDetails.form.backToOrder': 'Back to your order',
  'orderDetails.form.orderChanged':
    'This order changed while the form was open. It is shown as it stands now, with what you typed: check it and save again.',
  'orderDetails.closed.off':
    'The organiser does not let buyers change names and answers for this event. Write to them if something is wrong.',
  'orderDetails.closed.noTickets': 'This order holds no tickets (it expired or was cancelled), so there is nothing to change.',
  'orderDetails.closed.pastCutoff': 'Names and answers could be changed until {until}. Write to the organiser if something is wrong.',
  'orderDetails.closed.nothing': 'There is nothing on this order that you can change.',
  'orderDetails.order.change': 'Change names and answers',
  'orderDetails.order.until': 'You can change them until {until}.',
  'orderDetails.orders.edit': 'Names and answers',
  'flash.orderDetails.saved': 'The names and answers of order {code} are saved.',
  'flash.orderDetails.unchanged': 'Nothing was changed in order {code}.',
} as const
