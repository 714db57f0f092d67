// The webhook-only connector: a system that only pushes (no API to pull from) joins with
// settings only. Its webhooks are verified per Standard Webhooks or a configured HMAC scheme, and
// their payloads become records of the configured entities.
import type { SourceRecord } from '../sdk/adapter.ts';
import { type ConnectorDefinition, describedEntities } from '../sdk/connectorDefinition.ts';
import { readPath } from '../sdk/readPath.ts';
import { signatureHeaders, verifyConfiguredSignature } from '../sdk/signatures/configuredWebhooks.ts';
import { parsePayload } from '../sdk/webhookPayload.ts';
import {
  type WebhookConfig,
  type WebhookCredentials,
  type WebhookEntity,
  webhookConfigSchema,
  webhookCredentialsSchema,
} from './config.ts';

export const webhookConnector: ConnectorDefinition<WebhookConfig, WebhookCredentials> = {
  id: 'webhook',
  name: 'Webhook-only system',
  type: 'Webhook',
  authKind: 'none',
  description:
    'A system that only pushes: webhooks signed per Standard Webhooks, HMAC or a JWT become records, configured by data.',
  configSchema: webhookConfigSchema,
  credentialsSchema: webhookCredentialsSchema,
  entities: ['customer', 'contact', 'address', 'invoice', 'order', 'product', 'call', 'event', 'item'],
  configuredEntities: (config) => describedEntities(config.entities),
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 4 },
  canonicalEntity: (entity) => entity,
  testConnection: async () => ({
    ok: true,
    message: 'a webhook-only system is not called; it is checked by the signature of what it sends',
    latencyMs: 0,
  }),
  webhooks: {
    secretHeaders: (config) => signatureHeaders(config.signature),
    async verify(request, { config, credentials }) {
      const verdict = await verifyConfiguredSignature(request, config.signature, credentials.webhookSecret);
      if (verdict.kind !== 'accept') return verdict;
      // A signed body that cannot be read is refused now, while the sender can still hear it.
      try {
        parsePayload(request.body, request.headers['content-type']);
      } catch {
        return { kind: 'reject', reason: 'malformed', message: 'is not valid JSON' };
      }
      return verdict;
    },
  },
  createAdapter: ({ config }) => ({
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: async () => ({ ok: true, message: 'receives webhooks only', latencyMs: 0 }),
    capabilities: () => ({ incremental: false, deletions: 'tombstones' }),
    // Nothing to pull: the records arrive by webhook.
    async *sync() {},
    async handleWebhook(webhook) {
      const payload = parsePayload(webhook.body, webhook.headers['content-type']);
      const records = Object.entries(config.entities)
        .filter(([, entity]) => !entity.when || matches(payload, entity.when))
        .map(([name, entity]) => ({ entity: name, records: recordsOf(payload, entity) }));
      return { records };
    },
  }),
};

function matches(payload: unknown, test: NonNullable<WebhookEntity['when']>): boolean {
  return readPath(payload, test.field) === test.equals;
}

function recordsOf(payload: unknown, entity: WebhookEntity): SourceRecord[] {
  const found = readPath(payload, entity.recordsPath);
  const items = Array.isArray(found) ? found : found === undefined ? [] : [found];
  return items.map((data) => {
    const id = readPath(data, entity.idField);
    return {
      externalId: id === undefined || id === null ? '' : String(id),
      data,
      ...(entity.deletedWhen && matches(data, entity.deletedWhen) ? { deleted: true } : {}),
    };
  });
}
