import type { CsvCell } from '../../lib/csv.js'
import { formatDateTime } from '../../lib/format.js'
import { mailtoHref } from '../../lib/forms.js'
import type { EntryWithEvent } from '../offers/offers.js'

export interface EntryView {
  id: number
  /** Place in the queue of its ticket type, counting only those still waiting; null once offered or gone. */
  position: number | null
  name: string
  email: string
  mailto: string
  ticketTypeId: number
  ticketTypeName: string
  quantity: number
  joinedAt: string
  state: EntryWithEvent['state']
  stateLabel: string
  removable: boolean
}

/** The organiser's view of the list: each entry with its place and what became of it, in the event's time zone. */
export function toEntryViews(entries: EntryWithEvent[], timeZone: string, now = Date.now()): EntryView[] {
  const waitingBefore = new Map<number, number>()
  return entries.map((entry) => {
    let position: number | null = null
    if (entry.state === 'waiting') {
      position = (waitingBefore.get(entry.ticketTypeId) ?? 0) + 1
      waitingBefore.set(entry.ticketTypeId, position)
    }
    return {
      id: entry.id,
      position,
      name: entry.name,
      email: entry.email,
      mailto: mailtoHref(entry.email),
      ticketTypeId: entry.ticketTypeId,
      ticketTypeName: entry.ticketTypeName,
      quantity: entry.quantity,
      joinedAt: formatDateTime(entry.createdAt, timeZone),
      state: entry.state,
      stateLabel: stateLabel(entry, timeZone, now),
      removable: entry.state === 'waiting' || entry.state === 'offered',
    }
  })
}

function stateLabel(entry: EntryWithEvent, timeZone: string, now: number): string {
  switch (entry.state) {
    case 'waiting':
      return 'Waiting'
    case 'offered':
      return entry.offerExpiresAt! > now
        ? `Offered ${entry.offeredQuantity} until ${formatDateTime(entry.offerExpiresAt!, timeZone)}`
        : `Offer of ${entry.offeredQuantity} ran out ${formatDateTime(entry.offerExpiresAt!, timeZone)}`
    case 'claimed':
      return `Claimed ${entry.offeredQuantity}`
    case 'expired':
      return 'Offer expired'
    case 'removed':
      return 'Removed'
    case 'left':
      return entry.offeredAt === null ? 'Left' : 'Declined the offer'
  }
}

export const ENTRY_CSV_HEADER: CsvCell[] = ['Position', 'Name', 'Email', 'Ticket type', 'Quantity', 'Joined', 'State']

export function toEntryCsvRows(views: EntryView[]): CsvCell[][] {
  return views.map((view) => [
    view.position ?? '',
    view.name,
    view.email,
    view.ticketTypeName,
    view.quantity,
    view.joinedAt,
    view.stateLabel,
  ])
}
