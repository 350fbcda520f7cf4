/**
 * Why a change of a seat map, or a buyer's choice of seats, was refused:
 * reasons with their parameters, plain data, and their words, in the
 * catalogue (src/i18n/en/refusals.ts), said by one function,
 * seatMapRefusalText. Seats are named as seatName names them.
 */
import type { Translate } from '../../i18n/translate.js'

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

export function seatMapRefusalText(t: Translate, reason: SeatMapRefusal | SeatChoiceRefusal): string {
  switch (reason.code) {
    case 'taken-since-shown':
      return t('refusal.seatChoice.takenSinceShown', { seats: reason.seats.join('; ') })
    case 'seat-not-on-map':
      return t('refusal.seatChoice.seatNotOnMap')
    case 'seats-taken':
      return t('refusal.seatChoice.seatsTaken', { count: reason.count })
    case 'no-seats-together':
      return t('refusal.seatChoice.noSeatsTogether', { count: reason.count })
    case 'no-seats-to-add':
      return t('refusal.seatMap.noSeatsToAdd')
    case 'too-many-seats':
      return t('refusal.seatMap.tooManySeats', { max: reason.max })
    // A few seats by name, and how many more: "A1; A2, and 3 more".
    case 'seats-on-map-already':
      return t('refusal.seatMap.seatsOnMapAlready', { seats: reason.seats.join('; '), more: reason.more })
    case 'seats-named-twice':
      return t('refusal.seatMap.seatsNamedTwice', { seats: reason.seats.join('; '), more: reason.more })
    case 'seats-clash':
      return t('refusal.seatMap.seatsClash')
    case 'type-of-another-event':
      return t('refusal.seatMap.typeOfAnotherEvent')
    case 'type-sold-without-seats':
      return t('refusal.seatMap.typeSoldWithoutSeats', { ticketType: reason.ticketType })
    case 'no-map-yet':
      return t('refusal.seatMap.noMapYet')
    case 'no-such-section':
      return t('refusal.seatMap.noSuchSection', { section: reason.section, sections: reason.sections.join(', ') })
    case 'no-such-seats':
      return t('refusal.seatMap.noSuchSeats', { section: reason.section, seats: reason.seats.join(', ') })
    case 'taken-cannot-block':
      return t('refusal.seatMap.takenCannotBlock', { seats: reason.seats.join(', ') })
    case 'type-short-of-seats':
      return t('refusal.seatMap.typeShortOfSeats', { ticketType: reason.ticketType })
    case 'event-cancelled':
      return t('refusal.seatMap.eventCancelled')
    case 'event-gone':
      return t('refusal.seatMap.eventGone')
    case 'map-sold':
      return t('refusal.seatMap.mapSold')
    case 'source-without-map':
      return t('refusal.seatMap.sourceWithoutMap', { event: reason.event })
    case 'source-types-missing':
      return t('refusal.seatMap.sourceTypesMissing', { ticketTypes: reason.ticketTypes.join(', ') })
  }
}
