// What a connector declares to receive webhooks. The hub's receiver hands the connector the raw
// request to verify (on the raw bytes, never re-serialised JSON); a verified webhook is stored
// before the sender hears 2xx, and the connector's adapter later turns it into records to land
// or entities to sync.
import type { SourceRecord } from './adapter.ts';

export interface InboundRequest {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  receivedAt: Date;
}

export interface WebhookReply {
  status: number;
  contentType?: string;
  body?: string;
}

export type WebhookVerdict =
  /** Verified: store it and process it later. `messageId` dedupes repeats (the body's hash when absent). */
  | { kind: 'accept'; messageId?: string | undefined; reply?: WebhookReply | undefined }
  /** A handshake (a challenge or validation token): answered at once, nothing stored. */
  | { kind: 'reply'; reply: WebhookReply }
  | { kind: 'reject'; reason: WebhookRejection; message: string };

export type WebhookRejection = 'signature' | 'stale' | 'malformed';

export interface WebhookVerifyContext<Config, Credentials> {
  integrationId: string;
  config: Config;
  credentials: Credentials;
  /** Where this integration's webhooks arrive, for senders that are told where to call next. */
  webhookUrl: string;
  /**
   * Whether `secret` is the one the hub gave the push channel it opened (Google's channel token,
   * Graph's clientState). Only a hash of it is kept; the comparison takes constant time.
   */
  isChannelSecret(channelId: string, secret: string | undefined): Promise<boolean>;
}

export interface WebhookReceiver<Config, Credentials> {
  /** Header names that carry secrets or proofs; they are never stored with the webhook. */
  secretHeaders?: string[] | ((config: Config) => string[]);
  verify(
    request: InboundRequest,
    context: WebhookVerifyContext<Config, Credentials>,
  ): WebhookVerdict | Promise<WebhookVerdict>;
}

/** A verified webhook as it was stored. */
export interface StoredWebhook {
  id: string;
  messageId: string;
  receivedAt: Date;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WebhookEffect {
  /** Records the webhook carries, landed like a sync's page (mapping, hash comparison, events). */
  records?: { entity: string; records: SourceRecord[] }[];
  /** Entities the webhook says changed, synced incrementally. */
  sync?: string[];
}

/** Push channels a connector opens at the source (Google watch channels, Graph subscriptions). */
export interface PushChannelRequest {
  /** The hub's webhook URL for this integration. */
  address: string;
  /** A random secret the source sends back with every notification. */
  secret: string;
  /** The integration's entities, for sources with a channel per resource. */
  entities: string[];
  signal: AbortSignal;
}

export interface PushChannel {
  channelId: string;
  /** What the source calls the watched resource, needed to close the channel. */
  resourceId?: string | undefined;
  expiresAt: Date;
}
