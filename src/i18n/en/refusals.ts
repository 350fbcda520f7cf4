/**
 * Why something was refused, as the person who asked reads it: the words of
 * the typed reasons (purchase.refusals.ts, offers.ts, seat-map.refusals.ts,
 * event.refusals.ts, cancellation.ts) and of the domain errors that carry
 * them. The words moved here unchanged: where a sentence always said
 * "tickets" whatever the count ("at most 1 tickets"), it still does. Lists of
 * seats or types come joined, dates formatted (formatDateTime).
 */
export const refusals = {
  'refusal.purchase.noTickets': 'Choose at least one ticket.',
  'refusal.purchase.overOrderLimit': 'One order may hold at most {max} tickets.',
  'refusal.purchase.orderTooLarge': 'This order is larger than one order may be. Please buy fewer tickets at a time.',
  'refusal.purchase.eventUnavailable': 'This event is not available.',
  'refusal.purchase.eventCancelled': 'This event has been cancelled, so tickets are no longer sold.',
  'refusal.purchase.eventOver': 'This event is over, so tickets are no longer sold.',
  'refusal.purchase.eventSoldOut': 'This event is sold out.',
  'refusal.purchase.eventFewLeft':
    '{left, plural, one {Only {left} ticket is left for this event.} other {Only {left} tickets are left for this event.}}',
  'refusal.purchase.ticketsUnavailable': 'The tickets you chose are no longer available.',
  'refusal.purchase.formUsed': 'This form was already used to place an order. Open the event again to buy tickets.',
  'refusal.purchase.overOffer':
    'This offer holds {quantity} {quantity, plural, one {ticket} other {tickets}} of one type: buy up to that many of it.',
  'refusal.purchase.offerLinkInvalid': 'This offer link is not valid. It may have been copied incompletely.',
  'refusal.purchase.overBuyerOrders':
    'Each buyer may place at most {max} {max, plural, one {order} other {orders}} for this event, and the email address you gave has reached that.',
  'refusal.purchase.overBuyerTickets':
    'Each buyer may have at most {max} tickets for this event, counting earlier orders with the same email address. This order would go past that.',
  'refusal.purchase.title': 'Your order could not be completed',
  'refusal.purchase.pricesChanged.title': 'Prices have changed',
  'refusal.purchase.pricesChanged.message': 'Prices have changed since this page was shown.',

  'refusal.ticketType.gone': 'One of the ticket types you chose is no longer offered.',
  'refusal.ticketType.salesNotStarted': '{ticketType}: sales start {salesStart}.',
  'refusal.ticketType.salesEnded': '{ticketType}: sales have ended.',
  'refusal.ticketType.overTypeLimit': '{ticketType}: at most {max} per order.',
  'refusal.ticketType.soldOut': '{ticketType} is sold out.',
  'refusal.ticketType.fewLeft': '{ticketType}: you asked for {asked}, only {left} {left, plural, one {is} other {are}} left.',

  'refusal.offer.used': 'This offer has been used: its tickets were bought. A link from the waiting list works once.',
  'refusal.offer.expired': 'This offer has expired, and its tickets went back to the waiting list.',
  'refusal.offer.givenUp': 'This offer is no longer open: its place on the waiting list was given up.',
  'refusal.offer.closed': 'This offer is no longer open.',

  'refusal.seatChoice.takenSinceShown': 'Taken since the map was shown: {seats}. Your other choices are kept: choose again.',
  'refusal.seatChoice.seatNotOnMap': 'One of the seats chosen is not on this map. Reload the page and choose again.',
  'refusal.seatChoice.seatsTaken':
    '{count, plural, one {The seat marked below was taken by someone else a moment ago. Your other choices are kept: choose another seat.} other {The seats marked below were taken by someone else a moment ago. Your other choices are kept: choose other seats.}}',
  'refusal.seatChoice.noSeatsTogether': 'No {count} seats side by side are left of this type. Ask for fewer, or choose seats on the map.',
  'refusal.seatChoice.seatsTaken.title': 'Some seats are no longer free',
  'refusal.seatChoice.noSeatsTogether.title': 'Not enough seats side by side',

  'refusal.seatMap.noSeatsToAdd': 'There are no seats to add.',
  'refusal.seatMap.tooManySeats': 'A map holds at most {max} seats.',
  'refusal.seatMap.seatsOnMapAlready':
    'Some of these seats are on the map already: {seats}{more, plural, =0 {} other {, and {more} more}}. Case, spaces and leading zeros do not count: name the rows or seats differently.',
  'refusal.seatMap.seatsNamedTwice':
    'Some of these seats are named twice: {seats}{more, plural, =0 {} other {, and {more} more}}. Case, spaces and leading zeros do not count.',
  'refusal.seatMap.seatsClash':
    'Some of these seats are on the map already (the same section, row and seat). Name the rows or seats differently.',
  'refusal.seatMap.typeOfAnotherEvent': 'One of the ticket types is not this event’s.',
  'refusal.seatMap.typeSoldWithoutSeats':
    '{ticketType} tickets have been sold without seats, so this type cannot be given seats. Add a new ticket type for the seats.',
  'refusal.seatMap.noMapYet': 'This event has no seat map yet.',
  'refusal.seatMap.noSuchSection': 'This map has no section called {section}: its sections are {sections}.',
  'refusal.seatMap.noSuchSeats': 'No such seats in {section}: {seats}.',
  'refusal.seatMap.takenCannotBlock': 'Taken, so they cannot be blocked: {seats}.',
  'refusal.seatMap.typeShortOfSeats': '{ticketType} would have fewer seats than the tickets sold and held for the waiting list.',
  'refusal.seatMap.eventCancelled': 'This event is cancelled: its seat map can no longer change.',
  'refusal.seatMap.eventGone': 'This event no longer exists.',
  'refusal.seatMap.mapSold': 'Seats of this map have been sold, so it can no longer be cleared.',
  'refusal.seatMap.sourceWithoutMap': '{event} has no seat map.',
  'refusal.seatMap.sourceTypesMissing': 'This event needs ticket types named like the other event’s price categories first: {ticketTypes}.',

  'refusal.event.publishCancelled': 'This event is cancelled and cannot be published again.',
  'refusal.event.alreadyPublic': 'This event is already public. Unpublish it first to hide it until a later date.',
  'refusal.event.endsBeforePublication': 'This event ends before that moment, so it could never go on sale. Choose an earlier moment.',
  'refusal.event.noTicketTypes': 'Add at least one ticket type before publishing.',
  'refusal.event.notPublished': 'Only a published or scheduled event can be unpublished.',
  'refusal.event.alreadyCancelled': 'This event is already cancelled.',
  'refusal.event.hasOrders':
    'This event has {orders, plural, one {an order} other {{orders} orders}}, so it cannot be deleted. Cancel it instead: its buyers keep a record of what happened.',
  'refusal.event.typeOrdered':
    '{ticketType} has been ordered ({tickets} {tickets, plural, one {ticket} other {tickets}}), so it cannot be deleted. To stop selling it, lower its capacity to what is sold.',
  'refusal.event.lastTicketType': 'A published event needs at least one ticket type. Add another first, or unpublish the event.',
  'refusal.event.onSaleAfterEnd':
    'In this time zone the event would go on sale only after this end. Choose a later end, or another time zone.',
  'refusal.event.salesRunPastEnd':
    'Sales of “{ticketType}” run until {salesEnd}, after this end. Change them first, or choose a later end.',
  'refusal.event.salesStartAfterEnd':
    'Sales of “{ticketType}” start {salesStart}, after this end. Change them first, or choose a later end.',
  'refusal.event.capacityBelowSold':
    '{sold} tickets are already sold{held, plural, =0 {} other { and {held} held for offers to the waiting list}}, so the capacity cannot be lower than {least}.',
  'refusal.event.typeCapacityBelowSold':
    '{sold} tickets of this type are already sold{held, plural, =0 {} other { and {held} held for offers to the waiting list}}, so its capacity cannot be lower than {least}.',
  'refusal.event.nameTaken': 'This event already has a ticket type called “{name}”. Give this one a name of its own.',
  'refusal.event.typesOfCancelledEvent': 'This event is cancelled: its ticket types can no longer change.',
  'refusal.event.noSuchTicketType': 'This ticket type no longer exists: it may have been deleted since the page was opened.',

  'refusal.cancellation.eventCancelled': 'The organiser cancelled this event.',
  'refusal.cancellation.checkedIn': 'A ticket of this order has been used at the door, so the order can no longer be cancelled.',
  'refusal.cancellation.eventStarted': 'The event has started, so this order can no longer be cancelled.',
  'refusal.cancellation.notAllowed': 'The organiser does not allow buyers to cancel orders for this event.',
  'refusal.cancellation.checkedIn.title': 'This order can no longer be cancelled',
} as const
