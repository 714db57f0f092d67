// An imitation of sipgate.io's push API: a form-encoded `newCall` (direction, from, to, callId,
// user[]) to the configured URL; only when its XML answer names `onAnswer` and `onHangup` does
// the call's `answer` and `hangup` (cause) follow, to those URLs. Every request is signed with
// the imitation's own RSA key: base64 RSA-SHA256 of the raw body in X-Sipgate-Signature.
// Numbers are sent as sipgate does, international without the plus.
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  type Delivery,
  encodeForm,
  newCallId,
  type PlacedCall,
  postForm,
  type SendOptions,
  startAdminServer,
} from './callScript.ts';

export interface SipgateSandbox {
  url: string;
  /** The public key (PEM) the hub verifies signatures with. */
  publicKey: string;
  placeCall(webhookUrl: string, call: PlacedCall, options?: SendOptions): Promise<Delivery[]>;
  /** Sends a body exactly as before (signature included): a replay. */
  resend(url: string, body: string): Promise<Delivery>;
  close(): Promise<void>;
}

const causes: Record<PlacedCall['outcome'], string> = {
  accepted: 'normalClearing',
  missed: 'cancel',
  voicemail: 'normalClearing',
  busy: 'busy',
};

export async function startSipgateSandbox(options: { port?: number } = {}): Promise<SipgateSandbox> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const send = async (url: string, event: string, body: string, sendOptions: SendOptions = {}) => {
    const signature = sign('sha256', Buffer.from(body), privateKey).toString('base64');
    const sent = sendOptions.tamper ? body.replace(/from=[^&]*/, 'from=4930999999') : body;
    const answer = await postForm(url, sent, { 'x-sipgate-signature': signature });
    return { event, body: sent, status: answer.status, responseBody: answer.body };
  };

  const placeCall = async (webhookUrl: string, call: PlacedCall, sendOptions: SendOptions = {}) => {
    const callId = newCallId();
    const plain = (number: string) => number.replace(/^\+/, '');
    const user = call.peer ?? 'Vertrieb Innendienst';
    const deliveries: Delivery[] = [];
    const newCall = encodeForm([
      ['event', 'newCall'],
      ['direction', call.direction],
      ['from', plain(call.from)],
      ['to', plain(call.to)],
      ['callId', callId],
      ['user[]', user],
      ['xcid', `x${callId.slice(0, 8)}`],
    ]);
    const first = await send(webhookUrl, 'newCall', newCall, sendOptions);
    deliveries.push(first);
    const onAnswer = /onAnswer="([^"]+)"/.exec(first.responseBody)?.[1]?.replace(/&amp;/g, '&');
    const onHangup = /onHangup="([^"]+)"/.exec(first.responseBody)?.[1]?.replace(/&amp;/g, '&');
    if (call.outcome === 'accepted' && onAnswer) {
      const answer = encodeForm([
        ['event', 'answer'],
        ['direction', call.direction],
        ['from', plain(call.from)],
        ['to', plain(call.to)],
        ['callId', callId],
        ['user', user],
        ['answeringNumber', plain(call.direction === 'in' ? call.to : call.from)],
      ]);
      deliveries.push(await send(onAnswer, 'answer', answer, sendOptions));
    }
    if (onHangup) {
      const hangup = encodeForm([
        ['event', 'hangup'],
        ['direction', call.direction],
        ['from', plain(call.from)],
        ['to', plain(call.to)],
        ['callId', callId],
        ['cause', causes[call.outcome]],
      ]);
      deliveries.push(await send(onHangup, 'hangup', hangup, sendOptions));
    }
    return deliveries;
  };

  const admin = await startAdminServer(options.port ?? 0, (webhookUrl, call) => placeCall(webhookUrl, call));
  return {
    url: admin.url,
    publicKey: publicPem,
    placeCall,
    resend: (url, body) => send(url, 'resend', body),
    close: () => new Promise((resolve) => admin.server.close(() => resolve())),
  };
}
