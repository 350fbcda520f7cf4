/** Words of the shared form partials (views/partials/) and of reading any form (src/lib/forms.ts). */
export const forms = {
  'forms.field.errorPrefix': 'Error:',
  'forms.errorSummary.heading': 'Please correct {count, plural, one {this} other {these {count}}} before sending again',
  'forms.field.tooLong': 'Use at most {max} characters.',
  'forms.field.sentTwice': 'This field was sent more than once.',
  'forms.field.controlCharacters': 'This field contains invisible control characters. Please type it again.',
} as const
