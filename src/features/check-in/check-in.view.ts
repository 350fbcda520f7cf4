import type { MessageKey } from '../../i18n/catalogue.js'
import type { Locale } from '../../i18n/locale.js'
import type { Translate } from '../../i18n/translate.js'
import { formatAmount, formatDateTime, formatTime } from '../../lib/format.js'
import type { DoorVerdict } from '../orders/order.states.js'
import type { Event } from '../events/event.model.js'
import type { DoorListLine, GivenAnswer, ScanAnswer } from './check-in.service.js'
import { answerText } from '../questions/answers.js'
import type { DoorStaffMember } from './door-staff.js'

/**
 * What the door sees after a scan, as the page and the upload's JSON both
 * show it: a tone the whole screen takes (go, stop, look again), a headline
 * and the lines under it.
 */
export interface AnswerView {
  kind: ScanAnswer['kind']
  /** go: let them in (or out); stop: do not; look: not yet, or they may already be inside. */
  tone: 'go' | 'stop' | 'look'
  headline: string
  lines: string[]
  ticketId: number | null
  replayed: boolean
  /** The "Paid — let in" form under an answer that says what to collect: the ticket's code and the button's words. */
  collect: { code: string; button: string } | null
}

export function toAnswerView(answer: ScanAnswer, timeZone: string, t: Translate, locale: Locale): AnswerView {
  const base = {
    kind: answer.kind,
    ticketId: 'ticket' in answer ? answer.ticket.id : null,
    replayed: 'replayed' in answer && answer.replayed,
    collect: null,
  }
  const who =
    'ticket' in answer
      ? [
          answer.ticket.holder,
          answer.ticket.typeName,
          ...(answer.ticket.seat ? [answer.ticket.seat] : []),
          answer.ticket.doorCode,
          ...answerSentences(answer.ticket.answers, t, locale),
        ]
      : []
  switch (answer.kind) {
    case 'admitted':
      return {
        ...base,
        tone: 'go',
        headline: t('checkIn.answer.admitted'),
        lines: [...who, ...(answer.replayed ? [t('checkIn.answer.admittedByThisScan', { at: formatTime(answer.at, timeZone) })] : [])],
      }
    case 'already':
      return {
        ...base,
        tone: 'look',
        headline: t('checkIn.answer.already'),
        lines: [...who, t('checkIn.answer.alreadyWhen', { at: formatDateTime(answer.at, timeZone), by: answer.by, gate: answer.gate })],
      }
    case 'checked-out':
      return { ...base, tone: 'go', headline: t('checkIn.answer.checkedOut'), lines: [...who, t('checkIn.answer.checkedOutNote')] }
    case 'not-inside':
      return { ...base, tone: 'look', headline: t('checkIn.answer.notCheckedIn'), lines: [...who, t('checkIn.answer.notInside')] }
    case 'taken-out':
      return {
        ...base,
        tone: 'look',
        headline: t('checkIn.answer.notCheckedIn'),
        lines: [
          ...who,
          t('checkIn.answer.takenOut', {
            admittedAt: formatTime(answer.admittedAt, timeZone),
            how: answer.takenOut.how,
            by: answer.takenOut.by,
            at: formatTime(answer.takenOut.at, timeZone),
          }),
        ],
      }
    case 'no-reentry':
      return { ...base, tone: 'stop', headline: t('checkIn.answer.noReentry'), lines: [...who, t('checkIn.answer.noReentryNote')] }
    case 'collect': {
      const amount = formatAmount(answer.order.total, locale)
      return {
        ...base,
        tone: 'look',
        headline: t('checkIn.answer.collect', { amount }),
        lines: [...who, t('checkIn.answer.collectNote', { amount, code: answer.order.code, tickets: answer.order.tickets })],
        collect: { code: answer.ticket.doorCode, button: t('checkIn.answer.collectButton') },
      }
    }
    case 'not-paid':
      return { ...base, tone: 'stop', headline: t('checkIn.answer.notPaid'), lines: [...who, t('checkIn.answer.notPaidNote')] }
    case 'expired':
      return { ...base, tone: 'stop', headline: t('checkIn.answer.expired'), lines: [...who, t('checkIn.answer.expiredNote')] }
    case 'cancelled':
      return answer.alone
        ? { ...base, tone: 'stop', headline: t('checkIn.answer.ticketCancelled'), lines: [...who, t('checkIn.answer.ticketCancelledNote')] }
        : { ...base, tone: 'stop', headline: t('checkIn.answer.cancelled'), lines: [...who, t('checkIn.answer.cancelledNote')] }
    case 'wrong-event':
      return {
        ...base,
        tone: 'stop',
        headline: t('checkIn.answer.wrongEvent'),
        lines: [
          t('checkIn.answer.wrongEventNote', {
            title: answer.event.title,
            startsAt: formatDateTime(answer.event.startsAt, answer.event.timeZone),
          }),
        ],
      }
    case 'unknown':
      return { ...base, tone: 'stop', headline: t('checkIn.answer.unknown'), lines: [t('checkIn.answer.unknownNote')] }
  }
}

/**
 * The words public/check-in.js shows, given to it by the page: it makes no
 * sentence of its own. A plural comes as one form per plural category of the
 * locale, "{count}" where the number goes; "{status}" likewise.
 */
export function checkInScriptWords(t: Translate, locale: string) {
  return {
    expired: t('checkIn.script.expired'),
    notAllowed: t('checkIn.script.notAllowed'),
    refused: t('checkIn.script.refused', { status: '{status}' }),
    offline: t('checkIn.script.offline'),
    noCamera: t('checkIn.script.noCamera'),
    waiting: pluralForms(t, locale, 'checkIn.script.waiting'),
  }
}

/**
 * A plural message per plural category, for a script that picks the category
 * with Intl.PluralRules: each form is the message said of a whole number of
 * that category (the likeliest first), with the number made "{count}".
 */
function pluralForms(t: Translate, locale: string, key: MessageKey): Record<string, string> {
  const rules = new Intl.PluralRules(locale)
  const forms: Record<string, string> = {}
  for (const count of [...Array.from({ length: 198 }, (_, i) => i + 2), 1, 0]) {
    const category = rules.select(count)
    if (!(category in forms)) forms[category] = t(key, { count }).replace(String(count), '{count}')
  }
  return forms
}

/** Each answer as "Question: answer", in the page's language. */
function answerSentences(answers: GivenAnswer[], t: Translate, locale: Locale): string[] {
  return answers.map(({ question, value }) =>
    t('questions.answer.line', { question: question.label, answer: answerText(question, value, t, locale) }),
  )
}

/** How a ticket on the door list stands with its payment. */
const PAYMENT_AT_DOOR: Record<DoorVerdict, MessageKey> = {
  admit: 'checkIn.doorList.paid',
  collect: 'checkIn.doorList.collect',
  'not-paid': 'checkIn.doorList.notPaid',
  expired: 'checkIn.doorList.expired',
  cancelled: 'checkIn.doorList.cancelled',
}

export function toDoorListView(event: Event, lines: DoorListLine[], t: Translate, locale: Locale) {
  return {
    event: { id: event.id, title: event.title, when: formatDateTime(event.startsAt, event.timeZone) },
    /** The tickets the door expects: the list less those cancelled on their own. */
    tickets: lines.filter((line) => line.payment !== 'cancelled').length,
    lines: lines.map((line) => ({
      holder: line.holder,
      typeName: line.typeName,
      seat: line.seat,
      doorCode: line.doorCode,
      orderCode: line.orderCode,
      checkedIn: line.checkedInAt === null ? '' : formatTime(line.checkedInAt, event.timeZone),
      payment: t(PAYMENT_AT_DOOR[line.payment], { amount: formatAmount(line.orderTotal, locale) }),
      // What the door must not miss on paper: money to take, or a ticket not to let in.
      paymentNeedsAction: line.payment !== 'admit',
      answers: answerSentences(line.answers, t, locale),
    })),
    asks: event.questionCount > 0,
  }
}

export function toStaffView(member: DoorStaffMember, timeZone: string, t: Translate) {
  return {
    id: member.id,
    label: member.label,
    kind: member.isLink ? t('checkIn.staff.kindLink') : (member.email ?? t('checkIn.staff.kindAccount')),
    added: formatDateTime(member.createdAt, timeZone),
    revoked: member.revokedAt === null ? null : formatDateTime(member.revokedAt, timeZone),
  }
}
