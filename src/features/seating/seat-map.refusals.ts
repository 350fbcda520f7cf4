/**
 * Why a change of a seat map, or a buyer's choice of seats, was refused:
 * reasons with their parameters, plain data, and the English words for each
 * in one function, seatMapRefusalText. Seats are named as seatName names them.
 */

/** Why the seats a buyer chose cannot be had. */
export type SeatChoiceRefusal =
  /** Checked on the map before the purchase: `seats` named. */
  | { code: 'taken-since-shown'; seats: string[] }
  | { code: 'seat-not-on-map' }
  /** Found under the purchase's lock: the seats are marked on the form sent back. */
  | { code: 'seats-taken'; count: number }
  | { code: 'no-seats-together'; count: number }

export type SeatMapRefusal =
  | { code: 'no-seats-to-add' }
  | { code: 'too-many-seats'; max: number }
  /** `seats`: the first few names; `more`: how many besides. */
  | { code: 'seats-on-map-already'; seats: string[]; more: number }
  | { code: 'seats-named-twice'; seats: string[]; more: number }
  | { code: 'seats-clash' }
  | { code: 'type-of-another-event' }
  | { code: 'type-sold-without-seats'; ticketType: string }
  | { code: 'no-map-yet' }
  | { code: 'no-such-section'; section: string; sections: string[] }
  | { code: 'no-such-seats'; section: string; seats: string[] }
  | { code: 'taken-cannot-block'; seats: string[] }
  | { code: 'type-short-of-seats'; ticketType: string }
  | { code: 'event-cancelled' }
  | { code: 'event-gone' }
  | { code: 'map-sold' }
  | { code: 'source-without-map'; event: string }
  | { code: 'source-types-missing'; ticketTypes: string[] }

/** A few seats by name, and how many more: "A1; A2, and 3 more". */
function some(seats: string[], more: number): string {
  return seats.join('; ') + (more > 0 ? `, and ${more} more` : '')
}

export function seatMapRefusalText(reason: SeatMapRefusal | SeatChoiceRefusal): string {
  switch (reason.code) {
    case 'taken-since-shown':
      return `Taken since the map was shown: ${reason.seats.join('; ')}. Your other choices are kept: choose again.`
    case 'seat-not-on-map':
      return 'One of the seats chosen is not on this map. Reload the page and choose again.'
    case 'seats-taken':
      return reason.count === 1
        ? 'The seat marked below was taken by someone else a moment ago. Your other choices are kept: choose another seat.'
        : 'The seats marked below were taken by someone else a moment ago. Your other choices are kept: choose other seats.'
    case 'no-seats-together':
      return `No ${reason.count} seats side by side are left of this type. Ask for fewer, or choose seats on the map.`
    case 'no-seats-to-add':
      return 'There are no seats to add.'
    case 'too-many-seats':
      return `A map holds at most ${reason.max} seats.`
    case 'seats-on-map-already':
      return `Some of these seats are on the map already: ${some(reason.seats, reason.more)}. Case, spaces and leading zeros do not count: name the rows or seats differently.`
    case 'seats-named-twice':
      return `Some of these seats are named twice: ${some(reason.seats, reason.more)}. Case, spaces and leading zeros do not count.`
    case 'seats-clash':
      return 'Some of these seats are on the map already (the same section, row and seat). Name the rows or seats differently.'
    case 'type-of-another-event':
      return 'One of the ticket types is not this event’s.'
    case 'type-sold-without-seats':
      return `${reason.ticketType} tickets have been sold without seats, so this type cannot be given seats. Add a new ticket type for the seats.`
    case 'no-map-yet':
      return 'This event has no seat map yet.'
    case 'no-such-section':
      return `This map has no section called ${reason.section}: its sections are ${reason.sections.join(', ')}.`
    case 'no-such-seats':
      return `No such seats in ${reason.section}: ${reason.seats.join(', ')}.`
    case 'taken-cannot-block':
      return `Taken, so they cannot be blocked: ${reason.seats.join(', ')}.`
    case 'type-short-of-seats':
      return `${reason.ticketType} would have fewer seats than the tickets sold and held for the waiting list.`
    case 'event-cancelled':
      return 'This event is cancelled: its seat map can no longer change.'
    case 'event-gone':
      return 'This event no longer exists.'
    case 'map-sold':
      return 'Seats of this map have been sold, so it can no longer be cleared.'
    case 'source-without-map':
      return `${reason.event} has no seat map.`
    case 'source-types-missing':
      return `This event needs ticket types named like the other event’s price categories first: ${reason.ticketTypes.join(', ')}.`
  }
}
