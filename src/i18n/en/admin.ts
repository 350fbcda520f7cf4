/** The site admin's pages: settings, users, the audit log, the outbox, and the first-run setup. */
export const admin = {
  'admin.nav.label': 'Site admin',
  'admin.nav.settings': 'Settings',
  'admin.nav.users': 'Users',
  'admin.nav.audit': 'Audit log',
  'admin.nav.outbox': 'Outbox',
} as const
