// Google's push notifications for the calendar imitation: `POST …/events/watch` opens a channel
// ({id, type: "web_hook", address, token, params.ttl}); Google first sends a `sync` message, then
// one empty-body POST per change with X-Goog-Channel-ID, X-Goog-Channel-Token,
// X-Goog-Resource-ID, X-Goog-Resource-URI, X-Goog-Resource-State (exists, not_exists) and a
// growing X-Goog-Message-Number. `POST /calendar/v3/channels/stop` closes a channel.
import { randomBytes } from 'node:crypto';

interface Channel {
  id: string;
  resourceId: string;
  address: string;
  token: string | undefined;
  expiration: number;
  messages: number;
}

export interface ChannelDelivery {
  channelId: string;
  state: string;
  status: number;
}

/** Google's default and longest channel life for events (unconfirmed: a week is assumed). */
const MAX_TTL_SECONDS = 7 * 24 * 3600;

export class WatchChannels {
  readonly deliveries: ChannelDelivery[] = [];
  readonly #channels = new Map<string, Channel>();
  readonly #resourceUri: string;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(resourceUri: string) {
    this.#resourceUri = resourceUri;
  }

  /** Opens a channel from the body of a watch request; an error message when the body is wrong. */
  open(body: Record<string, unknown>): { channel: Record<string, unknown> } | { error: string } {
    if (typeof body.id !== 'string' || body.type !== 'web_hook' || typeof body.address !== 'string') {
      return { error: 'id, type "web_hook" and address are required' };
    }
    if (!body.address.startsWith('https://') && !body.address.startsWith('http://127.0.0.1')) {
      return { error: 'WebHook callback must be HTTPS' };
    }
    const ttl = Math.min(
      MAX_TTL_SECONDS,
      Number((body.params as { ttl?: string } | undefined)?.ttl ?? MAX_TTL_SECONDS),
    );
    const channel: Channel = {
      id: body.id,
      resourceId: randomBytes(12).toString('base64url'),
      address: body.address,
      token: typeof body.token === 'string' ? body.token : undefined,
      expiration: Date.now() + ttl * 1000,
      messages: 0,
    };
    this.#channels.set(channel.id, channel);
    this.#send(channel, 'sync');
    return {
      channel: {
        kind: 'api#channel',
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: this.#resourceUri,
        ...(channel.token ? { token: channel.token } : {}),
        expiration: String(channel.expiration),
      },
    };
  }

  stop(body: Record<string, unknown>): boolean {
    const channel = typeof body.id === 'string' ? this.#channels.get(body.id) : undefined;
    if (!channel || channel.resourceId !== body.resourceId) return false;
    this.#channels.delete(channel.id);
    return true;
  }

  /** Tells every live channel that the calendar changed. */
  notify(state: 'exists' | 'not_exists' = 'exists'): void {
    for (const channel of this.#channels.values()) {
      if (channel.expiration > Date.now()) this.#send(channel, state);
    }
  }

  /** Resolves once every notification sent so far has been answered. */
  settled(): Promise<unknown> {
    return this.#pending;
  }

  #send(channel: Channel, state: string): void {
    channel.messages += 1;
    const headers: Record<string, string> = {
      'x-goog-channel-id': channel.id,
      'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': this.#resourceUri,
      'x-goog-resource-state': state,
      'x-goog-message-number': String(channel.messages),
    };
    if (channel.token) headers['x-goog-channel-token'] = channel.token;
    // Notifications of one channel go out one after another, as numbered.
    this.#pending = this.#pending.then(() =>
      fetch(channel.address, { method: 'POST', headers })
        .then(async (response) => {
          await response.body?.cancel();
          this.deliveries.push({ channelId: channel.id, state, status: response.status });
        })
        .catch(() => this.deliveries.push({ channelId: channel.id, state, status: 0 })),
    );
  }
}
