import { checkIn } from './check-in.js'
import { common } from './common.js'
import { flash } from './flash.js'
import { accounts } from './accounts.js'
import { admin } from './admin.js'
import { forms } from './forms.js'
import { errors } from './errors.js'
import { mail } from './mail.js'
import { refusals } from './refusals.js'
import { organiser } from './organiser.js'
import { browse } from './browse.js'
import { live } from './live.js'
import { purchase } from './purchase.js'
import { seating } from './seating.js'
import { waitingList } from './waiting-list.js'
import { payments } from './payments.js'
import { tickets } from './tickets.js'
import { holderMessages } from './holder-messages.js'
import { orderChanges } from './order-changes.js'
import { questions } from './questions.js'
import { boxOffice } from './box-office.js'
import { orderDetails } from './order-details.js'
import { codes } from './codes.js'

/**
 * The English catalogue: every sentence the site shows or mails, by key, in
 * ICU MessageFormat (plurals, selects, arguments). One file per area of the
 * site; a key is "<area>.<page or part>.<what>". English is the source: other
 * catalogues are checked against its keys, and fall back to it per key.
 *
 * Writing messages: `{name}` puts an argument in as given (a number stays as
 * String(n), "1000"); `#` inside a plural formats the number for the locale
 * ("1,000"), so use `{count}` where today's text shows digits plainly. An
 * apostrophe is literal unless it stands before `{` or `}`; a message holds no
 * HTML: markup stays in the template around it.
 */
export const en = {
  ...common,
  ...flash,
  ...accounts,
  ...admin,
  ...forms,
  ...errors,
  ...mail,
  ...organiser,
  ...checkIn,
  ...browse,
  ...live,
  ...purchase,
  ...seating,
  ...waitingList,
  ...payments,
  ...tickets,
  ...holderMessages,
  ...orderChanges,
  ...questions,
  ...boxOffice,
  ...orderDetails,
  ...codes,
  ...refusals,
}
