/*
 * The check-in page, enhanced. Without this script the form posts each scan
 * and the server answers with the page; with it:
 *
 * - Every scan goes into a queue kept in localStorage (so a reload or a
 *   crash loses none) with its own nonce, and the queue is sent as JSON.
 *   When the phone is offline the scans wait, and go when it is back; the
 *   server answers a nonce it has seen with its first answer, so a resent
 *   upload admits nobody twice.
 * - Answers to scans that waited are listed under the form, conflicts first
 *   (a ticket admitted at another gate meanwhile), and money to collect (an
 *   order paid at the door, not let in: settled at the desk with the item's
 *   "Paid — let in", a plain form that posts as the page does without this
 *   script).
 * - The camera reads QR codes: BarcodeDetector where the browser has it,
 *   jsQR (/vendor/jsqr-1.4.0.js) otherwise.
 */
;(function () {
  'use strict'

  var section = document.querySelector('[data-check-in]')
  var form = document.querySelector('[data-check-in-form]')
  if (!section || !form || !window.fetch || !window.JSON) return

  var eventId = section.getAttribute('data-check-in')
  var storageKey = 'admit-one:check-in:' + eventId
  var uploadUrl = '/events/' + eventId + '/check-in/scans'
  var csrf = form.querySelector('input[name="_csrf"]').value
  var codeInput = form.querySelector('input[name="code"]')
  var gateInput = form.querySelector('input[name="gate"]')
  var queueSection = document.querySelector('[data-scan-queue]')
  var queueStatus = document.querySelector('[data-queue-status]')
  var queueList = document.querySelector('[data-queue-list]')
  // Every sentence this script shows comes from the page, in the page's language (see checkInScriptWords).
  var words = JSON.parse(section.getAttribute('data-check-in-words') || '{}')
  var pluralRules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || undefined) : null
  var MAX_PER_UPLOAD = 100
  var RETRY_MS = 5000
  // A scan that waited longer than this before its answer came is listed as one made offline.
  var OFFLINE_AFTER_MS = 3000

  var sending = false
  var retryTimer = null
  var UPLOAD_TIMEOUT_MS = 10000

  // The queue lives in localStorage, read afresh before every change: another
  // tab of the same page may have changed it. Without storage (private
  // browsing) it lives in this page only.
  var memory = []

  function load() {
    try {
      var stored = JSON.parse(localStorage.getItem(storageKey) || '[]')
      memory = Array.isArray(stored) ? stored : []
    } catch {
      // Unreadable or unavailable: keep what this page holds.
    }
    return memory
  }

  function update(change) {
    var queue = change(load().slice())
    memory = queue
    try {
      localStorage.setItem(storageKey, JSON.stringify(queue))
    } catch {
      // No storage: the queue lives as long as the page.
    }
  }

  window.addEventListener('storage', function (event) {
    if (event.key !== storageKey) return
    showQueue()
    flush()
  })

  function nonce() {
    var bytes = new Uint8Array(12)
    crypto.getRandomValues(bytes)
    return Array.prototype.map
      .call(bytes, function (b) {
        return ('0' + b.toString(16)).slice(-2)
      })
      .join('')
  }

  function selectedMode() {
    var checked = form.querySelector('input[name="mode"]:checked')
    return checked ? checked.value : 'entry'
  }

  function enqueue(code) {
    var scan = { code: code, nonce: nonce(), gate: gateInput.value, mode: selectedMode(), scannedAt: Date.now() }
    update(function (queue) {
      queue.push(scan)
      return queue
    })
    showQueue()
    flush()
  }

  form.addEventListener('submit', function (event) {
    var code = codeInput.value.trim()
    if (code === '') return
    event.preventDefault()
    codeInput.value = ''
    codeInput.focus()
    enqueue(code)
  })

  function flush() {
    var queue = load()
    if (sending || queue.length === 0) return
    clearTimeout(retryTimer)
    sending = true
    var batch = queue.slice(0, MAX_PER_UPLOAD)
    // A request that a venue's Wi-Fi swallows without an answer must not hold the queue for good.
    var aborter = new AbortController()
    var timeout = setTimeout(function () {
      aborter.abort()
    }, UPLOAD_TIMEOUT_MS)
    fetch(uploadUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'csrf-token': csrf },
      body: JSON.stringify({ scans: batch }),
      signal: aborter.signal,
    })
      .then(function (response) {
        if (!response.ok) throw { status: response.status }
        return response.json()
      })
      .then(function (body) {
        clearTimeout(timeout)
        sending = false
        var answered = {}
        body.answers.forEach(function (answer) {
          answered[answer.nonce] = true
        })
        update(function (current) {
          return current.filter(function (scan) {
            return !answered[scan.nonce]
          })
        })
        // The last answer fills the screen; every other one, and any that waited, is listed so none goes unseen.
        var now = Date.now()
        var last = body.answers.length - 1
        body.answers.forEach(function (answer, i) {
          var scan = batch[i]
          if (scan && (i < last || now - scan.scannedAt > OFFLINE_AFTER_MS)) listAnswer(scan, answer)
        })
        if (last >= 0) showAnswer(body.answers[last], batch[last].gate)
        showCounts(body.counts)
        showQueue()
        if (load().length > 0) flush()
      })
      .catch(function (failure) {
        clearTimeout(timeout)
        sending = false
        var status = failure && failure.status
        if (status === 403) {
          showQueue(words.expired)
        } else if (status === 404) {
          showQueue(words.notAllowed)
        } else if (status >= 400 && status < 500) {
          showQueue(words.refused.replace('{status}', String(status)))
        } else {
          showQueue(words.offline)
          retryTimer = setTimeout(flush, RETRY_MS)
        }
      })
  }

  window.addEventListener('online', flush)

  function showQueue(problem) {
    var waiting = load().length
    var listed = queueList.children.length
    queueSection.hidden = waiting === 0 && listed === 0 && !problem
    var text = problem || ''
    if (waiting > 0) text = (text ? text + ' ' : '') + waitingText(waiting)
    queueStatus.textContent = text
  }

  // The plural form of the locale's category for this count, "other" when the browser cannot tell.
  function waitingText(count) {
    var forms = words.waiting
    var form = (pluralRules && forms[pluralRules.select(count)]) || forms.other
    return form.replace('{count}', String(count))
  }

  // What happened to a scan whose answer did not fill the screen: a conflict (admitted elsewhere meanwhile, or let in and
  // taken out since) and money still to collect go on top.
  function listAnswer(scan, answer) {
    var item = document.createElement('li')
    item.className = 'queue-item queue-item--' + answer.tone
    item.setAttribute('data-offline-answer', answer.kind)
    var when = new Date(scan.scannedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    item.textContent = when + ' · ' + answer.headline + ': ' + answer.lines.join(' · ')
    if (answer.collect) item.appendChild(collectForm(answer.collect, scan.gate))
    if (answer.kind === 'already' || answer.kind === 'taken-out' || answer.collect) queueList.insertBefore(item, queueList.firstChild)
    else queueList.appendChild(item)
  }

  // "Paid — let in" under an answer that says what to collect: the form the page has without this script, with its own nonce.
  function collectForm(collect, gate) {
    var collectForm = document.createElement('form')
    collectForm.method = 'post'
    collectForm.action = '/events/' + eventId + '/check-in/collect'
    collectForm.className = 'scan-answer__collect'
    collectForm.setAttribute('data-collect-form', '')
    var fields = { _csrf: csrf, code: collect.code, nonce: nonce(), gate: gate }
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement('input')
      input.type = 'hidden'
      input.name = name
      input.value = fields[name]
      collectForm.appendChild(input)
    })
    var button = document.createElement('button')
    button.type = 'submit'
    button.className = 'button'
    button.textContent = collect.button
    collectForm.appendChild(button)
    return collectForm
  }

  function showAnswer(answer, gate) {
    var panel = document.querySelector('[data-scan-answer]')
    if (!panel) {
      panel = document.createElement('div')
      panel.setAttribute('role', 'alert')
      form.parentNode.insertBefore(panel, form)
    }
    panel.className = 'scan-answer scan-answer--' + answer.tone
    panel.setAttribute('data-scan-answer', answer.kind)
    panel.textContent = ''
    var headline = document.createElement('p')
    headline.className = 'scan-answer__headline'
    headline.textContent = answer.headline
    panel.appendChild(headline)
    answer.lines.forEach(function (line) {
      var p = document.createElement('p')
      p.textContent = line
      panel.appendChild(p)
    })
    if (answer.collect) panel.appendChild(collectForm(answer.collect, gate))
  }

  function showCounts(counts) {
    var admitted = document.querySelector('[data-live-admitted]')
    var expected = document.querySelector('[data-live-expected]')
    if (admitted) admitted.textContent = String(counts.admitted)
    if (expected) expected.textContent = String(counts.expected)
  }

  showQueue()
  flush()

  // The camera.
  var camera = document.querySelector('[data-camera]')
  var video = document.querySelector('[data-camera-video]')
  var start = document.querySelector('[data-camera-start]')
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return
  camera.hidden = false
  var lastCode = ''
  var lastCodeAt = 0
  // The same code in view keeps being read: it counts as one scan until it has been out of view a while.
  var SAME_CODE_MS = 4000

  start.addEventListener('click', function () {
    start.disabled = true
    loadDecoder()
      .then(function (decode) {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (stream) {
          video.srcObject = stream
          video.hidden = false
          return video.play().then(function () {
            start.hidden = true
            readFrames(decode)
          })
        })
      })
      .catch(function () {
        start.disabled = false
        showQueue(words.noCamera)
      })
  })

  function readFrames(decode) {
    // Nothing to read while the page is hidden: look again in a second, without the work.
    if (document.hidden) {
      setTimeout(function () {
        readFrames(decode)
      }, 1000)
      return
    }
    decode(video)
      .then(function (code) {
        var now = Date.now()
        if (code && (code !== lastCode || now - lastCodeAt > SAME_CODE_MS)) enqueue(code)
        if (code) {
          lastCode = code
          lastCodeAt = now
        }
      })
      .catch(function () {})
      .then(function () {
        setTimeout(function () {
          readFrames(decode)
        }, 150)
      })
  }

  // A function from the video to the code in view (or null), by BarcodeDetector or jsQR.
  function loadDecoder() {
    var native = 'BarcodeDetector' in window ? window.BarcodeDetector.getSupportedFormats() : Promise.resolve([])
    return native.then(function (formats) {
      if (formats.indexOf('qr_code') === -1) return loadJsQR()
      var detector = new window.BarcodeDetector({ formats: ['qr_code'] })
      return function (source) {
        return detector.detect(source).then(function (codes) {
          return codes.length > 0 ? codes[0].rawValue : null
        })
      }
    })
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script')
      script.src = '/vendor/jsqr-1.4.0.js'
      script.onload = function () {
        var canvas = document.createElement('canvas')
        var context = canvas.getContext('2d', { willReadFrequently: true })
        resolve(function (source) {
          if (!source.videoWidth) return Promise.resolve(null)
          canvas.width = source.videoWidth
          canvas.height = source.videoHeight
          context.drawImage(source, 0, 0)
          var image = context.getImageData(0, 0, canvas.width, canvas.height)
          var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })
          return Promise.resolve(found ? found.data : null)
        })
      }
      script.onerror = reject
      document.head.appendChild(script)
    })
  }
})()
