/*
 * The seat map on a phone. Without this script the map is always shown; on a
 * narrow screen, best available seats are the easier way, so the map folds
 * behind a button and the first best-available field gets the focus. The map
 * comes back with one tap, and anything ticked on it stays ticked. The
 * button's words are the page's (data-show-map, data-hide-map on the map).
 */
;(function () {
  'use strict'

  var map = document.getElementById('f-seats')
  if (!map || !window.matchMedia || !window.matchMedia('(max-width: 40rem)').matches) return
  // A form sent back with something to say about the seats shows the map.
  if (map.classList.contains('field--error') || map.querySelector('.seat__box:checked')) return
  var show = map.getAttribute('data-show-map')
  var hide = map.getAttribute('data-hide-map')
  // Without words for its button, the map stays shown.
  if (!show || !hide) return

  var toggle = document.createElement('button')
  toggle.type = 'button'
  toggle.className = 'button button--secondary'
  toggle.textContent = show
  toggle.setAttribute('aria-expanded', 'false')
  toggle.setAttribute('aria-controls', 'f-seats')
  map.parentNode.insertBefore(toggle, map)
  map.hidden = true
  toggle.addEventListener('click', function () {
    map.hidden = !map.hidden
    toggle.setAttribute('aria-expanded', String(!map.hidden))
    toggle.textContent = map.hidden ? show : hide
  })
})()
