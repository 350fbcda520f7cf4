/**
 * Words of the messages the site mails (views/mail/, src/features/mail/).
 * The plain-text part says a sentence whole; where the HTML part marks up a
 * piece of one (a title in <strong>, a link), it says the words around the
 * piece as "before" and "after" parts, which hold their own spaces.
 */
export const mail = {
  'mail.layout.footer': 'This message was sent by {siteName}.',
  'mail.layout.footerWithContactBefore': 'This message was sent by {siteName}. Questions? Write to ',
  'mail.layout.footerWithContactAfter': '.',

  'mail.shared.seeTheOrder': 'See the order',
  'mail.shared.seeTheOrderAt': 'See the order: {link}',
  'mail.shared.seeTheEvent': 'See the event',
  'mail.shared.theEventAt': 'The event: {link}',

  'mail.orderConfirmation.subject': 'Your tickets for {eventTitle} (order {code})',
  'mail.orderAwaitingPayment.subject': 'Order {code} for {eventTitle}: awaiting your payment',
  'mail.orderPaid.subject': 'Payment received: your tickets for {eventTitle} (order {code})',
  'mail.orderExpired.subject': 'Order {code} has expired',
  'mail.orderRefunded.subject': 'A refund for order {code}',
  'mail.orderConfirmation.heading': 'Your tickets for {eventTitle}',
  'mail.orderConfirmation.booked': 'Thank you, {name}. Order {code} is booked.',
  'mail.orderConfirmation.bookedBefore': 'Thank you, {name}. Order ',
  'mail.orderConfirmation.bookedAfter': ' is booked.',
  'mail.orderConfirmation.when': 'When',
  'mail.orderConfirmation.where': 'Where',
  'mail.orderConfirmation.total': 'Total',
  'mail.orderConfirmation.whenLine': 'When:  {when}',
  'mail.orderConfirmation.whereLine': 'Where: {venue}',
  'mail.orderConfirmation.totalLine': 'Total: {total}',
  'mail.orderConfirmation.tickets': 'Tickets',
  'mail.orderConfirmation.ticketsHeading': 'Tickets:',
  'mail.orderConfirmation.linkNote':
    'Your order, with a QR code for each ticket to show at the door, is at this link. Keep it: it opens the order from any device.',
  // Plain text keeps its lines short: the line break is the sentence's own.
  'mail.orderConfirmation.linkNotePlain':
    'Your order, with a QR code for each ticket to show at the door, is at this\nlink. Keep it: it opens the order from any device.',
  'mail.orderConfirmation.openOrder': 'Open your order',
  'mail.orderConfirmation.calendarNote': 'The attached calendar file (event.ics) adds the event to your calendar.',
  'mail.orderConfirmation.calendarDescription': 'Order {code}, {count, plural, one {{count} ticket} other {{count} tickets}}: {link}',
  'mail.orderConfirmation.payAtDoor': 'Pay {amount} at the door when you arrive. Your tickets are reserved for you until then.',
  'mail.orderConfirmation.payAtDoorBefore': 'Pay ',
  'mail.orderConfirmation.payAtDoorAfter': ' at the door when you arrive. Your tickets are reserved for you until then.',

  'mail.orderAwaitingPayment.heading': 'Your order for {eventTitle} is waiting for payment',
  'mail.orderAwaitingPayment.held':
    'Thank you, {name}. Order {code} is placed, and its {count, plural, one {ticket is} other {{count} tickets are}} held for you until {deadline}. Pay before then, or {count, plural, one {it goes} other {they go}} back on sale.',
  'mail.orderAwaitingPayment.heldBefore': 'Thank you, {name}. Order ',
  'mail.orderAwaitingPayment.heldMiddle':
    ' is placed, and its {count, plural, one {ticket is} other {{count} tickets are}} held for you until ',
  'mail.orderAwaitingPayment.heldAfter': '. Pay before then, or {count, plural, one {it goes} other {they go}} back on sale.',
  // Aligned with each other in plain text, as a block of their own.
  'mail.orderAwaitingPayment.dueLine': 'To pay:  {amount}',
  'mail.orderAwaitingPayment.methodLine': 'Payment: {method}',
  'mail.orderAwaitingPayment.payByLine': 'Pay by:  {deadline}',
  'mail.orderAwaitingPayment.payByCard': 'Pay by card on your order’s page:',
  'mail.orderAwaitingPayment.payByCardPlain': "Pay by card on your order's page:",
  'mail.orderAwaitingPayment.bankDetailsHeading': 'Bank details:',
  'mail.orderAwaitingPayment.amountLine': 'Amount:    {amount}',
  'mail.orderAwaitingPayment.referenceLine': 'Reference: {code}',
  'mail.orderAwaitingPayment.ticketsFollowCard': 'Your tickets come by mail as soon as your payment has arrived.',
  'mail.orderAwaitingPayment.ticketsFollowTransfer':
    'The organiser marks your order paid when the transfer arrives, and your tickets come by mail then.',

  'mail.orderPaid.heading': 'Your tickets for {eventTitle}',
  'mail.orderPaid.paid': 'Thank you, {name}. Your payment for order {code} has arrived: here are your tickets.',
  'mail.orderPaid.paidBefore': 'Thank you, {name}. Your payment for order ',
  'mail.orderPaid.paidAfter': ' has arrived: here are your tickets.',

  'mail.orderExpired.heading': 'Order {code} has expired',
  'mail.orderExpired.expired':
    '{name}, your order {code} for {eventTitle} ({when}) was not paid in time. It has expired, and its {count, plural, one {ticket went} other {{count} tickets went}} back on sale.',
  'mail.orderExpired.expiredBefore': '{name}, your order {code} for ',
  'mail.orderExpired.expiredAfter':
    ' ({when}) was not paid in time. It has expired, and its {count, plural, one {ticket went} other {{count} tickets went}} back on sale.',
  'mail.orderExpired.orderAgain': 'If you still want to go, you can order again on the event’s page, while tickets are left.',
  'mail.orderExpired.orderAgainPlain': "If you still want to go, you can order again on the event's page, while tickets are left.",

  'mail.orderRefunded.heading': 'A refund for order {code}',
  'mail.orderRefunded.tooLateHeading': 'Your payment for order {code} came too late',
  'mail.orderRefunded.refunded': '{name}, {amount} of your order {code} for {eventTitle} has been refunded.',
  'mail.orderRefunded.refundedBefore': '{name}, {amount} of your order {code} for ',
  'mail.orderRefunded.refundedAfter': ' has been refunded.',
  'mail.orderRefunded.tooLate':
    '{name}, your payment of {amount} for order {code} arrived after the order had expired, and its tickets had gone to other buyers by then. We are sorry: the payment came too late, so it has been returned to you in full.',
  'mail.orderRefunded.tooLateBefore': '{name}, your payment of {amount} for order ',
  'mail.orderRefunded.tooLateAfter':
    ' arrived after the order had expired, and its tickets had gone to other buyers by then. We are sorry: the payment came too late, so it has been returned to you in full.',
  'mail.orderRefunded.toCard': 'The money goes back to the card you paid with. Your bank may take a few days to show it.',
  'mail.orderRefunded.refundedLine': 'Refunded:    {amount} on {when}',
  'mail.orderRefunded.totalLine': 'Order total: {total}',
  'mail.orderRefunded.amountOn': '{amount} on {when}',
  'mail.orderRefunded.refundedLabel': 'Refunded',
  'mail.orderRefunded.totalLabel': 'Order total',

  'mail.orderCancelled.subject': 'Order {code} is cancelled',
  'mail.orderCancelled.heading': 'Order {code} is cancelled',
  'mail.orderCancelled.cancelled':
    '{name}, your order for {eventTitle} ({when}) is cancelled, as you asked. Its {count, plural, one {ticket is} other {{count} tickets are}} no longer valid.',
  'mail.orderCancelled.cancelledBefore': '{name}, your order for ',
  'mail.orderCancelled.cancelledAfter':
    ' ({when}) is cancelled, as you asked. Its {count, plural, one {ticket is} other {{count} tickets are}} no longer valid.',

  'mail.ticketsCancelled.subject': '{count, plural, one {A ticket} other {Tickets}} of order {code} cancelled',
  'mail.ticketsCancelled.heading': '{count, plural, one {A ticket} other {{count} tickets}} of order {code} cancelled',
  'mail.ticketsCancelled.cancelled':
    'Hello {name}. The organiser of {eventTitle} ({when}) cancelled {count, plural, one {one ticket} other {{count} tickets}} of your order {code}. {count, plural, one {It is} other {They are}} no longer valid.',
  'mail.ticketsCancelled.cancelledBefore': 'Hello {name}. The organiser of ',
  'mail.ticketsCancelled.cancelledAfter':
    ' ({when}) cancelled {count, plural, one {one ticket} other {{count} tickets}} of your order {code}. {count, plural, one {It is} other {They are}} no longer valid.',
  'mail.ticketsCancelled.cancelledHeading': 'Cancelled:',
  'mail.ticketsCancelled.ticketCancelled': 'cancelled',
  'mail.ticketsCancelled.refundToCard':
    '{amount} is refunded to the card you paid with. Your bank may take a few days to show it; we write again once it is on its way.',
  'mail.ticketsCancelled.refundByHand': 'The organiser gives you back {amount}.',
  'mail.ticketsCancelled.nowDue': 'Nothing had been paid for them: your order now comes to {amount}.',
  'mail.ticketsCancelled.noRefund': 'No money is refunded for them.',
  'mail.ticketsCancelled.restValid':
    'Your other {count, plural, one {ticket stays} other {{count} tickets stay}} valid, with the codes you have.',

  'mail.eventCancelled.subject': 'Cancelled: {eventTitle}',
  'mail.eventCancelled.heading': '{eventTitle} is cancelled',
  'mail.eventCancelled.sorry': '{name}, we are sorry: the organiser cancelled {eventTitle}, which was to take place {when} at {venue}.',
  'mail.eventCancelled.sorryBefore': '{name}, we are sorry: the organiser cancelled ',
  'mail.eventCancelled.sorryAfter': ', which was to take place {when} at {venue}.',
  'mail.eventCancelled.orderCancelled': 'Your order {code} is cancelled with it, and its tickets are no longer valid.',
  'mail.eventCancelled.orderCancelledBefore': 'Your order ',
  'mail.eventCancelled.orderCancelledAfter': ' is cancelled with it, and its tickets are no longer valid.',

  'mail.eventChanged.subject': 'Changed: {eventTitle}',
  'mail.eventChanged.heading': '{eventTitle} has changed',
  'mail.eventChanged.changed':
    '{name}, the organiser changed when or where {eventTitle} takes place. Your order {code} and its tickets stay valid.',
  'mail.eventChanged.changedBefore': '{name}, the organiser changed when or where ',
  'mail.eventChanged.changedAfter': ' takes place.',
  'mail.eventChanged.stayValidBefore': 'Your order ',
  'mail.eventChanged.stayValidAfter': ' and its tickets stay valid.',
  'mail.eventChanged.now': 'Now',
  'mail.eventChanged.before': 'Before',
  'mail.eventChanged.starts': 'Starts',
  'mail.eventChanged.ends': 'Ends',
  'mail.eventChanged.where': 'Where',
  'mail.eventChanged.nowHeading': 'Now:',
  'mail.eventChanged.beforeHeading': 'Before:',
  'mail.eventChanged.startsLine': 'Starts: {starts}',
  'mail.eventChanged.endsLine': 'Ends:   {ends}',
  'mail.eventChanged.whereLine': 'Where:  {venue}',

  'mail.passwordReset.subject': 'Reset your password for {siteName}',
  'mail.passwordReset.heading': 'Reset your password',
  'mail.passwordReset.asked': '{name}, someone (we hope you) asked to reset the password of your account on {siteName}.',
  'mail.passwordReset.choose': 'Choose a new password',
  'mail.passwordReset.chooseHere': 'Choose a new password here:',
  'mail.passwordReset.worksOnce':
    'The link works once, until {expires}. If you did not ask for it, ignore this message: your password stays as it is.',

  'mail.organiserApproved.subject': 'You can organise events on {siteName}',
  'mail.organiserApproved.heading': 'You can organise events now',
  'mail.organiserApproved.approved': '{name}, an admin of {siteName} approved your request to organise events.',
  'mail.organiserApproved.createEvent': 'Create your first event',
  'mail.organiserApproved.createEventAt': 'Create your first event: {link}',

  'mail.organiserRequested.subject': '{name} asks to organise events on {siteName}',
  'mail.organiserRequested.heading': 'A request to organise events',
  'mail.organiserRequested.asks':
    "{name} ({email}) signed up on {siteName} and asks to organise events. Until an admin approves, their account is an attendee's.",
  'mail.organiserRequested.approveOrDecline': 'Approve or decline',
  'mail.organiserRequested.approveOrDeclineAt': 'Approve or decline: {link}',

  'mail.doorStaffAdded.subject': 'You can check in tickets for {eventTitle}',
  'mail.doorStaffAdded.heading': 'You can check in tickets for {eventTitle}',
  'mail.doorStaffAdded.added': '{name}, {addedBy} added you to the door staff of {eventTitle}, {when}.',
  /** Who added the door staff, when the grant no longer names them. */
  'mail.doorStaffAdded.theOrganiser': 'The organiser',
  'mail.doorStaffAdded.howTo':
    'Log in to {siteName} with this email address and open the door page: it lists the events whose tickets you may check in, and the check-in page takes a barcode scanner, the keyboard or the phone’s camera.',
  // The plain-text part has always written a straight apostrophe.
  'mail.doorStaffAdded.howToPlain':
    "Log in to {siteName} with this email address and open the door page: it lists the events whose tickets you may check in, and the check-in page takes a barcode scanner, the keyboard or the phone's camera.",
  'mail.doorStaffAdded.openDoorPage': 'Open the door page',
  'mail.doorStaffAdded.doorPageAt': 'The door page: {link}',

  'mail.test.subject': 'Test message from {siteName}',
  'mail.test.heading': 'Test message',
  'mail.test.body':
    'This is the test message {requestedBy} asked for in the site settings of {siteName} ({siteUrl}). Mail from the site reaches this address.',
  'mail.test.bodyBefore': 'This is the test message {requestedBy} asked for in the site settings of ',
  'mail.test.bodyAfter': '. Mail from the site reaches this address.',

  'mail.waitingListJoined.subject': 'You are on the waiting list for {eventTitle}',
  'mail.waitingListJoined.heading': 'You are on the waiting list',
  'mail.waitingListJoined.joined':
    '{name}, you are on the waiting list for {quantity, plural, one {a ticket} other {{quantity} tickets}} ({ticketType}) to {eventTitle}. When tickets come back, they are offered to the people on the list in the order they joined, and we write to you when it is your turn.',
  'mail.waitingListJoined.joinedBefore':
    '{name}, you are on the waiting list for {quantity, plural, one {a ticket} other {{quantity} tickets}} ({ticketType}) to ',
  'mail.waitingListJoined.joinedAfter':
    '. When tickets come back, they are offered to the people on the list in the order they joined, and we write to you when it is your turn.',
  'mail.waitingListJoined.leaveBefore': 'No longer interested? ',
  'mail.waitingListJoined.leave': 'Leave the waiting list',
  'mail.waitingListJoined.leaveAfter': '.',
  'mail.waitingListJoined.leaveHere': 'No longer interested? Leave the waiting list here:',

  'mail.waitingListOffer.subject': 'Tickets for {eventTitle} are held for you',
  'mail.waitingListOffer.heading': '{quantity, plural, one {Your ticket is} other {Your tickets are}} held for you',
  'mail.waitingListOffer.held':
    '{name}, tickets came back for {eventTitle}: {quantity, plural, one {{quantity} ticket} other {{quantity} tickets}} ({ticketType}){fewerThanAsked, select, true {, of the {asked} you asked for,} other {}} {quantity, plural, one {is} other {are}} held for you until {expires}. Nobody else can buy {quantity, plural, one {it} other {them}} until then.',
  'mail.waitingListOffer.heldBefore': '{name}, tickets came back for ',
  'mail.waitingListOffer.heldMiddle':
    ': {quantity, plural, one {{quantity} ticket} other {{quantity} tickets}} ({ticketType}){fewerThanAsked, select, true {, of the {asked} you asked for,} other {}} {quantity, plural, one {is} other {are}} held for you until ',
  'mail.waitingListOffer.heldAfter': '. Nobody else can buy {quantity, plural, one {it} other {them}} until then.',
  'mail.waitingListOffer.buy': '{quantity, plural, one {Buy your ticket} other {Buy your tickets}}',
  'mail.waitingListOffer.buyHere': '{quantity, plural, one {Buy your ticket here:} other {Buy your tickets here:}}',
  'mail.waitingListOffer.worksOnce':
    'The link works once. {quantity, plural, one {If you do not buy it by then, or you decline it on that page, it goes} other {If you do not buy them by then, or you decline them on that page, they go}} to the next person on the waiting list.',

  'mail.waitingListExpired.subject': 'Your offer for {eventTitle} has expired',
  'mail.waitingListExpired.heading': 'Your offer has expired',
  'mail.waitingListExpired.expired':
    '{name}, the tickets ({ticketType}) held for you for {eventTitle} were not bought in time, so they went to the next person on the waiting list.',
  'mail.waitingListExpired.expiredBefore': '{name}, the tickets ({ticketType}) held for you for ',
  'mail.waitingListExpired.expiredAfter': ' were not bought in time, so they went to the next person on the waiting list.',

  'mail.waitingListEventCancelled.subject': 'Cancelled: {eventTitle}',
  'mail.waitingListEventCancelled.heading': '{eventTitle} is cancelled',
  'mail.waitingListEventCancelled.closed':
    '{name}, the organiser cancelled {eventTitle}, so its waiting list for {ticketType} is closed. No tickets will be offered, and nothing was charged.',
  'mail.waitingListEventCancelled.closedBefore': '{name}, the organiser cancelled ',
  'mail.waitingListEventCancelled.closedAfter':
    ', so its waiting list for {ticketType} is closed. No tickets will be offered, and nothing was charged.',
} as const
