import type { EventRow } from '../../db/schema.js'

/**
 * An event as every feature sees it: its row, mapped at the repository edge,
 * with real booleans where the database keeps 0/1 (both dialects store them
 * alike). Its phase is derived from it and the clock (eventPhase).
 */
export interface Event extends Omit<
  EventRow,
  'allowBuyerCancellation' | 'waitingList' | 'wasPublic' | 'staffMaySell' | 'deskIgnoresSalesWindows' | 'buyerEdits' | 'buyerEditNames'
> {
  allowBuyerCancellation: boolean
  waitingList: boolean
  wasPublic: boolean
  staffMaySell: boolean
  deskIgnoresSalesWindows: boolean
  buyerEdits: boolean
  buyerEditNames: boolean
}

// The event that the access hook (src/plugins/auth.ts) loads for a per-event route, and hands to its handler.
declare module '../../plugins/auth.js' {
  interface PerEventTypes {
    event: Event
  }
}

export function toEvent(row: EventRow): Event {
  return {
    ...row,
    allowBuyerCancellation: row.allowBuyerCancellation === 1,
    waitingList: row.waitingList === 1,
    wasPublic: row.wasPublic === 1,
    staffMaySell: row.staffMaySell === 1,
    deskIgnoresSalesWindows: row.deskIgnoresSalesWindows === 1,
    buyerEdits: row.buyerEdits === 1,
    buyerEditNames: row.buyerEditNames === 1,
  }
}
