import { describe, expect, it } from 'vitest'
import { money } from '../../src/lib/money.js'
import { MAX_INT32 } from '../../src/lib/numbers.js'
import { highestPriceFor, mostTicketsAt, priceCart, pricesChangedSinceSeen, unitPrices } from '../../src/features/pricing/cart-pricing.js'

const prices = unitPrices(
  [
    { id: 2, priceMinor: 1500 },
    { id: 1, priceMinor: 2500 },
    { id: 3, priceMinor: 0 },
  ],
  'EUR',
)

describe('priceCart', () => {
  it('prices each line and the total, lines in ticket type order, empty lines left out', () => {
    const priced = priceCart(
      new Map([
        [2, 1],
        [1, 2],
        [3, 0],
      ]),
      prices,
      'EUR',
    )
    expect(priced).toEqual({
      kind: 'priced',
      currency: 'EUR',
      tickets: 3,
      total: money(6500, 'EUR'),
      lines: [
        {
          ticketTypeId: 1,
          quantity: 2,
          unit: money(2500, 'EUR'),
          net: money(2500, 'EUR'),
          discount: money(0, 'EUR'),
          subtotal: money(5000, 'EUR'),
        },
        {
          ticketTypeId: 2,
          quantity: 1,
          unit: money(1500, 'EUR'),
          net: money(1500, 'EUR'),
          discount: money(0, 'EUR'),
          subtotal: money(1500, 'EUR'),
        },
      ],
    })
  })

  it('takes a discount off the lines it is given for: the price of each ticket with it, times the quantity', () => {
    const priced = priceCart(
      [
        [1, 2],
        [2, 1],
      ],
      prices,
      'EUR',
      new Map([[1, money(2000, 'EUR')]]),
    )
    expect(priced).toMatchObject({
      kind: 'priced',
      total: money(5500, 'EUR'),
      lines: [
        { ticketTypeId: 1, unit: money(2500, 'EUR'), net: money(2000, 'EUR'), discount: money(1000, 'EUR'), subtotal: money(4000, 'EUR') },
        { ticketTypeId: 2, unit: money(1500, 'EUR'), net: money(1500, 'EUR'), discount: money(0, 'EUR'), subtotal: money(1500, 'EUR') },
      ],
    })
  })

  it('prices free tickets at nothing, and an empty cart at nothing', () => {
    expect(priceCart([[3, 4]], prices, 'EUR')).toMatchObject({ kind: 'priced', tickets: 4, total: money(0, 'EUR') })
    expect(priceCart([], prices, 'EUR')).toMatchObject({ kind: 'priced', tickets: 0, total: money(0, 'EUR'), lines: [] })
  })

  it('refuses a total past what one order may total', () => {
    const dear = unitPrices([{ id: 1, priceMinor: 2 ** 30 }], 'EUR')
    expect(priceCart([[1, 1]], dear, 'EUR')).toMatchObject({ kind: 'priced', total: money(2 ** 30, 'EUR') })
    expect(priceCart([[1, 2]], dear, 'EUR')).toEqual({ kind: 'too-large', currency: 'EUR', tickets: 2 })
  })

  it('says how many tickets fit at a price, and the highest price for a number of tickets', () => {
    expect(mostTicketsAt(money(0, 'EUR'))).toBe(Infinity)
    expect(mostTicketsAt(money(2 ** 30, 'EUR'))).toBe(1)
    expect(mostTicketsAt(money(MAX_INT32 + 1, 'EUR'))).toBe(0)
    expect(highestPriceFor(10, 'EUR')).toEqual(money(Math.floor(MAX_INT32 / 10), 'EUR'))
  })
})

describe('pricesChangedSinceSeen', () => {
  it('is empty when the buyer saw the prices of now', () => {
    const seen = { currency: 'EUR', prices: new Map([[1, 2500]]) }
    expect(pricesChangedSinceSeen(seen, [1], prices)).toEqual([])
  })

  it('names each price that changed, or that the form did not say, or said in another currency', () => {
    expect(pricesChangedSinceSeen({ currency: 'EUR', prices: new Map([[1, 2000]]) }, [1], prices)).toEqual([
      { ticketTypeId: 1, seen: money(2000, 'EUR'), now: money(2500, 'EUR') },
    ])
    expect(pricesChangedSinceSeen({ currency: 'EUR', prices: new Map() }, [2], prices)).toEqual([
      { ticketTypeId: 2, seen: null, now: money(1500, 'EUR') },
    ])
    expect(pricesChangedSinceSeen({ currency: 'GBP', prices: new Map([[1, 2500]]) }, [1], prices)).toEqual([
      { ticketTypeId: 1, seen: null, now: money(2500, 'EUR') },
    ])
  })
})
