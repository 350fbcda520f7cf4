/*
 * Forms, on every page. A form sent with mistakes comes back with an error
 * summary (views/partials/error-summary.eta): focusing it makes a screen
 * reader read it out and puts a keyboard user next to its links. Each link
 * then focuses its field, not only scrolls to it, with the label in view.
 * Without this script the links still jump to the fields.
 */
;(function () {
  'use strict'

  var summary = document.querySelector('[data-error-summary]')
  if (!summary) return
  summary.focus()

  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#"]')
    var target = link && document.getElementById(link.getAttribute('href').slice(1))
    if (!target) return
    // A group of choices (a fieldset) is named in the summary; its first usable control takes the focus.
    var field = target.matches('input, select, textarea')
      ? target
      : target.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea')
    if (!field) return
    event.preventDefault()
    field.focus({ preventScroll: true })
    ;(target.closest('.field, fieldset') || target).scrollIntoView({ block: 'start' })
  })
})()
