// Google's push notifications: the hub opens a watch channel on the calendar's events
// (`POST …/events/watch` with a random token); Google then POSTs an empty body with
// X-Goog-Channel-ID, X-Goog-Channel-Token, X-Goog-Resource-State and X-Goog-Message-Number for
// every change. There is no HMAC: the channel's token is the proof, compared with the hash the hub
// kept.
import { randomUUID } from 'node:crypto';
import type { ConnectorHttpClient } from '../sdk/httpClient.ts';
import type {
  InboundRequest,
  PushChannel,
  PushChannelRequest,
  WebhookReceiver,
  WebhookVerdict,
} from '../sdk/webhooks.ts';
import type { GoogleCalendarConfig, GoogleCalendarCredentials } from './config.ts';

/** Google's longest channel life for calendar events (unconfirmed: the API caps `ttl` itself). */
const CHANNEL_TTL_SECONDS = 7 * 24 * 3600;

export async function openWatchChannel(
  http: ConnectorHttpClient,
  eventsPath: string,
  request: PushChannelRequest,
): Promise<PushChannel[]> {
  const response = await http.request({
    method: 'POST',
    path: `${eventsPath}/watch`,
    json: {
      id: randomUUID(),
      type: 'web_hook',
      address: request.address,
      token: request.secret,
      params: { ttl: String(CHANNEL_TTL_SECONDS) },
    },
    retry: true,
    signal: request.signal,
    parseJson: true,
  });
  const channel = response.json<{ id: string; resourceId?: string; expiration?: string }>();
  const expiration = Number(channel.expiration);
  return [
    {
      channelId: channel.id,
      resourceId: channel.resourceId,
      expiresAt: new Date(
        Number.isFinite(expiration) && expiration > 0 ? expiration : Date.now() + CHANNEL_TTL_SECONDS * 1000,
      ),
    },
  ];
}

export const googleWebhooks: WebhookReceiver<GoogleCalendarConfig, GoogleCalendarCredentials> = {
  secretHeaders: ['x-goog-channel-token'],
  async verify(request: InboundRequest, context): Promise<WebhookVerdict> {
    const channelId = request.headers['x-goog-channel-id'];
    const state = request.headers['x-goog-resource-state'];
    if (!channelId || !state) {
      return {
        kind: 'reject',
        reason: 'signature',
        message: 'X-Goog-Channel-ID and X-Goog-Resource-State are required',
      };
    }
    // Google sends `sync` as soon as the channel exists, possibly before the hub has stored its
    // secret; it carries no change, so it is answered and dropped without a check.
    if (state === 'sync') return { kind: 'reply', reply: { status: 200 } };
    if (!(await context.isChannelSecret(channelId, request.headers['x-goog-channel-token']))) {
      return { kind: 'reject', reason: 'signature', message: 'unknown channel or wrong channel token' };
    }
    const number = request.headers['x-goog-message-number'];
    return { kind: 'accept', messageId: number ? `${channelId}:${number}` : undefined };
  },
};
