import type { Locale } from '../../i18n/locale.js'
import { pluralPatterns, scriptMessage } from '../../i18n/script-messages.js'
import type { Translate } from '../../i18n/translate.js'
import { EVENT_STATUS_MESSAGES, type ShownStatus } from './event.rules.js'

/**
 * The words public/live.js writes into a page and announces, in the page's
 * locale, as the JSON a page puts in its data-live-words (views/partials/live-words.eta):
 * the live messages carry states and numbers, and the script holds no words of its own.
 * The same keys as the page's own text, so that a page updated live reads like the same page reloaded.
 */
export function liveWords(t: Translate, locale: Locale): string {
  return JSON.stringify({
    left: pluralPatterns(t, locale, 'browse.availability.left'),
    soldOut: t('browse.availability.soldOut'),
    orders: pluralPatterns(t, locale, 'live.orders'),
    status: Object.fromEntries(
      (Object.entries(EVENT_STATUS_MESSAGES) as [ShownStatus, (typeof EVENT_STATUS_MESSAGES)[ShownStatus]][]).map(([status, key]) => [
        status,
        t(key),
      ]),
    ),
    notOnSale: t('live.note.notOnSale'),
    onSaleAgain: scriptMessage(t, 'live.announce.onSaleAgain', ['name']),
    onSaleAgainUnnamed: t('live.announce.onSaleAgainUnnamed'),
    statusChanged: scriptMessage(t, 'live.announce.status', ['name', 'status']),
    statusChangedUnnamed: scriptMessage(t, 'live.announce.statusUnnamed', ['status']),
    typeSoldOut: scriptMessage(t, 'live.announce.typeSoldOut', ['type']),
    someType: t('live.announce.someType'),
  })
}
