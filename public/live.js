/*
 * Live availability: keeps the figures of a server-rendered page fresh. The
 * page is complete without this script; it only updates, in place, elements
 * the page marks with data attributes:
 *
 *   data-live-event="<event id>"        a container; everything below is inside one
 *   data-live-words="<JSON>"            once in the page (views/partials/live-words.eta): the words
 *                                       this script writes and announces, in the page's language;
 *                                       the server's messages carry states and numbers alone, and
 *                                       what the page gave no words for keeps its rendered text
 *   data-live-remaining="<type id>"     "12 left" / "Sold out"; hidden when the event has no
 *                                       counts (a cancelled event)
 *   data-live-waiting-list="<type id>"  shown while the type is sold out and its waiting list open
 *   data-live-total-remaining           the same for the whole event
 *   data-live-sold="<type id>"          tickets sold (owner and admins only)
 *   data-live-sold-total, data-live-orders, data-live-revenue   the same, for the whole event
 *   data-live-awaiting, data-live-due-at-door   money due by card or transfer, and at the door
 *   data-live-seat="<seat id>"          a seat's checkbox on a seat map: disabled once someone
 *                                       else takes the seat (one this page ticked stays ticked,
 *                                       and the purchase says if it went meanwhile)
 *   data-live-admitted, data-live-expected   tickets checked in, and of paid orders (the
 *                                       owner, admins and the event's door staff only)
 *   data-live-status="<status>"         a status badge; the value is the status the
 *                                       server rendered, and the stylesheet colours the
 *                                       element by it, so the script keeps it current
 *   data-live-hidden-on-sale="yes"      with data-live-status: hidden while on sale
 *   data-live-qty="<type id>"           a quantity input: max and disabled follow what remains
 *   data-live-buy                       hidden while nothing can be bought
 *   data-live-name="<name>"             optional, on a container or near a count: the
 *                                       name spoken when something sells out
 *   data-live-held="<type id>"          on a container, with data-live-held-quantity="<n>": the page
 *                                       holds n tickets of the type for this visitor (a waiting-list
 *                                       offer). The server counts them as taken, as it must for
 *                                       everyone else; this page counts them as left, and may
 *                                       choose up to n of them.
 *
 * A container that has received its event's live state is marked data-live-current.
 *
 * Changes are announced through one polite live region, only when a status
 * changes or a ticket type sells out, and at most once every few seconds.
 */
;(function () {
  'use strict'

  var MAX_EVENTS = 100
  var ANNOUNCE_EVERY_MS = 5000
  var RETRY_MIN_MS = 1000
  var RETRY_MAX_MS = 30000
  var following = []
  document.querySelectorAll('[data-live-event]').forEach(function (container) {
    var id = Number(container.getAttribute('data-live-event'))
    if (Number.isInteger(id) && id > 0 && following.indexOf(id) === -1 && following.length < MAX_EVENTS) following.push(id)
  })
  if (following.length === 0 || !('WebSocket' in window)) return

  // The page's words (views/partials/live-words.eta): the server sends states and numbers, the page says them.
  var words = readWords()
  var plurals = new Intl.PluralRules(document.documentElement.lang || undefined)

  var previous = new Map()
  var attempts = 0
  var retryTimer = null

  var region = document.createElement('div')
  region.className = 'visually-hidden'
  region.setAttribute('role', 'status')
  region.setAttribute('aria-live', 'polite')
  document.body.appendChild(region)

  var pendingNews = []
  var lastAnnouncedAt = 0
  var announceTimer = null

  function announce(text) {
    pendingNews.push(text)
    if (announceTimer !== null) return
    var wait = Math.max(0, lastAnnouncedAt + ANNOUNCE_EVERY_MS - Date.now())
    announceTimer = setTimeout(function () {
      announceTimer = null
      lastAnnouncedAt = Date.now()
      region.textContent = pendingNews.join(' ')
      pendingNews = []
    }, wait)
  }

  function connect() {
    retryTimer = null
    var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live')
    socket.addEventListener('open', function () {
      socket.send(JSON.stringify({ type: 'subscribe', events: following }))
    })
    socket.addEventListener('message', function (message) {
      var data
      try {
        data = JSON.parse(message.data)
      } catch {
        return
      }
      if (data.type === 'state') {
        attempts = 0
        apply(data.event)
      } else if (data.type === 'error') {
        following = following.filter(function (id) {
          return id !== data.event
        })
        if (following.length === 0) socket.close(1000, 'nothing to follow')
      }
    })
    socket.addEventListener('close', function () {
      if (following.length > 0) retry()
    })
  }

  // Exponential backoff with jitter, so that a restarted server is not met by every page at once.
  function retry() {
    if (retryTimer !== null) return
    var ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, attempts))
    attempts += 1
    retryTimer = setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2)
  }

  function apply(received) {
    var previously = previous.get(received.id)
    previous.set(received.id, received)
    // A cancelled event's page shows no counts (the server sends none).
    var counted = received.remaining !== undefined

    document.querySelectorAll('[data-live-event="' + received.id + '"]').forEach(function (container) {
      var event = withHold(container, received)
      var before = previously && withHold(container, previously)
      var types = new Map()
      event.ticketTypes.forEach(function (type) {
        types.set(String(type.id), type)
      })
      var anyOnSale = event.ticketTypes.some(function (type) {
        return type.onSale
      })
      container.setAttribute('data-live-current', '')
      each(container, 'data-live-remaining', function (element, type) {
        element.hidden = !counted
        if (counted && type) setWords(element, remainingText(type.remaining))
      })
      each(container, 'data-live-waiting-list', function (element, type) {
        element.hidden = !(type && type.waitingList)
      })
      each(container, 'data-live-sold', function (element, type) {
        if (type && type.sold !== undefined) setText(element, String(type.sold))
      })
      each(container, 'data-live-qty', function (element, type) {
        updateQuantity(element, type, event)
      })
      container.querySelectorAll('[data-live-total-remaining]').forEach(function (element) {
        element.hidden = !counted
        if (counted) setWords(element, remainingText(event.remaining))
      })
      if (event.sold !== undefined) {
        container.querySelectorAll('[data-live-sold-total]').forEach(function (element) {
          setText(element, String(event.sold))
        })
        container.querySelectorAll('[data-live-orders]').forEach(function (element) {
          setWords(element, counting(words.orders, event.orders))
        })
        container.querySelectorAll('[data-live-revenue]').forEach(function (element) {
          setText(element, event.revenue)
        })
        container.querySelectorAll('[data-live-awaiting]').forEach(function (element) {
          setText(element, event.awaiting)
        })
        container.querySelectorAll('[data-live-due-at-door]').forEach(function (element) {
          setText(element, event.dueAtDoor)
        })
      }
      if (event.takenSeats !== undefined) {
        var taken = new Set(event.takenSeats.map(String))
        container.querySelectorAll('[data-live-seat]').forEach(function (box) {
          if (!box.checked) box.disabled = taken.has(box.getAttribute('data-live-seat'))
        })
      }
      if (event.door !== undefined) {
        container.querySelectorAll('[data-live-admitted]').forEach(function (element) {
          setText(element, String(event.door.admitted))
        })
        container.querySelectorAll('[data-live-expected]').forEach(function (element) {
          setText(element, String(event.door.expected))
        })
      }
      container.querySelectorAll('[data-live-status]').forEach(function (element) {
        updateStatus(element, event)
      })
      container.querySelectorAll('[data-live-buy]').forEach(function (element) {
        element.hidden = !anyOnSale
      })
      if (before) announceChanges(container, before, event)

      function each(container, attribute, update) {
        container.querySelectorAll('[' + attribute + ']').forEach(function (element) {
          update(element, types.get(element.getAttribute(attribute)))
        })
      }
    })
  }

  // The event as a container holding an offer's tickets sees it: those tickets left for it alone,
  // and at most that many to choose, as the server rendered the page. Any other container sees the event as sent.
  function withHold(container, event) {
    var typeId = Number(container.getAttribute('data-live-held'))
    var held = Number(container.getAttribute('data-live-held-quantity'))
    if (!(held > 0)) return event
    var holds = false
    var ticketTypes = event.ticketTypes.map(function (type) {
      if (type.id !== typeId) return type
      holds = true
      var onSale = Boolean(type.salesOpen)
      return Object.assign({}, type, {
        remaining: type.remaining + held,
        soldOut: false,
        onSale: onSale,
        waitingList: false,
        maxSelectable: onSale ? held : 0,
      })
    })
    if (!holds) return event
    var soldOutButHeld = event.status === 'sold_out'
    return Object.assign({}, event, {
      remaining: event.remaining + held,
      ticketTypes: ticketTypes,
      status: soldOutButHeld ? 'on_sale' : event.status,
    })
  }

  function readWords() {
    var element = document.querySelector('[data-live-words]')
    try {
      return (element && JSON.parse(element.getAttribute('data-live-words'))) || {}
    } catch {
      return {}
    }
  }

  // The words for a count, in the plural form the page's language uses for it ("other" when the page gave no other).
  function counting(patterns, count) {
    var pattern = patterns && (patterns[plurals.select(count)] || patterns.other)
    return pattern === undefined ? undefined : pattern.replace('{count}', String(count))
  }

  function filled(pattern, values) {
    return pattern === undefined
      ? undefined
      : pattern.replace(/\{(\w+)\}/g, function (whole, name) {
          return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole
        })
  }

  function statusWords(status) {
    return words.status && words.status[status]
  }

  function remainingText(count) {
    return count === 0 ? words.soldOut : counting(words.left, count)
  }

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text
  }

  // A page that gave no words for something keeps what the server rendered.
  function setWords(element, text) {
    if (text !== undefined) setText(element, text)
  }

  // The server sends at most what one order may take now; an input is usable only while its type is on sale.
  function updateQuantity(input, type, event) {
    var onSale = Boolean(type && type.onSale)
    input.max = String(onSale ? type.maxSelectable : 0)
    input.disabled = !onSale
    var note = input.nextElementSibling
    if (!note || !note.hasAttribute('data-live-note')) {
      note = document.createElement('span')
      note.className = 'live-note'
      note.setAttribute('data-live-note', '')
      input.insertAdjacentElement('afterend', note)
    }
    var reason = ''
    if (!onSale)
      reason = (event.status === 'cancelled' ? statusWords('cancelled') : type && type.soldOut ? words.soldOut : words.notOnSale) || ''
    setText(note, reason)
    note.hidden = reason === ''
  }

  // The element shows what the server rendered until the status actually changes; one marked
  // data-live-hidden-on-sale (nothing to say while on sale) hides again when the event is back on sale.
  function updateStatus(element, event) {
    if (element.getAttribute('data-live-status') === event.status) return
    element.setAttribute('data-live-status', event.status)
    setWords(element, statusWords(event.status))
    element.hidden = event.status === 'on_sale' && element.getAttribute('data-live-hidden-on-sale') === 'yes'
  }

  function announceChanges(container, before, event) {
    var name = eventName(container)
    if (before.status !== event.status) {
      var status = statusWords(event.status)
      var news =
        event.status === 'on_sale'
          ? name
            ? filled(words.onSaleAgain, { name: name })
            : words.onSaleAgainUnnamed
          : status === undefined
            ? undefined
            : filled(name ? words.statusChanged : words.statusChangedUnnamed, { name: name, status: status })
      if (news !== undefined) announce(news)
      return
    }
    var wasLeft = new Map()
    before.ticketTypes.forEach(function (type) {
      wasLeft.set(type.id, type.remaining)
    })
    event.ticketTypes.forEach(function (type) {
      if (type.remaining === 0 && wasLeft.get(type.id) > 0) {
        var news = filled(words.typeSoldOut, { type: typeName(container, type.id) })
        if (news !== undefined) announce(news)
      }
    })
  }

  function eventName(container) {
    var named = container.getAttribute('data-live-name')
    if (named) return named
    var heading = container.querySelector('h1, h2, h3')
    return heading ? heading.textContent.trim() : ''
  }

  // The ticket type's name as the page shows it: a data-live-name, the label of its quantity input, or its row heading.
  function typeName(container, typeId) {
    var count = container.querySelector('[data-live-remaining="' + typeId + '"], [data-live-sold="' + typeId + '"]')
    var named = count && count.closest('[data-live-name]')
    if (named && named !== container) return named.getAttribute('data-live-name')
    var input = container.querySelector('[data-live-qty="' + typeId + '"]')
    if (input && input.labels && input.labels.length > 0) return input.labels[0].textContent.trim()
    var row = count && count.closest('tr')
    var heading = row && row.querySelector('th')
    if (heading && heading.firstChild && heading.firstChild.textContent.trim()) return heading.firstChild.textContent.trim()
    return words.someType || ''
  }

  connect()
})()
