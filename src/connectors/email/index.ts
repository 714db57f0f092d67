// Email: an IMAP mailbox read incrementally by UID, senders matched to CRM contacts, and sending
// through SMTP.
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { createEmailAdapter } from './adapter.ts';
import {
  type EmailConfig,
  type EmailCredentials,
  emailConfigSchema,
  emailCredentialsSchema,
} from './config.ts';
import { closeImap, openImap } from './imapSession.ts';

export const emailConnector: ConnectorDefinition<EmailConfig, EmailCredentials> = {
  id: 'email',
  name: 'Email (IMAP/SMTP)',
  type: 'IMAP',
  authKind: 'basic',
  description:
    'Messages of IMAP folders, incremental by UIDVALIDITY and UID, with attachment metadata and senders matched to CRM contacts; sending through SMTP.',
  configSchema: emailConfigSchema,
  credentialsSchema: emailCredentialsSchema,
  checkCredentials: (config, credentials) => [
    ...(config.smtp && !config.fromAddress
      ? [{ field: 'config.fromAddress', message: 'is required when an SMTP server is set' }]
      : []),
    ...(credentials.smtpPassword && !credentials.smtpUsername
      ? [{ field: 'credentials.smtpUsername', message: 'is required with smtpPassword' }]
      : []),
  ],
  entities: ['email'],
  // IMAP servers limit connections more than requests; a few commands a sync.
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 1 },
  testConnection: ({ config, credentials, network }) =>
    checkConnection(
      async () => {
        const client = await openImap(config, credentials, network);
        try {
          const status = await client.status(config.folders[0] ?? 'INBOX', { messages: true });
          return `the IMAP server accepted the login; ${config.folders[0] ?? 'INBOX'} holds ${status ? (status.messages ?? 0) : 0} messages`;
        } finally {
          await closeImap(client);
        }
      },
      // The test reports the message alone, without the kind of a ConnectorError behind it.
      (error) => ({ message: (error as Error).message }),
    ),
  createAdapter: createEmailAdapter,
  canonicalEntity: () => 'email',
  defaultMapping: {
    email: {
      target: 'email',
      fields: {
        messageId: { from: 'messageId' },
        from: { from: 'from.address' },
        to: { from: 'to[*].address' },
        cc: { from: 'cc[*].address' },
        subject: { from: 'subject' },
        date: { from: 'date' },
        body: { from: 'text' },
        attachments: { from: 'attachments' },
        contacts: { from: 'matchedContacts' },
        folder: { from: 'folder' },
        seen: { from: 'seen' },
      },
    },
  },
};
