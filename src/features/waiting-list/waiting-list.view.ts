import type { Translate } from '../../i18n/translate.js'
import { type CsvCell, csvDateTime } from '../../lib/csv.js'
import { formatDateTime } from '../../lib/format.js'
import { mailtoHref } from '../../lib/forms.js'
import type { EntryWithEvent } from '../offers/offers.js'
import type { JoinRefusal } from './waiting-list.service.js'

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

/**
 * The organiser's view of the list: each entry with its place and what became
 * of it, in the event's time zone, its instants written by `when` (for people
 * unless told otherwise).
 */
export function toEntryViews(
  entries: EntryWithEvent[],
  timeZone: string,
  t: Translate,
  now = Date.now(),
  when = (ms: number) => formatDateTime(ms, timeZone),
): EntryView[] {
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
      joinedAt: when(entry.createdAt),
      state: entry.state,
      stateLabel: stateLabel(entry, now, when, t),
      removable: entry.state === 'waiting' || entry.state === 'offered',
    }
  })
}

function stateLabel(entry: EntryWithEvent, now: number, when: (ms: number) => string, t: Translate): string {
  switch (entry.state) {
    case 'waiting':
      return t('organiser.waitingList.state.waiting')
    case 'offered':
      return entry.offerExpiresAt! > now
        ? t('organiser.waitingList.state.offered', { quantity: entry.offeredQuantity, until: when(entry.offerExpiresAt!) })
        : t('organiser.waitingList.state.offerRanOut', { quantity: entry.offeredQuantity, at: when(entry.offerExpiresAt!) })
    case 'claimed':
      return t('organiser.waitingList.state.claimed', { quantity: entry.offeredQuantity })
    case 'expired':
      return t('organiser.waitingList.state.expired')
    case 'removed':
      return t('organiser.waitingList.state.removed')
    case 'left':
      return entry.offeredAt === null ? t('organiser.waitingList.state.left') : t('organiser.waitingList.state.declined')
  }
}

export function entryCsvHeader(timeZone: string, t: Translate): CsvCell[] {
  return [
    t('organiser.waitingList.csv.position'),
    t('organiser.waitingList.csv.name'),
    t('organiser.waitingList.csv.email'),
    t('organiser.waitingList.csv.ticketType'),
    t('organiser.waitingList.csv.quantity'),
    t('organiser.waitingList.csv.joinedAt', { timeZone }),
    t('organiser.waitingList.csv.state'),
  ]
}

/** One row per entry, under entryCsvHeader; instants as the attendee export writes them (csvDateTime). */
export function toEntryCsvRows(entries: EntryWithEvent[], timeZone: string, t: Translate, now = Date.now()): CsvCell[][] {
  return toEntryViews(entries, timeZone, t, now, (ms) => csvDateTime(ms, timeZone)).map((view) => [
    view.position ?? '',
    view.name,
    view.email,
    view.ticketTypeName,
    view.quantity,
    view.joinedAt,
    view.stateLabel,
  ])
}

/** Why someone could not join, in words for them. */
export function joinRefusalText(t: Translate, refusal: JoinRefusal): string {
  switch (refusal.kind) {
    case 'duplicate':
      return t('waitingList.join.duplicate')
    case 'type_gone':
      return t('waitingList.join.typeGone')
    case 'no_list':
      return t('waitingList.join.noList')
    case 'not_sold_out':
      return t('waitingList.join.notSoldOut', { type: refusal.ticketTypeName })
  }
}
