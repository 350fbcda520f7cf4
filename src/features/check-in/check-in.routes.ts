import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NotFound, idParam } from '../../lib/errors.js'
import { type DoorPass, doorPassOf, eventOf } from '../../plugins/auth.js'
import { type FieldErrors, FormReader, isEmail } from '../../lib/forms.js'
import { LIVE_PAGE_SCRIPTS } from '../../lib/paths.js'
import { qrDataUrl } from '../../lib/qr.js'
import { randomSecret } from '../../lib/random.js'
import { siteUrl } from '../../lib/site-url.js'
import { type Actor, actorOf } from '../audit/actor.js'
import type { Event } from '../events/event.model.js'
import type { MessageKey } from '../../i18n/catalogue.js'
import { checkInSecretOf } from '../events/event.repository.js'
import { settle } from '../upkeep/settle.js'
import { normaliseEmail } from '../accounts/user.repository.js'
import {
  type AdmissionGuard,
  GUARDED,
  type Scan,
  type ScanAnswer,
  type ScanMode,
  type Scanner,
  collectAndAdmit,
  doorCounts,
  doorList,
  paidAtDoorMethods,
  scanTicket,
  undoCheckIn,
} from './check-in.service.js'
import {
  type StaffRefusal,
  addStaffAccount,
  createStaffLink,
  doorEventsOf,
  doorStaffOf,
  redeemStaffLink,
  revokeStaff,
} from './door-staff.js'
import { checkInScriptWords, toAnswerView, toDoorListView, toStaffView } from './check-in.view.js'
import { liveWords } from '../events/event.live-words.js'

/** Why an account could not be made door staff, in words for the form. */
const STAFF_REFUSALS: Record<StaffRefusal | 'not-an-email', MessageKey> = {
  'not-an-email': 'checkIn.staff.error.email',
  'no-account': 'checkIn.staff.error.noAccount',
  'own-account': 'checkIn.staff.error.ownAccount',
  'already-staff': 'checkIn.staff.error.alreadyStaff',
}

/** The most scans one upload may carry: a phone that was offline for a long queue sends them in several. */
const MAX_SCANS_PER_UPLOAD = 100
const MAX_GATE_LENGTH = 60
const MAX_LINK_LABEL_LENGTH = 60
const NONCE = /^[A-Za-z0-9_-]{8,64}$/
const DEFAULT_GATE = 'Door'

/**
 * The door: the check-in page (a form a barcode scanner types into, which
 * works without JavaScript; public/check-in.js adds the camera and a queue for
 * scans made offline), the uploads of those queued scans, taking the money of
 * an order paid at the door, the printable door list, the organiser's door
 * staff and staff links, and undoing a check-in.
 * Door routes answer 404 to anyone without a pass for the event (the access
 * hook's door rule, src/plugins/auth.ts); the organiser's routes to anyone who
 * does not manage it.
 */
export default async function checkInRoutes(app: FastifyInstance, options: { admissionGuard?: AdmissionGuard }) {
  const door = { config: { access: 'door' as const } }
  const owner = { config: { access: 'event-owner' as const } }
  // Another guard only in a concurrency test's control (see AdmissionGuard).
  const guard = options.admissionGuard ?? GUARDED
  // The methods whose orders the door takes the money of: fixed for the app's life.
  const paidAtDoor = paidAtDoorMethods(app.payments.methods.values())

  const doorOf = (request: FastifyRequest) => ({ event: eventOf(request), pass: doorPassOf(request) })

  /**
   * Orders past their payment deadline lapse before the door answers for
   * them (as pages settle before they count): an unpaid transfer whose time
   * ran out is "expired", not "not paid yet". Nothing to do, and no query,
   * while no deadline has passed.
   */
  async function settled(event: Event): Promise<void> {
    if (await settle(app.db, event)) app.afterCommit({ eventChanged: event.id, mailQueued: true })
  }

  function scannerOf(event: Event, secret: string, pass: DoorPass): Scanner {
    return {
      event: { id: event.id, checkInSecret: secret, questionCount: event.questionCount },
      actorId: pass.actorId,
      actorLabel: pass.actorLabel,
      paidAtDoor,
    }
  }

  async function renderCheckIn(
    reply: FastifyReply,
    event: Event,
    pass: DoorPass,
    scan: { gate: string; mode: ScanMode },
    answer?: ScanAnswer,
    codeError?: string,
  ) {
    const counts = await doorCounts(app.db, event.id, paidAtDoor)
    // The page itself holds no personal data until it shows an answer; either way it is never cached.
    reply.header('cache-control', 'private, no-store')
    const { t, locale } = reply.request
    return reply.render('check-in/check-in.eta', {
      title: t('checkIn.page.title', { title: event.title }),
      scripts: [...LIVE_PAGE_SCRIPTS, '/public/check-in.js'],
      liveWords: liveWords(reply.request.t, reply.request.locale),
      event: { id: event.id, title: event.title, cancelled: event.status === 'cancelled' },
      manages: pass.manages,
      mayPrintList: pass.manages || pass.actorId !== null,
      staffLabel: pass.actorLabel,
      counts,
      gate: scan.gate,
      mode: scan.mode,
      nonce: randomSecret(12),
      answer: answer && toAnswerView(answer, event.timeZone, t, locale),
      // The "Paid — let in" form's own: sent again, it gets its first answer, and is no scan of the form below.
      collectNonce: randomSecret(12),
      codeError,
      scriptWords: checkInScriptWords(t, locale),
    })
  }

  app.get('/events/:id/check-in', door, async (request, reply) => {
    const { event, pass } = doorOf(request)
    const query = new FormReader(request.query)
    return renderCheckIn(reply, event, pass, { gate: gateOf(query.text('gate')), mode: modeOf(query.text('mode')) })
  })

  // Answers with the result itself, not a redirect: at a door every round trip
  // counts. A browser that resends the form (a reload, a retry on a bad
  // connection) sends the same nonce, and gets the first answer again.
  app.post('/events/:id/check-in', door, async (request, reply) => {
    const { event, pass } = doorOf(request)
    await settled(event)
    const form = new FormReader(request.body)
    const scan = scanOf(form.text('code'), form.text('nonce'), form.text('gate'), form.text('mode'), null)
    if (scan.code.trim() === '') {
      reply.code(422)
      return renderCheckIn(reply, event, pass, scan, undefined, form.errors.code ?? request.t('checkIn.page.codeMissing'))
    }
    const secret = await checkInSecretOf(app.db, event)
    const answer = await scanTicket(app.db, scannerOf(event, secret, pass), scan, guard)
    if (changesCounts(answer)) app.afterCommit({ eventChanged: event.id })
    return renderCheckIn(reply, event, pass, scan, answer)
  })

  // "Paid — let in", under the answer that said what to collect: the door took
  // the order's money. Recorded, then admitted as a scan; answered as a scan is.
  app.post('/events/:id/check-in/collect', door, async (request, reply) => {
    const { event, pass } = doorOf(request)
    await settled(event)
    const form = new FormReader(request.body)
    const scan = scanOf(form.text('code'), form.text('nonce'), form.text('gate'), 'entry', null)
    const secret = await checkInSecretOf(app.db, event)
    const { answer, paid } = await collectAndAdmit(app.db, scannerOf(event, secret, pass), scan, doorActorOf(request, pass), guard)
    if (paid || changesCounts(answer)) app.afterCommit({ eventChanged: event.id, mailQueued: paid })
    return renderCheckIn(reply, event, pass, scan, answer)
  })

  /**
   * The page's queue of scans, sent when the phone is online again (or at
   * once when it is): JSON, with the form's CSRF token in a header. Each scan
   * carries its own nonce, so an upload sent again after a lost answer admits
   * nobody twice, and the answers come back in the order of the scans.
   */
  app.post('/events/:id/check-in/scans', door, async (request, reply) => {
    const { event, pass } = doorOf(request)
    const scans = scansOf(request.body)
    if (scans === null) {
      return reply
        .code(422)
        .send({ error: `Send {"scans": [{"code", "nonce", "gate", "mode", "scannedAt"}]}, at most ${MAX_SCANS_PER_UPLOAD} at a time.` })
    }
    await settled(event)
    const secret = await checkInSecretOf(app.db, event)
    const scanner = scannerOf(event, secret, pass)
    const answers = []
    let changed = false
    for (const scan of scans) {
      const answer = await scanTicket(app.db, scanner, scan, guard)
      changed ||= changesCounts(answer)
      answers.push({ nonce: scan.nonce, ...toAnswerView(answer, event.timeZone, request.t, request.locale) })
    }
    if (changed) app.afterCommit({ eventChanged: event.id })
    reply.header('cache-control', 'no-store')
    return { answers, counts: await doorCounts(app.db, event.id, paidAtDoor) }
  })

  // Every valid code with its holder's name: for the organiser and staff accounts, who are known people;
  // not for a staff link, which may be passed on.
  app.get('/events/:id/door-list', door, async (request, reply) => {
    const { event, pass } = doorOf(request)
    if (!pass.manages && pass.actorId === null) throw new NotFound()
    await settled(event)
    const secret = await checkInSecretOf(app.db, event)
    const lines = await doorList(app.db, { id: event.id, checkInSecret: secret, questionCount: event.questionCount }, paidAtDoor)
    reply.header('cache-control', 'private, no-store')
    return reply.render('check-in/door-list.eta', {
      title: request.t('checkIn.doorList.title', { title: event.title }),
      ...toDoorListView(event, lines, request.t, request.locale),
    })
  })

  /** A staff link: remembered in this browser's session, which from then on may check in this event's tickets. */
  app.get('/door/:token', { config: { access: 'anyone' } }, async (request, reply) => {
    const grant = await redeemStaffLink(app.db, (request.params as { token?: string }).token ?? '')
    if (!grant) throw new NotFound({ key: 'checkIn.door.linkInvalid' })
    const links = request.session.doorLinks ?? []
    if (!links.includes(grant.id)) request.session.doorLinks = [...links, grant.id].slice(-20)
    return reply.redirect(`/events/${grant.eventId}/check-in`, 303)
  })

  /** Door staff's own page: the events they may check in. */
  app.get('/door', { config: { access: 'anyone' } }, async (request, reply) => {
    const events = await doorEventsOf(app.db, request.user?.id ?? null, request.session.doorLinks ?? [])
    reply.header('cache-control', 'private, no-store')
    return reply.render('check-in/door.eta', {
      title: request.t('checkIn.door.title'),
      loggedIn: request.user !== null,
      events: events.map((event) => ({ id: event.id, title: event.title })),
    })
  })

  // The organiser's side.

  async function renderStaff(
    reply: FastifyReply,
    event: Event,
    form: { email: string; label: string; errors: FieldErrors },
    newLink?: { url: string; label: string },
  ) {
    const staff = await doorStaffOf(app.db, event.id)
    reply.header('cache-control', 'private, no-store')
    const { t } = reply.request
    return reply.render('check-in/door-staff.eta', {
      title: t('checkIn.staff.title', { title: event.title }),
      event: { id: event.id, title: event.title },
      staff: staff.map((member) => toStaffView(member, event.timeZone, t)),
      values: { email: form.email, label: form.label },
      errors: form.errors,
      newLink: newLink && { ...newLink, qr: await qrDataUrl(newLink.url) },
    })
  }

  app.get('/events/:id/door-staff', owner, async (request, reply) => {
    const event = eventOf(request)
    return renderStaff(reply, event, { email: '', label: '', errors: {} })
  })

  app.post('/events/:id/door-staff', owner, async (request, reply) => {
    const actor = actorOf(request)
    const event = eventOf(request)
    const form = new FormReader(request.body)
    const email = normaliseEmail(form.text('email'))
    const problem = !isEmail(email) ? 'not-an-email' : await addStaffAccount(app.db, { event, actor }, email, siteUrl(request))
    if (problem !== null) {
      reply.code(422)
      return renderStaff(reply, event, { email: form.text('email'), label: '', errors: { email: request.t(STAFF_REFUSALS[problem]) } })
    }
    app.afterCommit({ mailQueued: true })
    reply.flash('success', 'flash.checkIn.staffAdded', { email })
    return reply.redirect(`/events/${event.id}/door-staff`, 303)
  })

  // Shows the new link once, on the page that answers the form: only its hash is kept.
  app.post('/events/:id/door-staff/links', owner, async (request, reply) => {
    const actor = actorOf(request)
    const event = eventOf(request)
    const label = new FormReader(request.body).text('label').trim()
    if (label === '' || label.length > MAX_LINK_LABEL_LENGTH) {
      reply.code(422)
      return renderStaff(reply, event, {
        email: '',
        label,
        errors: {
          label:
            label === '' ? request.t('checkIn.staff.error.labelMissing') : request.t('forms.field.tooLong', { max: MAX_LINK_LABEL_LENGTH }),
        },
      })
    }
    const token = await createStaffLink(app.db, { event, actor }, label)
    reply.header('cache-control', 'no-store')
    return renderStaff(reply, event, { email: '', label: '', errors: {} }, { url: `${siteUrl(request)}/door/${token}`, label })
  })

  app.post('/events/:id/door-staff/:staffId/revoke', owner, async (request, reply) => {
    const actor = actorOf(request)
    const event = eventOf(request)
    const revoked = await revokeStaff(app.db, { event, actor }, idParam(request.params, 'staffId'))
    reply.flash(revoked ? 'success' : 'info', revoked ? 'flash.checkIn.revoked' : 'flash.checkIn.alreadyRevoked')
    return reply.redirect(`/events/${event.id}/door-staff`, 303)
  })

  app.post('/events/:id/check-ins/:ticketId/undo', owner, async (request, reply) => {
    const actor = actorOf(request)
    const event = eventOf(request)
    const undone = await undoCheckIn(app.db, {
      eventId: event.id,
      ticketId: idParam(request.params, 'ticketId'),
      actor,
    })
    if (undone) app.afterCommit({ eventChanged: event.id })
    reply.flash(undone ? 'success' : 'info', undone ? 'flash.checkIn.undone' : 'flash.checkIn.notCheckedIn')
    const back = new FormReader(request.body).text('back')
    return reply.redirect(back.startsWith(`/events/${event.id}/`) ? back : `/events/${event.id}/orders`, 303)
  })
}

/**
 * Who takes money at the door, for the audit log and the payment's
 * recorded_by: an account as the log names accounts (its e-mail), a staff
 * link by its name.
 */
function doorActorOf(request: FastifyRequest, pass: DoorPass): Actor {
  return pass.actorId !== null ? actorOf(request) : { userId: null, label: pass.actorLabel, isAdmin: false, ip: request.ip }
}

function changesCounts(answer: ScanAnswer): boolean {
  return (answer.kind === 'admitted' || answer.kind === 'checked-out') && !answer.replayed
}

function gateOf(text: string): string {
  const gate = text.trim().slice(0, MAX_GATE_LENGTH)
  return gate === '' ? DEFAULT_GATE : gate
}

function modeOf(text: string): ScanMode {
  return text === 'exit' ? 'exit' : 'entry'
}

function scanOf(code: string, nonce: string, gate: string, mode: string, scannedAt: number | null): Scan {
  return {
    code: code.slice(0, 200),
    nonce: NONCE.test(nonce) ? nonce : null,
    gate: gateOf(gate),
    mode: modeOf(mode),
    scannedAt,
  }
}

/** The scans of an upload, or null when it is not one. Each scan's fields are read as a form's are (control characters refused). */
function scansOf(body: unknown): Scan[] | null {
  const scans = (body as { scans?: unknown } | null)?.scans
  if (!Array.isArray(scans) || scans.length === 0 || scans.length > MAX_SCANS_PER_UPLOAD) return null
  const parsed: Scan[] = []
  for (const item of scans) {
    if (typeof item !== 'object' || item === null) return null
    const fields = new FormReader(item)
    const nonce = fields.text('nonce')
    if (!NONCE.test(nonce)) return null
    const scannedAt = (item as { scannedAt?: unknown }).scannedAt
    const at = typeof scannedAt === 'number' && Number.isSafeInteger(scannedAt) && scannedAt > 0 ? scannedAt : null
    parsed.push(scanOf(fields.text('code'), nonce, fields.text('gate'), fields.text('mode'), at))
  }
  return parsed
}
