/*
 * The buy form's total, kept as quantities are typed and seats ticked. Without
 * this script the server shows it where it can: on the form sent back, and on
 * the order page. It counts what the form would send (usable quantity fields
 * and ticked seats) and only adds up: the unit prices, how to format an
 * amount and the words come priced and written by the server
 * (src/features/purchase/buy.view.ts) in the total's data attributes.
 */
;(function () {
  'use strict'

  var total = document.querySelector('[data-buy-total]')
  var form = total && total.closest('form')
  if (!form || !total.hasAttribute('data-unit-prices')) return
  var unitPrices = JSON.parse(total.getAttribute('data-unit-prices'))
  var money = new Intl.NumberFormat(total.getAttribute('data-locale'), { style: 'currency', currency: total.getAttribute('data-currency') })
  var minorPerMajor = Number(total.getAttribute('data-minor-per-major'))
  var words = { one: total.getAttribute('data-one'), many: total.getAttribute('data-many'), free: total.getAttribute('data-free') }

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
    total.hidden = tickets === 0
    var amount = minor === 0 ? words.free : money.format(minor / minorPerMajor)
    var text = tickets === 0 ? '' : (tickets === 1 ? words.one : words.many).replace('{tickets}', tickets).replace('{amount}', amount)
    if (total.textContent !== text) total.textContent = text
  }

  form.addEventListener('input', update)
  form.addEventListener('change', update)
  // live.js disables a quantity whose type sold out meanwhile: the form would no longer send it.
  new window.MutationObserver(update).observe(form, { subtree: true, attributes: true, attributeFilter: ['disabled'] })
  update()
})()
