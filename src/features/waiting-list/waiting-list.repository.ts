import type { Db } from '../../db/database.js'
import { type EntryWithEvent, entryQuery } from '../offers/offers.js'

/** Every entry of the event's lists, in the order people joined. */
export async function entriesOfEvent(db: Db, eventId: number): Promise<EntryWithEvent[]> {
  return entryQuery(db).where('waitingListEntries.eventId', '=', eventId).orderBy('waitingListEntries.id').execute()
}

export async function findEntry(db: Db, id: number): Promise<EntryWithEvent | undefined> {
  return entryQuery(db).where('waitingListEntries.id', '=', id).executeTakeFirst()
}
