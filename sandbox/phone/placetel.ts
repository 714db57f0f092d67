// An imitation of Placetel's call notifications: form-encoded POSTs per call event
// (IncomingCall or OutgoingCall, CallAccepted, HungUp with type and duration), signed with a hex
// HMAC-SHA256 of the raw body in X-PLACETEL-SIGNATURE. Placetel's retry policy is unconfirmed:
// this imitation sends each event once and reports the answer.
import { createHmac, randomBytes } from 'node:crypto';
import {
  type Delivery,
  encodeForm,
  newCallId,
  type PlacedCall,
  postForm,
  type SendOptions,
  startAdminServer,
} from './callScript.ts';

export interface PlacetelSandbox {
  url: string;
  secret: string;
  /** Places a call: posts its events to the hub's webhook URL in order and returns the answers. */
  placeCall(webhookUrl: string, call: PlacedCall, options?: SendOptions): Promise<Delivery[]>;
  /** Sends a body exactly as before (signature included): a replay. */
  resend(webhookUrl: string, body: string): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startPlacetelSandbox(
  options: { port?: number; secret?: string } = {},
): Promise<PlacetelSandbox> {
  const secret = options.secret ?? `placetel-${randomBytes(16).toString('hex')}`;
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');

  const send = async (webhookUrl: string, event: string, body: string, sendOptions: SendOptions = {}) => {
    const signature = sign(body);
    const sent = sendOptions.tamper ? body.replace(/to=[^&]*/, 'to=%2B4930999999') : body;
    const answer = await postForm(webhookUrl, sent, { 'x-placetel-signature': signature });
    return { event, body: sent, status: answer.status, responseBody: answer.body };
  };

  const placeCall = async (webhookUrl: string, call: PlacedCall, sendOptions: SendOptions = {}) => {
    const callId = newCallId();
    const base: [string, string][] = [
      ['from', call.from],
      ['to', call.to],
      ['call_id', callId],
    ];
    const deliveries: Delivery[] = [];
    const start = call.direction === 'in' ? 'IncomingCall' : 'OutgoingCall';
    deliveries.push(await send(webhookUrl, start, encodeForm([['event', start], ...base]), sendOptions));
    if (call.outcome === 'accepted') {
      const accepted = encodeForm([['event', 'CallAccepted'], ...base, ['peer', call.peer ?? '777xxx1']]);
      deliveries.push(await send(webhookUrl, 'CallAccepted', accepted, sendOptions));
    }
    const hungUp = encodeForm([
      ['event', 'HungUp'],
      ...base,
      ['type', call.outcome],
      ['duration', String(call.outcome === 'accepted' ? (call.talkSeconds ?? 95) : 0)],
    ]);
    deliveries.push(await send(webhookUrl, 'HungUp', hungUp, sendOptions));
    return deliveries;
  };

  const admin = await startAdminServer(options.port ?? 0, (webhookUrl, call) => placeCall(webhookUrl, call));
  return {
    url: admin.url,
    secret,
    placeCall,
    resend: async (webhookUrl, body) => send(webhookUrl, 'resend', body),
    close: () => new Promise((resolve) => admin.server.close(() => resolve())),
  };
}
