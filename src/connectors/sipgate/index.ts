// sipgate.io call events: a form-encoded `newCall` (direction, from, to, callId, user[]) whose
// XML answer asks for the call's later events (`onAnswer`, `onHangup` to this same URL). Each
// request is signed with sipgate's RSA key: base64 RSA-SHA256 of the raw body in
// X-Sipgate-Signature (the header name is unconfirmed). Numbers arrive without the plus.
import { z } from 'zod';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { bodyDigest } from '../sdk/signatures/constantTime.ts';
import { verifyRsaSha256 } from '../sdk/signatures/rsaSignature.ts';
import { parseForm } from '../sdk/webhookPayload.ts';
import type { CallEvent } from '../telephony/callRecord.ts';
import { callEffect } from '../telephony/callWebhook.ts';

const configSchema = z.strictObject({
  /** sipgate's public key (PEM) its webhooks are signed with. */
  signingPublicKey: z
    .string()
    .max(10_000)
    .regex(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, 'must be a PEM public key'),
});
const credentialsSchema = z.strictObject({});
type SipgateConfig = z.infer<typeof configSchema>;
type SipgateCredentials = z.infer<typeof credentialsSchema>;

const outcomes: Record<string, CallEvent['outcome']> = {
  normalClearing: undefined,
  busy: 'busy',
  cancel: 'missed',
  noAnswer: 'missed',
  congestion: 'failed',
  notFound: 'failed',
  forwarded: 'completed',
};

export const sipgateConnector: ConnectorDefinition<SipgateConfig, SipgateCredentials> = {
  id: 'sipgate',
  name: 'sipgate',
  type: 'Webhook',
  authKind: 'none',
  description: 'Call events of sipgate.io (newCall, answer, hangup), matched to CRM contacts by number.',
  configSchema,
  credentialsSchema,
  entities: ['call'],
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 4 },
  canonicalEntity: () => 'call',
  testConnection: async () => ({
    ok: true,
    message: 'sipgate is not called; its webhooks are checked by their signature',
    latencyMs: 0,
  }),
  webhooks: {
    secretHeaders: ['x-sipgate-signature'],
    verify(request, { config, webhookUrl }) {
      if (!verifyRsaSha256(request.body, request.headers['x-sipgate-signature'], config.signingPublicKey)) {
        return { kind: 'reject', reason: 'signature', message: 'x-sipgate-signature does not verify' };
      }
      const form = parseForm(request.body.toString('utf8'));
      if (!['newCall', 'answer', 'hangup'].includes(String(form.event)) || typeof form.callId !== 'string') {
        return {
          kind: 'reject',
          reason: 'malformed',
          message: 'event (newCall, answer, hangup) and callId are required',
        };
      }
      // Only what newCall answers subscribes the call's later events.
      const reply =
        form.event === 'newCall'
          ? {
              status: 200,
              contentType: 'application/xml',
              body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="${xmlAttribute(webhookUrl)}" onHangup="${xmlAttribute(webhookUrl)}"/>`,
            }
          : undefined;
      return { kind: 'accept', messageId: bodyDigest(request.body), reply };
    },
  },
  createAdapter: (runtime) => ({
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: async () => ({ ok: true, message: 'receives call events only', latencyMs: 0 }),
    capabilities: () => ({ incremental: false, deletions: 'none' }),
    async *sync() {},
    async handleWebhook(webhook) {
      const form = parseForm(webhook.body.toString('utf8'));
      const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : undefined);
      const users = form.user === undefined ? [] : Array.isArray(form.user) ? form.user : [form.user];
      const name = text('event');
      const event: CallEvent = {
        callId: text('callId') ?? '',
        kind: name === 'answer' ? 'answered' : name === 'hangup' ? 'ended' : 'ringing',
        at: webhook.receivedAt,
        direction: name === 'newCall' ? (text('direction') === 'out' ? 'out' : 'in') : undefined,
        from: text('from'),
        to: text('to'),
        by: text('answeringNumber') ?? (name === 'answer' ? users.join(', ') || undefined : undefined),
        outcome: name === 'hangup' ? outcomes[text('cause') ?? ''] : undefined,
      };
      return callEffect(runtime, 'sipgate', event);
    },
  }),
};

function xmlAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
