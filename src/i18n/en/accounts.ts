/** Logging in, signing up and choosing a new password: the pages, their titles and their forms' messages. */
export const accounts = {
  'accounts.fields.name': 'Your name',
  'accounts.fields.email': 'Email',
  'accounts.fields.password': 'Password',
  'accounts.fields.passwordHint': 'At least 10 characters. A few unrelated words make a strong one.',
  'accounts.form.nameMissing': 'Enter your name.',
  'accounts.form.emailInvalid': 'Enter an email address like name@example.com.',
  'accounts.password.tooShort': 'Use at least {min} characters.',
  'accounts.password.common': 'This password is one of the most common ones. Choose another.',

  'accounts.login.title': 'Log in',
  'accounts.login.submit': 'Log in',
  'accounts.login.forgotPassword': 'Forgot your password?',
  'accounts.login.noAccountBefore': 'No account yet?',
  'accounts.login.noAccountLink': 'Create one',
  'accounts.login.noAccountAfter': '. You do not need an account to buy tickets.',
  'accounts.login.emailMissing': 'Enter your email address.',
  'accounts.login.passwordMissing': 'Enter your password.',
  'accounts.login.noMatch': 'That email and password do not match an active account.',

  'accounts.register.title': 'Create an account',
  'accounts.register.organiser': 'I want to organise events{policy, select, approval { (an admin approves organiser accounts)} other {}}',
  'accounts.register.submit': 'Create account',
  'accounts.register.registeredBefore': 'Already registered?',
  'accounts.register.logIn': 'Log in',
  'accounts.register.emailTaken': 'An account with this email already exists. Log in instead.',

  'accounts.forgotPassword.title': 'Forgot your password?',
  'accounts.forgotPassword.intro': 'Type the email address of your account. We send a link to it that lets you choose a new password.',
  'accounts.forgotPassword.submit': 'Send me a link',
  'accounts.forgotPassword.backToLogIn': 'Back to log in',
  'accounts.forgotPassword.emailInvalid': 'Enter the email address of your account, like name@example.com.',

  'accounts.forgotPasswordSent.title': 'Check your email',
  'accounts.forgotPasswordSent.sentBefore': 'If an account uses',
  'accounts.forgotPasswordSent.sentAfter':
    ', a link to choose a new password is on its way to it. The link works once, for {minutes} minutes.',
  'accounts.forgotPasswordSent.nothingBefore': 'Nothing after a few minutes? Look in the spam folder, check the address and',
  'accounts.forgotPasswordSent.askAgain': 'ask again',

  'accounts.resetPassword.title': 'Choose a new password',
  'accounts.resetPassword.newPassword': 'New password',
  'accounts.resetPassword.confirmation': 'The same password again',
  'accounts.resetPassword.submit': 'Set the new password',
  'accounts.resetPassword.logsOut': 'Setting it logs you out everywhere; you then log in with the new password.',
  'accounts.resetPassword.differ': 'The two passwords differ. Type the same one twice.',

  'accounts.resetLinkInvalid.title': 'This link no longer works',
  'accounts.resetLinkInvalid.why':
    'A link to choose a new password works once, and for an hour. This one was used already, has expired, or was not copied whole.',
  'accounts.resetLinkInvalid.askNew': 'Ask for a new link',
} as const
