import { expect, it } from 'vitest'
import type { MailMessage } from '../../src/features/outbox/outbox.messages.js'
import { enqueueMail } from '../../src/features/outbox/outbox.repository.js'
import { useTestApp } from '../helpers/app.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useLoginAs } from '../helpers/login.js'

describeEachDatabase('GET /admin/outbox', (kind) => {
  const t = useTestApp(kind)
  const admin = useLoginAs(t, 'admin')

  const enqueue = (count: number) => {
    const messages: MailMessage[] = Array.from({ length: count }, (_, i) => ({
      kind: 'test',
      to: `outbox-page-${i}@example.test`,
      data: { requestedBy: 'root@example.test', siteUrl: 'http://admit-one.test' },
    }))
    return t.db.transaction().execute((trx) => enqueueMail(trx, messages))
  }
  const summary = async () => /<p class="admin-summary">([^<]*)<\/p>/.exec((await admin.browser.get('/admin/outbox')).body)?.[1]

  it('counts the messages it shows in words that fit the number', async () => {
    expect(await summary()).toBeUndefined()
    await enqueue(1)
    expect(await summary()).toBe('One message. Times in UTC.')
    await enqueue(1)
    expect(await summary()).toBe('2 messages, newest first. Times in UTC.')
    // The page shows the newest 100 of them.
    await enqueue(99)
    expect(await summary()).toBe('The newest 100 of 101 messages first. Times in UTC.')
  })
})
