/** What public/live.js writes and announces as figures change: the page gives it these words. */
export const live = {
  'live.orders': '{count, plural, one {{count} order} other {{count} orders}}',
  'live.note.notOnSale': 'Not on sale',
  'live.announce.onSaleAgain': '{name}: tickets are on sale again.',
  'live.announce.onSaleAgainUnnamed': 'tickets are on sale again.',
  'live.announce.status': '{name}: {status}.',
  'live.announce.statusUnnamed': '{status}.',
  'live.announce.typeSoldOut': '{type} sold out.',
  'live.announce.someType': 'A ticket type',
} as const
