/** Discount and access codes: the buy form's code field, why a code is refused, the organiser's pages, and where an order shows its code. */
export const codes = {
  'codes.refusal.title': 'This code cannot be used',
  'codes.refusal.unknown': 'There is no such code for this event. Check how it is spelt.',
  'codes.refusal.switchedOff': 'This code is no longer valid.',
  'codes.refusal.notYet': 'This code can be used from {from}.',
  'codes.refusal.expired': 'This code has expired.',
  'codes.refusal.usedUp': 'This code has been used up.',
  'codes.refusal.fewUsesLeft':
    '{left, plural, one {This code can be used for only {left} more ticket.} other {This code can be used for only {left} more tickets.}}',
  'codes.refusal.notForThese': 'This code is not for the tickets you chose.',
  'codes.refusal.overCodeLimit':
    '{max, plural, one {This code is for at most {max} ticket per order.} other {This code is for at most {max} tickets per order.}}',

  'codes.notFound': 'This code does not exist.',
  'codes.form.error.codeMissing': 'Type the code buyers will enter.',
  'codes.form.error.codeText': 'Use up to 40 letters, digits, “-” or “_”, starting with a letter or digit.',
  'codes.form.error.prefix': 'Use up to 20 letters, digits, “-” or “_”.',
  'codes.form.error.discountMissing': 'Choose what the code does.',
  'codes.form.error.typesMissing': 'Tick at least one ticket type.',
  'codes.form.error.typeUnknown': 'One of the ticket types ticked is not this event’s.',
  'codes.form.error.scopeMissing': 'Choose which ticket types the code is for.',
  'codes.form.error.untilBeforeFrom': 'The code must end after it starts.',
  'codes.form.error.countedPerMissing': 'Choose what one use is.',
  'codes.form.error.reservedOneType': 'To keep tickets aside, tick exactly one ticket type.',
  'codes.form.error.reservedMaxUses': 'To keep tickets aside, say how many uses the code has: that many tickets are kept.',
  'codes.form.error.reservedPerTicket': 'To keep tickets aside, count a use for each ticket.',
  'codes.form.error.wholeNumber': 'Enter a whole number from {min} to {max}.',
  'codes.form.error.amount': 'Enter an amount such as {example}.',
  'codes.form.error.dateTime': 'Enter a date and time, or leave it empty.',
} as const
