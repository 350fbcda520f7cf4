/**
 * Every message the site sends, with what its outbox row keeps: ids and
 * facts of the moment, never the composed text. A message is composed when
 * it is sent, from what the database says then (src/features/mail).
 *
 * The outbox is a feature of its own, below the others: every feature that
 * causes a message writes to it, and mail, which reads orders to compose
 * them, sends from it.
 */
export type MailMessage =
  | { kind: 'order-confirmation'; to: string; data: { orderId: number; siteUrl: string } }
  | { kind: 'order-cancelled'; to: string; data: { orderId: number; siteUrl: string } }
  | { kind: 'event-cancelled'; to: string; data: { orderId: number; siteUrl: string } }
  | { kind: 'password-reset'; to: string; data: { name: string; link: string; expiresAt: number; timeZone: string } }
  | { kind: 'organiser-approved'; to: string; data: { name: string; siteUrl: string } }
  | { kind: 'test'; to: string; data: { requestedBy: string; siteUrl: string } }

export type MailKind = MailMessage['kind']
