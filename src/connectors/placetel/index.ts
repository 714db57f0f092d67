// Placetel call events: form-encoded POSTs (event=IncomingCall|OutgoingCall|CallAccepted|HungUp,
// from, to, call_id, peer, type) signed with a hex HMAC-SHA256 of the raw body in
// X-PLACETEL-SIGNATURE. Each event updates the call record; the caller is matched to CRM
// customers and contacts by number.
import { z } from 'zod';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { verifyHmacSignature } from '../sdk/signatures/hmacSignature.ts';
import { parseForm } from '../sdk/webhookPayload.ts';
import type { CallEvent } from '../telephony/callRecord.ts';
import { callEffect } from '../telephony/callWebhook.ts';

const configSchema = z.strictObject({});
const credentialsSchema = z.strictObject({
  /** The secret set for the notification URL in Placetel's web portal. */
  webhookSecret: z.string().min(8, 'must be at least 8 characters').max(500),
});
type PlacetelConfig = z.infer<typeof configSchema>;
type PlacetelCredentials = z.infer<typeof credentialsSchema>;

const signature = {
  scheme: 'hmac',
  header: 'x-placetel-signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: '',
  signedContent: '{body}',
  toleranceSeconds: 300,
} as const;

const events = new Set(['IncomingCall', 'OutgoingCall', 'CallAccepted', 'HungUp']);
const outcomes: Record<string, CallEvent['outcome']> = {
  accepted: 'completed',
  missed: 'missed',
  voicemail: 'voicemail',
  blocked: 'blocked',
  busy: 'busy',
};

export const placetelConnector: ConnectorDefinition<PlacetelConfig, PlacetelCredentials> = {
  id: 'placetel',
  name: 'Placetel',
  type: 'Webhook',
  authKind: 'none',
  description: 'Call events of the Placetel phone system, matched to CRM contacts by number.',
  configSchema,
  credentialsSchema,
  entities: ['call'],
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 4 },
  canonicalEntity: () => 'call',
  testConnection: async () => ({
    ok: true,
    message: 'Placetel is not called; its webhooks are checked by their signature',
    latencyMs: 0,
  }),
  webhooks: {
    secretHeaders: ['x-placetel-signature'],
    verify(request, { credentials }) {
      const verdict = verifyHmacSignature(request, signature, credentials.webhookSecret);
      if (verdict.kind !== 'accept') return verdict;
      const form = parseForm(request.body.toString('utf8'));
      if (typeof form.event !== 'string' || !events.has(form.event)) {
        return {
          kind: 'reject',
          reason: 'malformed',
          message: 'event must be IncomingCall, OutgoingCall, CallAccepted or HungUp',
        };
      }
      if (typeof form.call_id !== 'string' || form.call_id === '') {
        return { kind: 'reject', reason: 'malformed', message: 'call_id is missing' };
      }
      return verdict;
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
      const name = text('event');
      const event: CallEvent = {
        callId: text('call_id') ?? '',
        kind: name === 'CallAccepted' ? 'answered' : name === 'HungUp' ? 'ended' : 'ringing',
        at: webhook.receivedAt,
        direction: name === 'OutgoingCall' ? 'out' : name === 'IncomingCall' ? 'in' : undefined,
        from: text('from'),
        to: text('to'),
        by: text('peer'),
        outcome: name === 'HungUp' ? outcomes[text('type') ?? ''] : undefined,
        // Placetel's HungUp carries the talk time in seconds (unconfirmed: read when present).
        durationSeconds: name === 'HungUp' && text('duration') ? Number(text('duration')) || 0 : undefined,
      };
      return callEffect(runtime, 'placetel', event);
    },
  }),
};
