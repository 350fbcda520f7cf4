import { describe, expect, it } from 'vitest'
import { FormReader, isEmail, mailtoHref } from '../../src/lib/forms.js'

describe('FormReader.checkbox', () => {
  it.each([
    ['1', true],
    ['on', true],
    ['true', true],
    ['false', false],
    ['off', false],
    ['0', false],
    ['', false],
    ['no', false],
  ])('reads %j as %j', (value, checked) => {
    expect(new FormReader({ box: value }).checkbox('box')).toBe(checked)
  })

  it('reads a missing or repeated box as not checked', () => {
    expect(new FormReader({}).checkbox('box')).toBe(false)
    expect(new FormReader({ box: ['1', '1'] }).checkbox('box')).toBe(false)
  })
})

describe('isEmail', () => {
  it.each(['ada@example.org', "o'brien@example.ie", 'a.b+tickets@mail.example.co.uk', 'émile@exemple.fr'])('accepts %s', (email) => {
    expect(isEmail(email)).toBe(true)
  })

  it.each([
    'a@b.example?bcc=c@d.example',
    'a@b.example&cc=c@d.example',
    'a@b.example,c@d.example',
    'a@b.example;c@d.example',
    'a%40b@c.example',
    '"a b"@c.example',
    'a@b.example#x',
    'a@b',
    '@b.example',
    'a@@b.example',
  ])('refuses %s', (email) => {
    expect(isEmail(email)).toBe(false)
  })
})

describe('mailtoHref', () => {
  it('keeps an address stored before the check from adding recipients', () => {
    expect(mailtoHref('a@b.example')).toBe('mailto:a@b.example')
    expect(mailtoHref('a@b.example?bcc=c@d.example')).toBe('mailto:a@b.example%3Fbcc%3Dc%40d.example')
  })
})
