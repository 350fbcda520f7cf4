import type { Migration } from 'kysely'
import * as m0001 from './0001_foundation.js'
import * as m0002 from './0002_accounts.js'
import * as m0003 from './0003_events.js'
import * as m0004 from './0004_orders.js'
import * as m0005 from './0005_order_sessions.js'
import * as m0006 from './0006_buyer_limits.js'
import * as m0007 from './0007_mail.js'
import * as m0008 from './0008_check_in.js'
import * as m0009 from './0009_waiting_list.js'
import * as m0010 from './0010_seating.js'
import * as m0011 from './0011_seat_map_stamp.js'
import * as m0012 from './0012_outbox_message_key.js'
import * as m0013 from './0013_seat_place_key.js'
import * as m0014 from './0014_search_text.js'
import * as m0015 from './0015_was_public.js'
import * as m0016 from './0016_locale.js'
import * as m0017 from './0017_payments.js'
import * as m0018 from './0018_holder_messages.js'
import * as m0019 from './0019_ticket_cancellation.js'
import * as m0020 from './0020_questions.js'
import * as m0021 from './0021_box_office.js'
import * as m0022 from './0022_buyer_edits.js'
import * as m0023 from './0023_codes.js'

// Listed by hand rather than read from the folder, so that the same list works
// from the compiled build and from the TypeScript sources under vitest.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_accounts': m0002,
  '0003_events': m0003,
  '0004_orders': m0004,
  '0005_order_sessions': m0005,
  '0006_buyer_limits': m0006,
  '0007_mail': m0007,
  '0008_check_in': m0008,
  '0009_waiting_list': m0009,
  '0010_seating': m0010,
  '0011_seat_map_stamp': m0011,
  '0012_outbox_message_key': m0012,
  '0013_seat_place_key': m0013,
  '0014_search_text': m0014,
  '0015_was_public': m0015,
  '0016_locale': m0016,
  '0017_payments': m0017,
  '0018_holder_messages': m0018,
  '0019_ticket_cancellation': m0019,
  '0020_questions': m0020,
  '0021_box_office': m0021,
  '0022_buyer_edits': m0022,
  '0023_codes': m0023,
}
