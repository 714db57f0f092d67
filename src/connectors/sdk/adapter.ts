// The FC-021 IntegrationAdapter contract: what every connector implements so the sync engine can
// pull from it. The engine stores each batch together with the batch's checkpoint (state) in one
// transaction, so a crashed run resumes after its last committed batch.
import type { ConnectionResult } from './connectorDefinition.ts';
import type { ConnectorHttpClient } from './httpClient.ts';
import type { PushChannel, PushChannelRequest, StoredWebhook, WebhookEffect } from './webhooks.ts';

/** A record as the source has it, before mapping. */
export interface SourceRecord {
  externalId: string;
  data: unknown;
  /** The source says this record is gone (a tombstone). */
  deleted?: boolean;
  /** When the source last changed the record, where it says so (read for two-way sync). */
  modifiedAt?: string | undefined;
}

/** A connector's checkpoint: plain JSON, opaque to the engine. */
export type SyncState = Record<string, unknown>;

export interface SyncRequest {
  entity: string;
  mode: 'full' | 'incremental';
  /** The checkpoint committed with the last batch; `{}` for a first sync. */
  state: SyncState;
  signal: AbortSignal;
}

export interface SyncBatch {
  records: SourceRecord[];
  /** The checkpoint after this batch. */
  state: SyncState;
  /** Whether this batch belongs to a full pass (every record) or an incremental one (changes only). */
  pass: 'full' | 'incremental';
  /** This batch ends a full pass over the entity, so ids not seen in the pass may be swept. */
  fullPassComplete?: boolean;
  /** After this batch the entity is in sync; its checkpoint is the start of the next sync. */
  final?: boolean;
  /**
   * The source answered "not modified" (304) for this page: its records are exactly as in the
   * answer the hub stored at this time.
   */
  unchangedSince?: Date | undefined;
}

export interface EntityCapabilities {
  incremental: boolean;
  /** How deletions show: tombstones in the feed, a sweep of unseen ids after a full pass, or not at all. */
  deletions: 'tombstones' | 'sweep' | 'none';
}

export interface IntegrationAdapter {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  healthCheck(signal: AbortSignal): Promise<ConnectionResult>;
  capabilities(entity: string): EntityCapabilities;
  sync(request: SyncRequest): AsyncIterable<SyncBatch>;
  /** One record as the source has it now; null when it is gone. For two-way sync. */
  read?(entity: string, externalId: string, signal: AbortSignal): Promise<SourceRecord | null>;
  /** Writes source fields (a partial record in the source's shape) and returns the record as stored. */
  write?(
    entity: string,
    externalId: string,
    patch: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<SourceRecord>;
  /** Sends a message through the system (email), for connectors that can. */
  send?(message: OutboundMessage, signal: AbortSignal): Promise<SentMessage>;
  /** What a verified webhook means: records to land or entities to sync. Default: sync every entity. */
  handleWebhook?(webhook: StoredWebhook, signal: AbortSignal): Promise<WebhookEffect>;
  /** Asks the source to push changes to the hub (watch channels, subscriptions: one per resource). */
  openPushChannels?(request: PushChannelRequest): Promise<PushChannel[]>;
  /** The client the outbound proxy forwards through, for connectors that speak HTTP. */
  readonly http?: ConnectorHttpClient;
}

export interface OutboundMessage {
  to: string[];
  cc?: string[] | undefined;
  bcc?: string[] | undefined;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
  inReplyTo?: string | undefined;
  references?: string[] | undefined;
  attachments?: { filename: string; contentType: string; content: Buffer }[] | undefined;
}

export interface SentMessage {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The folder a copy was stored in. */
  storedIn?: string;
}
