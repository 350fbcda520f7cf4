import type { TicketTypeRow } from '../../db/schema.js'
import type { DoorPass } from '../../plugins/auth.js'
import type { Event } from '../events/event.model.js'
import { inSalesWindow, isOnSale, remainingOf } from '../events/event.rules.js'

/**
 * The box office's rules: who sells at an event's desk, and what it sells.
 *
 * The organiser (and admins) sell; door staff too when the organiser lets
 * them, by their own account, so that what they take is theirs in the
 * takings. Never a staff link: it names no one, and may be passed on.
 */
export function maySellAtDesk(event: Pick<Event, 'staffMaySell'>, pass: DoorPass): boolean {
  return pass.manages || (pass.actorId !== null && event.staffMaySell)
}

/**
 * A ticket type the desk can sell now: the event on sale (published and not
 * over), the type's sales window open unless the organiser lets the desk sell
 * outside it, and some left. The purchase's guarded UPDATEs say the same
 * under the lock (the box-office channel's limits in purchase.service.ts).
 */
export function deskSells(
  type: Pick<TicketTypeRow, 'capacity' | 'sold' | 'held' | 'salesStartAt' | 'salesEndAt'>,
  event: Pick<Event, 'status' | 'publishedAt' | 'endsAt' | 'capacity' | 'sold' | 'held' | 'deskIgnoresSalesWindows'>,
  now = Date.now(),
): boolean {
  return isOnSale(event, now) && (event.deskIgnoresSalesWindows || inSalesWindow(type, now)) && remainingOf(type, event) > 0
}
