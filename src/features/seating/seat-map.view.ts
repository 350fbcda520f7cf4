import type { SeatKind, TicketTypeRow } from '../../db/schema.js'
import { formatMoney } from '../../lib/format.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import type { Translate } from '../../i18n/translate.js'
import { labelKey } from './seat-labels.js'
import type { SeatOnMap } from './seat.model.js'
import { money } from '../../lib/money.js'

/**
 * The map as the templates draw it: sections of rows of cells, each cell a
 * seat or the gap of an aisle, left to right as x runs, so that the page
 * needs no inline style (the CSP allows none). Every seat says in words what
 * it is ("Row F, seat 12, Stalls, €40.00"), for screen readers and for the
 * form's messages.
 */
export interface SeatMapView {
  sections: SectionView[]
  categories: CategoryView[]
  seats: number
  free: number
}

export interface SectionView {
  name: string
  rows: { label: string; cells: CellView[] }[]
}

export type CellView = { gap: true } | SeatView

export interface SeatView {
  gap: false
  id: number
  /** Its price category: the buy form counts a ticked seat at that type's price. */
  ticketTypeId: number
  seatLabel: string
  /** "Row F, seat 12, Stalls, €40.00" and what kind of seat, if not an ordinary one. */
  name: string
  kind: SeatKind
  state: SeatState
  /** What a screen reader hears after the seat's name where it is not a box to tick. */
  stateLabel: string
  /** 1, 2, … in the order of the ticket types: the colour of its price category. */
  category: number
  /** Chosen in the form being shown again. */
  checked: boolean
  /** Taken by someone else between the form and the purchase: marked on the form that comes back. */
  justTaken: boolean
}

export interface CategoryView {
  id: number
  number: number
  name: string
  price: string
  free: number
}

export type SeatState = 'free' | 'taken' | 'blocked'

const STATE_LABELS: Record<SeatState, MessageKey> = {
  free: 'seating.seat.free',
  taken: 'seating.seat.taken',
  blocked: 'seating.seat.blocked',
}

export function toSeatMapView(
  seats: SeatOnMap[],
  types: TicketTypeRow[],
  currency: string,
  t: Translate,
  form: { chosen?: Set<number>; justTaken?: Set<number> } = {},
): SeatMapView {
  const categoryOf = new Map(types.map((type, i) => [type.id, i + 1]))
  const priceOf = new Map(types.map((type) => [type.id, formatMoney(money(type.priceMinor, currency))]))
  // Sections and rows by key, each shown as first spelled (seat-labels.ts): a map made before labels were
  // compared so (migration 0013) may spell one row two ways.
  const sections = new Map<string, { name: string; rows: Map<string, { label: string; seats: SeatOnMap[] }> }>()
  for (const seat of seats) {
    const sectionKey = labelKey(seat.section)
    let section = sections.get(sectionKey)
    if (!section) sections.set(sectionKey, (section = { name: seat.section, rows: new Map() }))
    const rowKey = labelKey(seat.rowLabel)
    const row = section.rows.get(rowKey)
    if (row) row.seats.push(seat)
    else section.rows.set(rowKey, { label: seat.rowLabel, seats: [seat] })
  }
  const sectionViews: SectionView[] = []
  for (const { name, rows } of sections.values()) {
    const all = [...rows.values()].flatMap((row) => row.seats)
    const left = Math.min(...all.map((seat) => seat.x))
    sectionViews.push({
      name,
      rows: [...rows.values()].map(({ label, seats: rowSeats }) => {
        const byX = new Map(rowSeats.map((seat) => [seat.x, seat]))
        const right = Math.max(...rowSeats.map((seat) => seat.x))
        const cells: CellView[] = []
        for (let x = left; x <= right; x++) {
          const seat = byX.get(x)
          cells.push(
            seat
              ? seatView(seat, name, priceOf.get(seat.ticketTypeId) ?? '', categoryOf.get(seat.ticketTypeId) ?? 0, form, t)
              : { gap: true },
          )
        }
        return { label, cells }
      }),
    })
  }
  const freeSeats = seats.filter((seat) => !seat.taken && !seat.blocked)
  return {
    sections: sectionViews,
    categories: types
      .filter((type) => seats.some((seat) => seat.ticketTypeId === type.id))
      .map((type) => ({
        id: type.id,
        number: categoryOf.get(type.id)!,
        name: type.name,
        price: priceOf.get(type.id)!,
        free: freeSeats.filter((seat) => seat.ticketTypeId === type.id).length,
      })),
    seats: seats.length,
    free: freeSeats.length,
  }
}

function seatView(
  seat: SeatOnMap,
  section: string,
  price: string,
  category: number,
  form: { chosen?: Set<number>; justTaken?: Set<number> },
  t: Translate,
): SeatView {
  const state: SeatState = seat.blocked ? 'blocked' : seat.taken ? 'taken' : 'free'
  return {
    gap: false,
    id: seat.id,
    ticketTypeId: seat.ticketTypeId,
    seatLabel: seat.seatLabel,
    name: t('seating.seat.name', { row: seat.rowLabel, seat: seat.seatLabel, section, price, kind: seat.kind }),
    kind: seat.kind,
    state,
    stateLabel: t(STATE_LABELS[state]),
    category,
    checked: !seat.taken && (form.chosen?.has(seat.id) ?? false),
    justTaken: form.justTaken?.has(seat.id) ?? false,
  }
}
