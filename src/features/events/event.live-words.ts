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
  return JSON.stringify({ ...countWords(t, locale), ...statusWords(t, Object.keys(EVENT_STATUS_MESSAGES) as ShownStatus[]) })
}

/**
 * The words for a cancelled event's page, which counts nothing: it can only
 * become unavailable (the organiser deletes the event), so it needs the words
 * for that, and none of those that count tickets.
 */
export function cancelledEventLiveWords(t: Translate): string {
  return JSON.stringify(statusWords(t, ['cancelled', 'unavailable']))
}

function countWords(t: Translate, locale: Locale) {
  return {
    left: pluralPatterns(t, locale, 'browse.availability.left'),
    soldOut: t('browse.availability.soldOut'),
    orders: pluralPatterns(t, locale, 'live.orders'),
    notOnSale: t('live.note.notOnSale'),
    onSaleAgain: scriptMessage(t, 'live.announce.onSaleAgain', ['name']),
    onSaleAgainUnnamed: t('live.announce.onSaleAgainUnnamed'),
    typeSoldOut: scriptMessage(t, 'live.announce.typeSoldOut', ['type']),
    someType: t('live.announce.someType'),
  }
}

function statusWords(t: Translate, statuses: ShownStatus[]) {
  return {
    status: Object.fromEntries(statuses.map((status) => [status, t(EVENT_STATUS_MESSAGES[status])])),
    statusChanged: scriptMessage(t, 'live.announce.status', ['name', 'status']),
    statusChangedUnnamed: scriptMessage(t, 'live.announce.statusUnnamed', ['status']),
  }
}
