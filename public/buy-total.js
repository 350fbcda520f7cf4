/*
 * The buy form's total, kept as quantities are typed and seats ticked. Without
 * this script the server shows it where it can: on the form sent back, and on
 * the order page. It counts what the form would send (usable quantity fields
 * and ticked seats) and only adds up: the unit prices, how to format an
 * amount and the words come priced and written by the server
 * (src/features/purchase/buy.view.ts) in the total's data attributes, the
 * words from the catalogue: the script holds none of its own.
 */
;(function () {
  'use strict'

  var total = document.querySelector('[data-buy-total]')
  var form = total && total.closest('form')
  if (!form || !total.hasAttribute('data-unit-prices')) return
  var unitPrices = JSON.parse(total.getAttribute('data-unit-prices'))
  var money = new Intl.NumberFormat(total.getAttribute('data-locale'), { style: 'currency', currency: total.getAttribute('data-currency') })
  var minorPerMajor = Number(total.getAttribute('data-minor-per-major'))
  var words = readWords()
  var plurals = new Intl.PluralRules(document.documentElement.lang || undefined)

  function readWords() {
    try {
      return JSON.parse(total.getAttribute('data-buy-total-words')) || {}
    } catch {
      return {}
    }
  }

  // "Total for 2 tickets: €30.00" in the plural form the page's language uses for the count.
  function totalText(tickets, amount) {
    var patterns = words.total || {}
    var pattern = patterns[plurals.select(tickets)] || patterns.other
    return pattern === undefined
      ? undefined
      : pattern.replace('{count}', String(tickets)).replace('{total}', function () {
          return amount
        })
  }

  function priceOf(typeId) {
    return unitPrices[typeId] || 0
  }

  function update() {
    var tickets = 0
    var minor = 0
    form.querySelectorAll('input.qty[name^="qty_"]').forEach(function (input) {
      if (input.disabled || !/^\d+$/.test(input.value)) return
      var count = Number(input.value)
      tickets += count
      minor += count * priceOf(input.name.slice('qty_'.length))
    })
    form.querySelectorAll('input[name="seat"]:checked:not(:disabled)').forEach(function (box) {
      tickets += 1
      minor += priceOf(box.getAttribute('data-ticket-type'))
    })
    var text = tickets === 0 ? '' : totalText(tickets, minor === 0 ? words.free : money.format(minor / minorPerMajor))
    // A page that gave no words keeps what the server rendered.
    if (text === undefined) return
    total.hidden = tickets === 0
    if (total.textContent !== text) total.textContent = text
  }

  form.addEventListener('input', update)
  form.addEventListener('change', update)
  // live.js disables a quantity whose type sold out meanwhile: the form would no longer send it.
  new window.MutationObserver(update).observe(form, { subtree: true, attributes: true, attributeFilter: ['disabled'] })
  update()
})()
