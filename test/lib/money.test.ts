import { describe, expect, it } from 'vitest'
import { MAX_MONEY_MINOR, MoneyTooLarge, isFree, money, sameMoney, sum, times, zero } from '../../src/lib/money.js'
import { formatAmount, formatMoney, formatRevenue, minorToInput } from '../../src/lib/format.js'
import { MAX_INT32 } from '../../src/lib/numbers.js'

describe('Money', () => {
  it('is whole minor units with their currency', () => {
    expect(money(1250, 'EUR')).toEqual({ minor: 1250, currency: 'EUR' })
    expect(() => money(12.5, 'EUR')).toThrow(RangeError)
    expect(() => money(Number.NaN, 'EUR')).toThrow(RangeError)
  })

  it('stops at the 32-bit limit of orders.total_minor', () => {
    expect(MAX_MONEY_MINOR).toBe(MAX_INT32)
    expect(sum('EUR', [money(MAX_INT32 - 1, 'EUR'), money(1, 'EUR')])).toEqual(money(MAX_INT32, 'EUR'))
    expect(() => sum('EUR', [money(MAX_INT32, 'EUR'), money(1, 'EUR')])).toThrow(MoneyTooLarge)
    expect(times(money(2500, 'EUR'), 4)).toEqual(money(10_000, 'EUR'))
    expect(times(money(MAX_INT32, 'EUR'), 1)).toEqual(money(MAX_INT32, 'EUR'))
    expect(() => times(money(2 ** 30, 'EUR'), 2)).toThrow(MoneyTooLarge)
  })

  it('adds up one currency only', () => {
    expect(sum('EUR', [])).toEqual(zero('EUR'))
    expect(() => sum('EUR', [money(1, 'GBP')])).toThrow(TypeError)
  })

  it('is equal in amount and currency', () => {
    expect(sameMoney(money(100, 'EUR'), money(100, 'EUR'))).toBe(true)
    expect(sameMoney(money(100, 'EUR'), money(100, 'GBP'))).toBe(false)
    expect(sameMoney(money(100, 'EUR'), money(101, 'EUR'))).toBe(false)
  })

  it('is free at zero, said so as a price but not as an amount', () => {
    expect(isFree(zero('EUR'))).toBe(true)
    expect(formatMoney(zero('EUR'))).toBe('Free')
    expect(formatAmount(zero('EUR'))).toBe('€0.00')
    expect(formatMoney(money(1250, 'EUR'))).toBe('€12.50')
    expect(formatMoney(money(1250, 'JPY'))).toBe('JP¥1,250')
    expect(minorToInput(money(1250, 'EUR'))).toBe('12.50')
    expect(minorToInput(money(1250, 'JPY'))).toBe('1250')
    expect(formatRevenue([], 'GBP')).toBe('£0.00')
    expect(formatRevenue([money(100, 'EUR'), money(200, 'GBP')], 'EUR')).toBe('€1.00 + £2.00')
  })
})
