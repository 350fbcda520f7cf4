import type { FieldErrors } from '../../lib/forms.js'
import { formatDateTime } from '../../lib/format.js'
import type { Locale } from '../../i18n/locale.js'
import type { Translate } from '../../i18n/translate.js'
import type { OrderWithTickets } from '../purchase/order.repository.js'
import type { DetailValues } from '../questions/answers.js'
import { toDetailsView } from '../questions/details.view.js'
import type { Editor, OrderEdit } from '../questions/order-edits.js'

/** Where the page's form goes and where it leads back to, for the organiser or the buyer. */
export interface DetailsPlaces {
  action: string
  back: string
  /** The order's key, carried by the buyer's form (the kept link works in any browser). */
  key: string | null
}

/** The edit page: what was asked, filled with what is stored or what was typed, each field with its message. */
export function toDetailsPage(
  found: OrderWithTickets,
  edit: OrderEdit,
  form: { values: DetailValues; errors: FieldErrors; notice?: string },
  context: { editor: Editor; places: DetailsPlaces; until: number | null; locale: Locale },
  t: Translate,
) {
  const { order, event } = found
  const codes = new Map(found.tickets.map((ticket) => [ticket.id, ticket]))
  const details = toDetailsView(edit.asked, form.values, form.errors, t)
  return {
    editor: context.editor,
    order: { code: order.code, buyerName: order.buyerName, buyerEmail: order.buyerEmail },
    event: { id: event.id, title: event.title, when: formatDateTime(event.startsAt, event.timeZone, context.locale) },
    ...context.places,
    stamp: edit.stamp,
    until: context.until === null ? null : formatDateTime(context.until, event.timeZone, context.locale),
    notice: form.notice ?? null,
    errors: form.errors,
    details: {
      order: details.order,
      tickets: details.tickets.map((shown, i) => {
        const ticket = codes.get(edit.ticketIds[i]!)!
        return {
          ...shown,
          heading: t('orderDetails.form.ticket', {
            number: i + 1,
            type: ticket.ticketTypeName,
            code: ticket.doorCode,
            cancelled: ticket.cancelled,
          }),
        }
      }),
    },
  }
}
