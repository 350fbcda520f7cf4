/** Words shared by every page: the layout, its menu, flash messages and error pages. */
export const common = {
  'layout.skipToContent': 'Skip to content',
  'layout.nav.label': 'Main',
  'layout.nav.events': 'Events',
  'layout.nav.door': 'Door',
  'layout.nav.myTickets': 'My tickets',
  'layout.nav.organiser': 'Organiser',
  'layout.nav.admin': 'Admin',
  'layout.nav.logOut': 'Log out',
  'layout.nav.logIn': 'Log in',
  'layout.nav.signUp': 'Sign up',
  'layout.footer.ticketsBy': 'tickets by Admit One',
  /** A price of nothing. */
  'common.free': 'Free',
  'orders.status.pending': 'Awaiting payment',
  'orders.status.paid': 'Paid',
  'orders.status.expired': 'Expired',
  'orders.status.cancelled': 'Cancelled',
} as const
