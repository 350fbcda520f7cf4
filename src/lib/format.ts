import { type Money, isFree, zero } from './money.js'
import { DEFAULT_LOCALE, type Locale, intlLocaleOf } from '../i18n/locale.js'
import { translatorFor } from '../i18n/translate.js'

/**
 * Formatting for people: money from integer minor units in the site's currency,
 * instants in the event's time zone, each in a locale's conventions (the
 * page's; English, with British dates and amounts, when unsaid). Used by view
 * models and templates.
 */

// Building an Intl format, and asking it its options, cost far more than using one: pages format many prices.
const moneyFormats = new Map<string, { format: Intl.NumberFormat; minorUnits: number }>()

function moneyFormat(currency: string, locale: Locale = DEFAULT_LOCALE): { format: Intl.NumberFormat; minorUnits: number } {
  const key = `${locale}|${currency}`
  let money = moneyFormats.get(key)
  if (!money) {
    const format = new Intl.NumberFormat(intlLocaleOf(locale), { style: 'currency', currency })
    money = { format, minorUnits: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) }
    moneyFormats.set(key, money)
  }
  return money
}

/** How many minor units make one major unit: 100 for EUR, 1 for JPY, 1000 for KWD. */
export function minorUnitsPerMajor(currency: string): number {
  return moneyFormat(currency).minorUnits
}

/** "12.50" (or "12,50", or "12") in minor units of the currency, read digit by digit so that no float rounding creeps in; null when it is not such an amount. */
export function parseAmount(value: string, currency: string): number | null {
  const perMajor = minorUnitsPerMajor(currency)
  const digits = Math.round(Math.log10(perMajor))
  const match = /^(\d{1,7})(?:[.,](\d+))?$/.exec(value.trim())
  const fraction = match?.[2] ?? ''
  if (!match || fraction.length > digits) return null
  return Number(match[1]) * perMajor + Number(fraction.padEnd(digits, '0') || '0')
}

/** A price: "Free" when there is nothing to pay, else the amount. */
export function formatMoney(price: Money, locale: Locale = DEFAULT_LOCALE): string {
  if (isFree(price)) return translatorFor(locale)('common.free')
  return formatAmount(price, locale)
}

/** An amount of money as such, zero included ("€0.00"): for sums such as revenue, where "Free" would mislead. */
export function formatAmount(amount: Money, locale: Locale = DEFAULT_LOCALE): string {
  const { format, minorUnits } = moneyFormat(amount.currency, locale)
  return format.format(amount.minor / minorUnits)
}

/** "12.50" for 1250 EUR: the value an input shows when the form is edited. */
export function minorToInput(amount: Money): string {
  const perMajor = minorUnitsPerMajor(amount.currency)
  return (amount.minor / perMajor).toFixed(Math.log10(perMajor))
}

/** What a page's script needs to format money as formatAmount does: the locale and the currency's minor units. */
export function moneyFormatOf(
  currency: string,
  locale: Locale = DEFAULT_LOCALE,
): { locale: string; currency: string; minorPerMajor: number } {
  return { locale: intlLocaleOf(locale), currency, minorPerMajor: minorUnitsPerMajor(currency) }
}

/**
 * Currencies that Intl still knows (CLDR keeps history) but that were
 * withdrawn, each with the one that replaced it: Croatia's kuna for the euro
 * (2023), Zimbabwe's ZWL for the ZiG (2024), Cuba's convertible peso for the
 * peso (2021), the Netherlands Antillean guilder for the Caribbean guilder (2025).
 */
export const RETIRED_CURRENCIES: Readonly<Record<string, string>> = { HRK: 'EUR', ZWL: 'ZWG', CUC: 'CUP', ANG: 'XCG' }

/**
 * Zones that IANA renamed (Calcutta to Kolkata in 2008, Kiev to Kyiv in 2022…)
 * and that ICU, and so Intl in Node 20, still lists under the old name, which
 * is CLDR's. Both names work anywhere a zone is read; a list offers the new one.
 */
const RENAMED_ZONES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
}

/** The zone's current name, where this runtime knows it (a newer Intl lists it so itself). */
function currentZoneName(zone: string): string {
  const renamed = RENAMED_ZONES[zone]
  if (renamed === undefined) return zone
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: renamed })
    return renamed
  } catch {
    return zone
  }
}

// Read once: what Intl knows does not change while the process runs.
/** The ISO 4217 codes in use that this runtime can format: what a list offers. */
export const CURRENCIES: readonly string[] = Intl.supportedValuesOf('currency').filter((code) => !(code in RETIRED_CURRENCIES))
/** The IANA time zones this runtime knows, by their current names, UTC first (Intl leaves it out of its list). */
export const TIME_ZONES: readonly string[] = [
  'UTC',
  ...[...new Set(Intl.supportedValuesOf('timeZone').map(currentZoneName))].filter((zone) => zone !== 'UTC').sort(),
]

export function isValidCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.includes(code)
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone })
    return TIME_ZONES.includes(zone) || zone.includes('/')
  } catch {
    return false
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()

function dateFormat(timeZone: string, style: 'full' | 'date' | 'time', locale: Locale): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`
  let format = dateFormats.get(key)
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      style === 'date'
        ? { dateStyle: 'medium', timeZone }
        : style === 'time'
          ? { timeStyle: 'short', timeZone }
          : {
              weekday: 'short',
              day: 'numeric',
              month: 'short',
              year: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
              timeZone,
              timeZoneName: 'short',
            }
    format = new Intl.DateTimeFormat(intlLocaleOf(locale), options)
    dateFormats.set(key, format)
  }
  return format
}

/** "Sat 5 Dec 2026, 19:30 CET" */
export function formatDateTime(ms: number, timeZone: string, locale: Locale = DEFAULT_LOCALE): string {
  return dateFormat(timeZone, 'full', locale).format(ms)
}

export function formatDate(ms: number, timeZone: string, locale: Locale = DEFAULT_LOCALE): string {
  return dateFormat(timeZone, 'date', locale).format(ms)
}

export function formatTime(ms: number, timeZone: string, locale: Locale = DEFAULT_LOCALE): string {
  return dateFormat(timeZone, 'time', locale).format(ms)
}

const zoneNames = new Map<string, string>()

/**
 * The zone's short name at that instant: "CET" in winter, "CEST" in summer.
 * Remembered, since formatToParts is slow and pages ask again for the same
 * few instants (their events' ends); the memory is bounded by a reset.
 */
export function zoneName(ms: number, timeZone: string, locale: Locale = DEFAULT_LOCALE): string {
  const key = `${locale}|${timeZone}|${ms}`
  let name = zoneNames.get(key)
  if (name === undefined) {
    name =
      dateFormat(timeZone, 'full', locale)
        .formatToParts(ms)
        .find((part) => part.type === 'timeZoneName')?.value ?? timeZone
    if (zoneNames.size >= 10_000) zoneNames.clear()
    zoneNames.set(key, name)
  }
  return name
}

const dayKeys = new Map<string, Intl.DateTimeFormat>()

/** The calendar day of an instant in a time zone, as "2026-12-05": for comparing days. */
export function dayKey(ms: number, timeZone: string): string {
  let format = dayKeys.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone })
    dayKeys.set(timeZone, format)
  }
  return format.format(ms)
}

/** Sums in different currencies cannot be added up, so each is shown; none is zero in the site's currency. */
export function formatRevenue(revenue: Money[], siteCurrency: string, locale: Locale = DEFAULT_LOCALE): string {
  if (revenue.length === 0) return formatAmount(zero(siteCurrency), locale)
  return revenue.map((amount) => formatAmount(amount, locale)).join(' + ')
}
