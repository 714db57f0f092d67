// The email adapter: one IMAP connection a sync, folders read by UID (see folderSync.ts), and
// sending through SMTP.
import type { ImapFlow } from 'imapflow';
import type { EntityCapabilities, IntegrationAdapter, SyncBatch, SyncRequest } from '../sdk/adapter.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import type { EmailConfig, EmailCredentials } from './config.ts';
import { syncFolders } from './folderSync.ts';
import { closeImap, openImap } from './imapSession.ts';
import { sendMessage } from './smtpSender.ts';

export function createEmailAdapter(
  runtime: AdapterRuntime<EmailConfig, EmailCredentials>,
): IntegrationAdapter {
  const { config, credentials } = runtime;
  const open = async (signal?: AbortSignal) => {
    await runtime.rateLimit(signal);
    const client = await openImap(config, credentials, runtime.network);
    return { client, close: () => closeImap(client) };
  };

  async function* sync(request: SyncRequest): AsyncGenerator<SyncBatch> {
    if (request.entity !== 'email')
      throw new ConnectorError('config', `email has no entity "${request.entity}"`);
    const mailbox = await open(request.signal);
    const onAbort = () => mailbox.client.close();
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield* syncFolders(
        {
          config,
          client: mailbox.client as ImapFlow,
          rateLimit: (signal) => runtime.rateLimit(signal),
          findContacts: (addresses) => runtime.findContacts(addresses),
        },
        request,
      );
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      await mailbox.close();
    }
  }

  return {
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: async (signal) => {
      const started = performance.now();
      try {
        const mailbox = await open(signal);
        try {
          await mailbox.client.status(config.folders[0] ?? 'INBOX', { messages: true });
        } finally {
          await mailbox.close();
        }
        return { ok: true, message: 'the IMAP server accepted the login', latencyMs: elapsed(started) };
      } catch (error) {
        return { ok: false, message: (error as Error).message, latencyMs: elapsed(started) };
      }
    },
    capabilities: (entity): EntityCapabilities => {
      if (entity !== 'email') throw new ConnectorError('config', `email has no entity "${entity}"`);
      return { incremental: true, deletions: 'tombstones' };
    },
    sync,
    send: async (message, signal) => {
      await runtime.rateLimit(signal);
      return sendMessage(config, credentials, message, () => open(signal), runtime.network);
    },
  };
}

const elapsed = (started: number) => Math.round(performance.now() - started);
