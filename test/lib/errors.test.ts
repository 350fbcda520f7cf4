import { describe, expect, it } from 'vitest'
import { translator } from '../../src/i18n/translate.js'
import { Conflict, DatabaseUnavailable, NotFound, TooManyRequests, errorWords } from '../../src/lib/errors.js'

describe('the words of a domain error', () => {
  const t = translator('en')

  it('are looked up by key for the errors that name their words', () => {
    expect(errorWords(t, new NotFound())).toEqual({
      title: 'Page not found',
      message: 'There is nothing here. The link may be old, or the page was removed.',
    })
    expect(errorWords(t, new DatabaseUnavailable({ cause: null })).title).toBe('The service is briefly unavailable')
  })

  it('keep a sentence an error was given, under its class’s heading', () => {
    expect(errorWords(t, new NotFound('This offer link is not valid.'))).toEqual({
      title: 'Page not found',
      message: 'This offer link is not valid.',
    })
    expect(errorWords(t, new Conflict({ key: 'errors.forbidden.message' }))).toEqual({
      title: 'That cannot be done now',
      message: 'Your account may not do this.',
    })
  })

  it('say how long to wait in seconds under a minute, else in minutes rounded up', () => {
    const wait = (seconds: number) => errorWords(t, new TooManyRequests(seconds)).message
    expect(wait(29.5)).toBe('Please wait 30 seconds and try again.')
    expect(wait(60)).toBe('Please wait a minute and try again.')
    expect(wait(61)).toBe('Please wait 2 minutes and try again.')
    expect(wait(900)).toBe('Please wait 15 minutes and try again.')
  })
})
