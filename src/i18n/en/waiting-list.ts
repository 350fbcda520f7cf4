/** The waiting list as an attendee meets it: joining, and leaving by the link in its mail. */
export const waitingList = {
  'waitingList.join.title': 'Waiting list · {event}',
  'waitingList.join.heading': 'Join the waiting list',
  'waitingList.join.notOpen': '{type} has no waiting list open now: it is not sold out, not on sale, or the organiser keeps no list.',
  'waitingList.join.seeTickets': 'See the tickets',
  'waitingList.join.howItWorks':
    '{type} tickets are sold out. When tickets come back, they are offered to the people on the list in the order they joined: we hold them for you for a while and send you a link to buy them.',
  'waitingList.join.name': 'Name',
  'waitingList.join.email': 'Email',
  'waitingList.join.emailHint': 'The offer is sent here, with a link to leave the list.',
  'waitingList.join.quantity': 'How many tickets',
  'waitingList.join.quantityHint': 'From 1 to {most}.',
  'waitingList.join.submit': 'Join the waiting list',
  'waitingList.join.nameTooLong': 'Use at most 100 characters.',
  'waitingList.join.quantityInvalid': 'Enter how many {type} tickets you want, from 1 to {most}.',
  'waitingList.join.duplicate': 'This email address is already on the waiting list for these tickets.',
  'waitingList.join.typeGone': 'This ticket type is no longer offered.',
  'waitingList.join.notSoldOut': '{type} is not sold out (or not on sale) now, so there is no waiting list to join.',
  'waitingList.join.noList': 'This event has no waiting list.',

  'waitingList.leave.title': 'Leave the waiting list',
  'waitingList.leave.noLongerBefore': 'You are no longer on the waiting list for {type} at',
  'waitingList.leave.onListBefore': 'You are on the waiting list for {type} at',
  'waitingList.leave.offered': 'Tickets are held for you now: leaving gives them to the next person.',
  'waitingList.leave.submit': 'Leave the waiting list',
  'waitingList.leave.stay': 'Stay on it',
} as const
